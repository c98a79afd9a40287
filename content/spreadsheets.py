"""The lexicons as a spreadsheet: the office downloads them (the same sheet is the template) and uploads
entries to add or change, by lexicon and term. And posts from a sheet, the units' third way in beside
the collectors' API and the hand form, through the registry's one import flow (``registry.imports``).

A lexicon and a severity are read as the site writes them in either language, or as their codes. The
file goes through the registry's limits (``registry.spreadsheets.records``: size, type, rows, no
formulas); every row is checked before any is written, and one bad row writes none.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

from accounts.rules import is_system
from audits.inspections.choices import Severity
from config.xlsx import Sheet, write_xlsx
from content.choices import Lexicon, PostKind
from content.models import LexiconEntry, Post
from content.posts import CheckedPosts, check_post_rows
from registry import spreadsheets
from registry.choices import Platform
from registry.models import MediaAccount
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


# Posts from a sheet -------------------------------------------------------------------------------

POST_COLUMNS = {
    "media_account": pgettext_lazy("spreadsheet", "Account ID"),
    "platform_uid": spreadsheets.IMPORT_COLUMNS["platform_uid"],
    "platform_post_id": pgettext_lazy("spreadsheet", "Post ID"),
    "published_at": pgettext_lazy("spreadsheet", "Published at"),
    "kind": pgettext_lazy("spreadsheet", "Original or repost"),
    "title": pgettext_lazy("spreadsheet", "Title"),
    "text": pgettext_lazy("spreadsheet", "Text"),
    "url": pgettext_lazy("spreadsheet", "URL"),
    "reads": pgettext_lazy("spreadsheet", "Reads"),
    "likes": pgettext_lazy("spreadsheet", "Likes"),
    "comments": pgettext_lazy("spreadsheet", "Comments"),
    "shares": pgettext_lazy("spreadsheet", "Shares"),
}
# What people type for a time: 2026-11-20 09:30, 2026/11/20 9:30, 2026年11月20日 9:30, or a cell's own.
_SHEET_TIME = re.compile(
    r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)
_WHOLE = re.compile(r"^\d+$")


def post_column_label(name: str) -> str:
    return str(POST_COLUMNS.get(name, name)) if name else "—"


def read_post_sheet(data: bytes, *, extension: str, progress=None) -> spreadsheets.ImportSheet:
    """An uploaded .xlsx or .csv of posts as rows of field → cell text, within the registry's limits
    (``registry.spreadsheets.read_form``). ``SpreadsheetRejected`` for a file that cannot be read."""
    return spreadsheets.read_form(
        data, extension=extension, columns=POST_COLUMNS, required=("published_at", "kind"), progress=progress
    )


def _sheet_time(text: str) -> str | None:
    match = _SHEET_TIME.match(text.strip())
    if match is None:
        return text if text else None  # an ISO time (a date cell's own) or a mistake the check names
    year, month, day, hour, minute, second = (int(part) if part else 0 for part in match.groups())
    try:
        return datetime.datetime(year, month, day, hour, minute, second).isoformat()
    except ValueError:
        return text


def _sheet_row(row: dict, kinds: dict[str, str], by_uid: dict[str, list[int]]) -> dict:
    """A sheet's row of cell text as a collector's row, for ``check_post_rows`` to check."""
    account = row.get("media_account", "")
    if not account and row.get("platform_uid"):
        found = by_uid.get(row["platform_uid"], [])
        # Unknown, out of scope or on several platforms: read as no account at all (id 0).
        account = str(found[0]) if len(found) == 1 else "0"
    converted = {
        "media_account": int(account) if _WHOLE.match(account) else (account or None),
        "platform_post_id": row.get("platform_post_id") or None,
        "published_at": _sheet_time(row.get("published_at", "")),
        "kind": kinds.get(spreadsheets.normalised_header(row.get("kind", "")), row.get("kind") or None),
        "title": row.get("title", ""),
        "text": row.get("text", ""),
        "url": row.get("url", ""),
    }
    for name in Post.FIGURES:
        text = row.get(name, "").replace(",", "").replace("，", "")
        converted[name] = int(text) if _WHOLE.match(text) else (text or None)
    return converted


def check_post_sheet(user, sheet: spreadsheets.ImportSheet) -> CheckedPosts:
    """The sheet's rows checked for ``posts_record``; a formula cell is told once. A row without a
    post ID takes one made of its account, time and title, so the same row sent again replaces it."""
    kinds = {**_in_every_language(PostKind.choices), "原创": PostKind.ORIGINAL, "转发": PostKind.REPOST}
    uids = {
        row["platform_uid"] for row in sheet.rows if row.get("platform_uid") and not row.get("media_account")
    }
    by_uid: dict[str, list[int]] = {}
    if uids:
        accounts = (
            MediaAccount.objects.all() if is_system(user) else MediaAccount.objects.restrict(user, "change")
        )
        for uid, pk in accounts.filter(platform_uid__in=uids).values_list("platform_uid", "pk"):
            by_uid.setdefault(uid, []).append(pk)
    rows = []
    for row in sheet.rows:
        converted = _sheet_row(row, kinds, by_uid)
        if converted["platform_post_id"] is None:
            words = converted["title"] or converted["text"][:50]
            key = f"{converted['media_account']}|{converted['published_at']}|{words}"
            converted["platform_post_id"] = (
                "sheet-" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()
            )
        rows.append((row["row"], converted))
    checked = check_post_rows(user, rows, row_name=lambda number: _("row %(row)s") % {"row": number})
    formula_cells = {(error.row, error.field) for error in sheet.errors}
    errors = list(sheet.errors) + [e for e in checked.errors if (e.row, e.field) not in formula_cells]
    if errors:
        return CheckedPosts(rows=[], errors=sorted(errors, key=lambda error: error.row))
    if not checked.rows:
        return CheckedPosts(rows=[], errors=[RowError(0, "", _("The file has no rows."))])
    return checked


def post_template_xlsx(accounts) -> bytes:
    """The posts sheet to fill in, with its instructions and example, and ``accounts`` by their IDs."""
    example = {
        "platform_uid": spreadsheets.EXAMPLE_PLATFORM_UID,
        "platform_post_id": "2247483901_1",
        "published_at": f"{timezone.localdate() - datetime.timedelta(days=1):%Y-%m-%d} 09:30",
        "kind": str(PostKind.ORIGINAL.label),
        "title": "区教育局召开秋季开学工作部署会",
        "text": "9月1日，区教育局召开秋季开学工作部署会……",
        "url": "https://mp.weixin.qq.com/s/example",
        "reads": 1200,
        "likes": 35,
    }
    figure = _("A whole number of at least 0; empty if not known.")
    guide = [
        (
            "media_account",
            False,
            _(
                "The account's ID in the registry, as listed in “Account list”; give it or the platform "
                "account ID."
            ),
        ),
        (
            "platform_uid",
            False,
            _("The account's ID on the platform, as listed in “Account list”; give it or the account ID."),
        ),
        (
            "platform_post_id",
            False,
            _(
                "The post's ID on the platform; the same ID sent again replaces the post. Empty: the "
                "registry makes one of the account, time and title."
            ),
        ),
        (
            "published_at",
            True,
            _("When it was published, such as 2026-11-20 09:30 (Beijing time); not in the future."),
        ),
        ("kind", True, _("Original or repost.")),
        ("title", False, _("The title, if the post has one.")),
        ("text", False, _("The text; it is checked against the office's lexicons.")),
        ("url", False, _("The post's address, starting with http:// or https://.")),
        *((name, False, figure) for name in Post.FIGURES),
    ]
    rows = (
        accounts.select_related("department")
        .order_by("department__order_key", "name", "pk")
        .values_list("pk", "platform_uid", "name", "platform", "department__name")
    )
    platforms = dict(Platform.choices)
    return spreadsheets.template_xlsx(
        title=pgettext("content", "Posts"),
        columns=POST_COLUMNS,
        guide=guide,
        example=example,
        choices={},
        references=[
            spreadsheets.ReferenceSheet(
                title=_("Account list"),
                headers=(
                    POST_COLUMNS["media_account"],
                    POST_COLUMNS["platform_uid"],
                    spreadsheets.IMPORT_COLUMNS["name"],
                    spreadsheets.IMPORT_COLUMNS["platform"],
                    spreadsheets.IMPORT_COLUMNS["department_name"],
                ),
                rows=(
                    (pk, uid, name, platforms.get(platform, platform), unit)
                    for pk, uid, name, platform, unit in rows.iterator()
                ),
                widths=(10, 22, 26, 14, 24),
            )
        ],
        widths={
            "platform_uid": 22,
            "platform_post_id": 18,
            "published_at": 17,
            "title": 30,
            "text": 40,
            "url": 30,
        },
    )
