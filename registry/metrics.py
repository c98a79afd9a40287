"""Daily figures coming in (运营数据): the rows of an API request or of a spreadsheet, and its template.

The hand form is ``registry.forms.MetricEntryForm``; who may enter figures, for which accounts,
is ``accounts.permissions.may_enter_metrics`` and ``writable_accounts``.

Rows are checked here, all of them, before ``registry.services.metrics_record`` writes any: a
light loop over plain values rather than a DRF serializer per row, because a collector may post
10,000 rows at once. Every problem is reported by row and field; one bad row writes nothing.

An account id the user may not enter figures for reads exactly like one that does not exist
(docs/design.md §6.1), so the answer never tells whether another unit's account exists.
"""

import datetime
import re
from collections.abc import Iterable, Mapping
from operator import itemgetter
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from config.ids import MAX_ID
from registry import spreadsheets
from registry.choices import MediaAccountStatus, Platform
from registry.models import AccountMetric, MediaAccount
from registry.services import CheckedRows, RowError, metrics_entered

MAX_ROWS = spreadsheets.MAX_IMPORT_ROWS

FIGURES = AccountMetric.FIGURES
# The largest value each figure's column holds, so an overflow is a 400, not a database error.
LIMITS = {
    name: 2**63 - 1
    if isinstance(AccountMetric._meta.get_field(name), models.PositiveBigIntegerField)
    else 2**31 - 1
    for name in FIGURES
}
_SMALLEST_LIMIT = min(LIMITS.values())
ROW_FIELDS = ("media_account", "date", *FIGURES)
_ROW_FIELDS = frozenset(ROW_FIELDS)

# The spreadsheet's columns. The account is named by its id in the registry (账号ID) or by its
# ID on the platform (平台账号ID), whichever the unit has at hand.
METRIC_COLUMNS = {
    "media_account": pgettext_lazy("spreadsheet", "Account ID"),
    "platform_uid": spreadsheets.IMPORT_COLUMNS["platform_uid"],
    "date": pgettext_lazy("spreadsheet", "Date"),
    "followers": pgettext_lazy("spreadsheet", "Followers"),
    "posts": pgettext_lazy("spreadsheet", "Posts"),
    "reads": pgettext_lazy("spreadsheet", "Reads"),
    "likes": pgettext_lazy("spreadsheet", "Likes"),
    "shares": pgettext_lazy("spreadsheet", "Shares"),
    "comments": pgettext_lazy("spreadsheet", "Comments"),
    "messages_received": pgettext_lazy("spreadsheet", "Messages received"),
    "messages_replied": pgettext_lazy("spreadsheet", "Messages replied"),
    "messages_overdue": pgettext_lazy("spreadsheet", "Messages overdue"),
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# What people type in a spreadsheet: 2026-11-20, 2026/11/20, 2026.11.20, 2026年11月20日.
_SHEET_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_WHOLE = re.compile(r"^\d+$")


def _unknown_account() -> str:
    return _("There is no media account with this ID that you may enter figures for.")


def _parse_json(row: Mapping, error) -> dict:
    """One row of a JSON body: numbers must be numbers and dates ISO text (YYYY-MM-DD)."""
    # ``type(value) is int`` rather than isinstance: JSON's numbers are plain ints, a bool is not one,
    # and the check runs 100,000 times for a collector's 10,000 rows.
    clean: dict[str, Any] = {}
    unknown = row.keys() - _ROW_FIELDS
    for name in sorted(unknown) if unknown else ():
        error(name, _("This field is not accepted here."))
    account = row.get("media_account")
    if account is None:
        error("media_account", _("This field is required."))
    elif type(account) is not int:
        error("media_account", _("Must be the ID of a media account (a whole number)."))
    else:
        clean["media_account"] = account
    day = row.get("date")
    if day is None:
        error("date", _("This field is required."))
    elif not isinstance(day, str) or not _ISO_DATE.match(day):
        error("date", _("Must be a date written as YYYY-MM-DD."))
    else:
        try:
            clean["date"] = datetime.date.fromisoformat(day)
        except ValueError:
            error("date", _("Must be a date written as YYYY-MM-DD."))
    values = [row.get(name, 0) for name in FIGURES]
    # A collector's row is whole numbers well inside every column: told in one pass over them; only
    # a row that is not is gone through figure by figure, to name each problem.
    if all(type(value) is int for value in values) and 0 <= min(values) and max(values) <= _SMALLEST_LIMIT:
        clean.update(zip(FIGURES, values, strict=True))
        return clean
    for name, value in zip(FIGURES, values, strict=True):
        if type(value) is not int or value < 0:
            error(name, _("Must be a whole number of at least 0."))
        elif value > LIMITS[name]:
            error(name, _("Must be at most %(limit)s.") % {"limit": LIMITS[name]})
        else:
            clean[name] = value
    return clean


_FIGURES_OF = itemgetter(*FIGURES)
_INTS = {int}


def _plain_json_row(row: dict, days: dict, today: datetime.date) -> dict | None:
    """A row as a collector sends it, every field given and every value plain (an account id, an
    ISO date not in the future, whole numbers well inside every column), parsed in one light step;
    ``None`` for any other row, which ``_parse_json`` then goes through field by field to name each
    problem. ``days`` keeps the dates already read (10,000 rows name a few)."""
    account, day, values = row["media_account"], row["date"], _FIGURES_OF(row)
    if type(account) is not int or type(day) is not str:
        return None
    date = days.get(day, False)
    if date is False:
        date = days[day] = _plain_day(day, today)
    if date is None or set(map(type, values)) != _INTS:
        return None
    if min(values) < 0 or max(values) > _SMALLEST_LIMIT:
        return None
    clean = dict(row)  # its keys are the row's fields, every one (the caller made sure)
    clean["date"] = date
    return clean


def _plain_day(text: str, today: datetime.date) -> datetime.date | None:
    if not _ISO_DATE.match(text):
        return None
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return day if day <= today else None


def _parse_text(row: Mapping, error) -> dict:
    """One row of a spreadsheet: every cell is text; an empty figure counts as 0."""
    clean: dict[str, Any] = {}
    account = row.get("media_account", "")
    uid = row.get("platform_uid", "")
    if account:
        if _WHOLE.match(account):
            clean["media_account"] = int(account)
        else:
            error("media_account", _("Must be the ID of a media account (a whole number)."))
    elif uid:
        clean["platform_uid"] = uid
    else:
        error("media_account", _("Give the account ID or the platform account ID."))
    match = _SHEET_DATE.match(row.get("date", ""))
    try:
        clean["date"] = datetime.date(*(int(part) for part in match.groups())) if match else None
    except ValueError:
        clean["date"] = None
    if clean["date"] is None:
        error("date", _("Must be a date written as YYYY-MM-DD."))
    for name in FIGURES:
        text = row.get(name, "").replace(",", "").replace("，", "")
        if not text:
            clean[name] = 0
        elif not _WHOLE.match(text):
            error(name, _("Must be a whole number of at least 0."))
        elif int(text) > LIMITS[name]:
            error(name, _("Must be at most %(limit)s.") % {"limit": LIMITS[name]})
        else:
            clean[name] = int(text)
    return clean


def _accounts_by_uid(user, uids: set[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    rows = (
        MediaAccount.objects.restrict(user, "change")
        .filter(platform_uid__in=uids)
        .values_list("platform_uid", "pk")
    )
    for uid, pk in rows:
        found.setdefault(uid, []).append(pk)
    return found


def _by_platform_id(user, parsed: list[tuple[int, dict, bool]], errors: list[RowError]) -> list:
    """The rows with each account named by its platform ID replaced by its id in the registry.
    Unknown and out of scope read the same; a platform ID used on two platforms needs the
    registry's own ID to tell which account is meant."""
    uids = {clean["platform_uid"] for _label, clean, _good in parsed if "platform_uid" in clean}
    if not uids:
        return parsed
    by_uid = _accounts_by_uid(user, uids)
    resolved = []
    for label, clean, good in parsed:
        if "platform_uid" in clean:
            found = by_uid.get(clean.pop("platform_uid"), [])
            if len(found) != 1:
                message = (
                    _unknown_account()
                    if not found
                    else _("This platform account ID is on several platforms: give the account ID.")
                )
                errors.append(RowError(row=label, field="platform_uid", message=message))
                continue
            clean["media_account"] = found[0]
        resolved.append((label, clean, good))
    return resolved


def check_metric_rows(
    user, rows: Iterable[tuple[int, Any]], *, text: bool = False, row_name=str
) -> CheckedRows:
    """Check every row; ``rows`` are ``(label, row)`` pairs, the label naming the row in errors.

    ``text`` rows come from a spreadsheet (cells as text, the account by id or platform ID);
    otherwise from JSON. ``row_name(label)`` names another row in a message about a repeat.
    Two queries whatever the number of rows: accounts by platform ID, and the accounts in scope.
    """
    errors: list[RowError] = []
    parsed: list[tuple[int, dict, bool]] = []  # (label, values, whether every value is good)
    today = timezone.localdate()
    days: dict[str, datetime.date | None] = {}  # a collector's 10,000 rows name a few days
    for label, row in rows:
        if not text and type(row) is dict and row.keys() == _ROW_FIELDS:
            clean = _plain_json_row(row, days, today)
            if clean is not None:
                parsed.append((label, clean, True))
                continue

        def error(field, message, label=label):
            errors.append(RowError(row=label, field=field, message=str(message)))

        if not isinstance(row, Mapping):
            error("", _("Each row must be an object of field names and values."))
            continue
        before = len(errors)
        clean = _parse_text(row, error) if text else _parse_json(row, error)
        if clean.get("date") and clean["date"] > today:
            error("date", _("The date is in the future."))
        # A row with a bad figure still has its account checked, so every problem is told at once.
        if "media_account" in clean or "platform_uid" in clean:
            parsed.append((label, clean, len(errors) == before))

    resolved = _by_platform_id(user, parsed, errors)
    ids = {clean["media_account"] for _label, clean, _good in resolved}
    ids = {pk for pk in ids if 0 < pk <= MAX_ID}
    allowed = (
        dict(
            MediaAccount.objects.restrict(user, "change")
            .filter(pk__among=ids)
            .order_by()
            .values_list("pk", "department_id")
        )
        if ids
        else {}
    )
    checked: list[dict] = []
    first_label: dict[tuple[int, datetime.date], int] = {}
    for label, clean, good in resolved:
        if clean["media_account"] not in allowed:
            errors.append(RowError(row=label, field="media_account", message=_unknown_account()))
            continue
        if not good:
            continue
        key = (clean["media_account"], clean["date"])
        if key in first_label:
            # One row per account and day: which of two should win would be a guess, and
            # PostgreSQL refuses to upsert one key twice in a statement.
            errors.append(
                RowError(
                    row=label,
                    field="date",
                    message=_("The same account and date as %(row)s.") % {"row": row_name(first_label[key])},
                )
            )
        else:
            first_label[key] = label
            checked.append(clean)
    if errors:
        return CheckedRows(rows=[], errors=sorted(errors, key=lambda error: error.row))
    departments = frozenset(allowed[row["media_account"]] for row in checked)
    return CheckedRows(rows=checked, errors=[], user=user, departments=departments)


# The spreadsheet ------------------------------------------------------------------------------


def column_label(name: str) -> str:
    return str(METRIC_COLUMNS.get(name, name)) if name else "—"


def read_metric_sheet(data: bytes, *, extension: str, progress=None) -> spreadsheets.ImportSheet:
    """An uploaded .xlsx or .csv of daily figures as rows of field → cell text.

    The file checks and limits are the account import's (``registry.spreadsheets.records``): size,
    type, content, rows, no macros, no formulas. A file that cannot be read raises
    ``SpreadsheetRejected``.
    """
    sheet = spreadsheets.read_form(
        data, extension=extension, columns=METRIC_COLUMNS, required=("date",), progress=progress
    )
    if not sheet.rows:
        raise spreadsheets.SpreadsheetRejected(
            _(
                "The file has no figures to import: fill in one account and day per row under the header "
                "of the first sheet (the example in “Instructions” is not imported)."
            )
        )
    return sheet


def check_metric_sheet(user, sheet: spreadsheets.ImportSheet) -> CheckedRows:
    """The sheet's rows checked for ``metrics_record``; a formula cell is reported once."""
    checked = check_metric_rows(
        user,
        ((row["row"], row) for row in sheet.rows),
        text=True,
        row_name=lambda number: _("row %(row)s") % {"row": number},
    )
    formula_cells = {(error.row, error.field) for error in sheet.errors}
    errors = list(sheet.errors) + [e for e in checked.errors if (e.row, e.field) not in formula_cells]
    if errors:
        return CheckedRows(rows=[], errors=sorted(errors, key=lambda error: error.row))
    if not checked.rows:
        return CheckedRows(rows=[], errors=[RowError(0, "", _("The file has no rows."))])
    # What the check page tells before anything is written.
    checked.replaced = metrics_entered({(row["media_account"], row["date"]) for row in checked.rows})
    checked.created = len(checked.rows) - checked.replaced
    return checked


def _guide() -> list[tuple[str, bool, str]]:
    figure = _("A whole number of at least 0; an empty cell counts as 0.")
    return [
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
            "date",
            True,
            _(
                "The day the figures are for, such as 2026-11-20, not later than today. A day entered "
                "again replaces the figures of that day."
            ),
        ),
        ("followers", False, _("The followers at the end of the day. %(figure)s") % {"figure": figure}),
        *((name, False, figure) for name in FIGURES if name not in ("followers", "messages_overdue")),
        (
            "messages_overdue",
            False,
            _("Messages from the public still unanswered past the allowed time that day. %(figure)s")
            % {"figure": figure},
        ),
    ]


def metric_template_xlsx(accounts) -> bytes:
    """The daily-figures sheet to fill in, with its instructions and example, and ``accounts``, the
    ones the user may enter figures for, by their IDs."""
    example = {
        "platform_uid": spreadsheets.EXAMPLE_PLATFORM_UID,
        "date": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "followers": 12000,
        "posts": 2,
        "reads": 3500,
        "likes": 80,
        "shares": 25,
        "comments": 12,
        "messages_received": 5,
        "messages_replied": 5,
        "messages_overdue": 0,
    }
    rows = (
        accounts.select_related("department")
        .order_by("department__order_key", "name", "pk")
        .values_list("pk", "platform_uid", "name", "platform", "department__name", "status")
    )
    platforms, statuses = dict(Platform.choices), dict(MediaAccountStatus.choices)
    return spreadsheets.template_xlsx(
        title=_("Daily figures"),
        columns=METRIC_COLUMNS,
        guide=_guide(),
        example=example,
        choices={},
        references=[
            spreadsheets.ReferenceSheet(
                title=_("Account list"),
                headers=(
                    METRIC_COLUMNS["media_account"],
                    METRIC_COLUMNS["platform_uid"],
                    spreadsheets.IMPORT_COLUMNS["name"],
                    spreadsheets.IMPORT_COLUMNS["platform"],
                    spreadsheets.IMPORT_COLUMNS["department_name"],
                    pgettext_lazy("spreadsheet", "Status"),
                ),
                rows=(
                    (pk, uid, name, platforms.get(platform, platform), unit, statuses.get(status, status))
                    for pk, uid, name, platform, unit, status in rows.iterator()
                ),
                widths=(10, 22, 26, 14, 24, 10),
            )
        ],
        widths={"platform_uid": 22, "date": 12},
    )
