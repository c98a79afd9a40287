"""The lexicons as a spreadsheet: the office downloads them (the same sheet is the template) and uploads
entries to add or change, by lexicon and term.

A lexicon and a severity are read as the site writes them in either language, or as their codes. The
file goes through the registry's limits (``registry.spreadsheets.records``: size, type, rows, no
formulas); every row is checked before any is written, and one bad row writes none.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from audits.inspections.choices import Severity
from config.xlsx import Sheet, write_xlsx
from content.choices import Lexicon
from content.models import LexiconEntry
from registry import spreadsheets
from registry.services import RowError

COLUMNS = {
    "lexicon": pgettext_lazy("spreadsheet", "Lexicon"),
    "term": pgettext_lazy("spreadsheet", "Term"),
    "correct_form": pgettext_lazy("spreadsheet", "Correct form"),
    "category": pgettext_lazy("spreadsheet", "Category"),
    "severity": pgettext_lazy("spreadsheet", "Severity"),
    "source": pgettext_lazy("spreadsheet", "Source"),
    "enabled": pgettext_lazy("spreadsheet", "Enabled"),
}
_YES = {"1", "yes", "y", "true", "是", "启用", "on"}
_NO = {"0", "no", "n", "false", "否", "停用", "off"}


@dataclass
class LexiconSheet:
    entries: list[dict]
    errors: list[RowError]


def _in_every_language(choices) -> dict[str, str]:
    """Each choice's code, and its label in each of the site's languages, to its code."""
    known = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for value, label in choices:
                known[spreadsheets.normalised_header(label)] = value
    known.update({value: value for value, _label in choices})
    return known


def lexicon_xlsx(entries) -> bytes:
    """The entries as the sheet the upload reads."""
    lexicons, severities = dict(Lexicon.choices), dict(Severity.choices)
    rows = (
        [
            str(lexicons[entry.lexicon]),
            entry.term,
            entry.correct_form,
            entry.category,
            str(severities.get(entry.severity, entry.severity)),
            entry.source,
            _("Yes") if entry.enabled else _("No"),
        ]
        for entry in entries
    )
    return write_xlsx(
        Sheet(
            title=_("Lexicons"),
            headers=[str(label) for label in COLUMNS.values()],
            rows=rows,
            widths=(16, 24, 24, 14, 10, 30, 8),
            freeze_header=True,
        )
    )


def read_lexicon_sheet(data: bytes, *, extension: str) -> LexiconSheet:
    """The entries of an uploaded sheet, or every problem in it. ``SpreadsheetRejected`` for a file
    that cannot be read at all."""
    headers = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for name, label in COLUMNS.items():
                headers.setdefault(spreadsheets.normalised_header(label), name)
    headers.update({name: name for name in COLUMNS})
    lexicons = _in_every_language(Lexicon.choices)
    severities = _in_every_language(Severity.choices)
    entries, errors, seen = [], [], {}
    columns = None
    for number, cells in spreadsheets.records(data, extension=extension):
        texts = [spreadsheets.cell_text(value) for value, _formula in cells]
        if columns is None:
            if any(texts):
                columns = [headers.get(spreadsheets.normalised_header(text)) for text in texts]
                missing = [str(COLUMNS[name]) for name in ("lexicon", "term") if name not in columns]
                if missing:
                    errors.append(
                        RowError(
                            row=number,
                            field="",
                            message=_("The sheet has no column %(names)s.") % {"names": "、".join(missing)},
                        )
                    )
                    break
            continue
        if not any(texts):
            continue
        if any(formula for _value, formula in cells):
            errors.append(
                RowError(
                    row=number, field="", message=_("A formula is not accepted: enter the value itself.")
                )
            )
            continue
        row = {name: text for name, text in zip(columns, texts, strict=False) if name}
        entry, before = {}, len(errors)

        def error(field, message, number=number):
            errors.append(RowError(row=number, field=str(COLUMNS[field]), message=str(message)))

        lexicon = lexicons.get(spreadsheets.normalised_header(row.get("lexicon", "")))
        if lexicon is None:
            error(
                "lexicon",
                _("Must be one of: %(choices)s.")
                % {"choices": "、".join(str(label) for label in Lexicon.labels)},
            )
        else:
            entry["lexicon"] = lexicon
        term = " ".join(row.get("term", "").split())
        if not term:
            error("term", _("This field is required."))
        elif len(term) > LexiconEntry._meta.get_field("term").max_length:
            error(
                "term",
                _("At most %(count)s characters.")
                % {"count": LexiconEntry._meta.get_field("term").max_length},
            )
        else:
            entry["term"] = term
        for name in ("correct_form", "category", "source"):
            value = " ".join(row.get(name, "").split())
            limit = LexiconEntry._meta.get_field(name).max_length
            if len(value) > limit:
                error(name, _("At most %(count)s characters.") % {"count": limit})
            entry[name] = value
        severity_text = row.get("severity", "")
        if severity_text:
            severity = severities.get(spreadsheets.normalised_header(severity_text))
            if severity is None:
                error(
                    "severity",
                    _("Must be one of: %(choices)s.")
                    % {"choices": "、".join(str(label) for label in Severity.labels)},
                )
            entry["severity"] = severity or ""
        else:
            entry["severity"] = ""
        enabled = row.get("enabled", "").lower()
        if enabled and enabled not in _YES | _NO:
            error("enabled", _("Must be yes or no."))
        entry["enabled"] = enabled not in _NO
        if len(errors) > before:
            continue
        key = (entry["lexicon"], entry["term"])
        if key in seen:
            error("term", _("The same lexicon and term as row %(row)s.") % {"row": seen[key]})
            continue
        seen[key] = number
        entries.append(entry)
    if columns is None and not errors:
        errors.append(RowError(row=1, field="", message=_("The sheet is empty.")))
    return LexiconSheet(entries=[] if errors else entries, errors=errors)
