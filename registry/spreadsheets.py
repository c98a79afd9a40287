"""The registration form as a spreadsheet (备案登记表): export of accounts, and reading an import file.

Exports are read by people in Excel and WPS, so every text cell that a spreadsheet would take
for a formula (``=``, ``+``, ``-``, ``@``) is written as plain text: an account name must never
run as a formula on the office's computer (CSV/formula injection).

Imports come from outside, so reading one trusts nothing: the size, the extension *and* the
content are checked, formulas are refused cell by cell, and external links are not loaded.
"""

import csv
import datetime
import io
import json
import re
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.conf import settings
from django.db import connections
from django.db.models import F, OrderBy, TextField, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, RowNumber
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from accounts import permissions
from accounts.rules import ALL
from config.xlsx import Sheet, save_xlsx
from registry.choices import AccountFunction, Employment, MediaAccountStatus, Platform
from registry.models import MediaAccount, Operator
from registry.services import IMPORT_OPERATORS, RowError, operator_cell

# Characters that make Excel, WPS or LibreOffice read a cell as a formula (OWASP adds tab and CR).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The import columns, by the field name ``media_accounts_import`` expects; exports use the same
# headers so that what the office downloads is what it can fill in and send back.
IMPORT_COLUMNS = {
    "department_code": pgettext_lazy("spreadsheet", "Unit code"),
    "department_name": pgettext_lazy("spreadsheet", "Host unit"),
    "name": pgettext_lazy("spreadsheet", "Account name"),
    "platform": pgettext_lazy("spreadsheet", "Platform"),
    "platform_uid": pgettext_lazy("spreadsheet", "Platform account ID"),
    "url": pgettext_lazy("spreadsheet", "URL"),
    "verified": pgettext_lazy("spreadsheet", "Verified"),
    "functions": pgettext_lazy("spreadsheet", "Functions"),
    "responsible_person": pgettext_lazy("spreadsheet", "Responsible person"),
    "has_interaction": pgettext_lazy("spreadsheet", "Interaction"),
    "exception_reason": pgettext_lazy("spreadsheet", "Exception reason"),
}
# Then the operators, a name, a phone and an employment each: 运维人员1姓名 … 运维人员3用工性质.
OPERATOR_HEADERS = {
    "name": pgettext_lazy("spreadsheet", "Operator {number} name"),
    "phone": pgettext_lazy("spreadsheet", "Operator {number} phone"),
    "employment": pgettext_lazy("spreadsheet", "Operator {number} employment"),
}
IMPORT_COLUMNS |= {
    operator_cell(number, cell): format_lazy(header, number=number)
    for number in range(1, IMPORT_OPERATORS + 1)
    for cell, header in OPERATOR_HEADERS.items()
}
REQUIRED_IMPORT_COLUMNS = ("department_code", "name", "platform", "platform_uid")

EXPORT_HEADERS = (
    pgettext_lazy("spreadsheet", "No."),
    IMPORT_COLUMNS["department_name"],
    IMPORT_COLUMNS["department_code"],
    IMPORT_COLUMNS["name"],
    IMPORT_COLUMNS["platform"],
    IMPORT_COLUMNS["platform_uid"],
    IMPORT_COLUMNS["url"],
    IMPORT_COLUMNS["verified"],
    pgettext_lazy("spreadsheet", "Filing number"),
    pgettext_lazy("spreadsheet", "Status"),
    IMPORT_COLUMNS["functions"],
    IMPORT_COLUMNS["responsible_person"],
    IMPORT_COLUMNS["has_interaction"],
    pgettext_lazy("spreadsheet", "Followers"),
    pgettext_lazy("spreadsheet", "Last post on"),
    pgettext_lazy("spreadsheet", "Confirmed on"),
    pgettext_lazy("spreadsheet", "Filed on"),
    pgettext_lazy("spreadsheet", "Operators"),
    IMPORT_COLUMNS["exception_reason"],
)
# The columns of EXPORT_HEADERS whose text people typed (a unit's name and code, an account's name, ID,
# address, filing number, responsible person, operators, exception reason): always text, and the only
# cells a formula can hide in. The others are numbers, dates and the site's own labels.
TYPED_COLUMNS = (1, 2, 3, 5, 6, 8, 11, 17, 18)
COLUMN_WIDTHS = (6, 24, 12, 26, 14, 22, 36, 6, 16, 10, 22, 10, 8, 10, 13, 13, 13, 30, 30)
# Rows fetched at a time; the operators come in each account's row, so an export is one query.
# The accounts come through a server-side cursor on PostgreSQL (``iterator()``), a chunk at
# a time: an export holds one chunk, whatever the rows. Outside a transaction (no ATOMIC_REQUESTS, and a
# streamed response is read after the view returns) Django declares it WITH HOLD, so the server keeps
# the result rather than a transaction staying open while a slow client downloads.
CHUNK_SIZE = 2000
EXPORT_PROGRESS_EVERY = 1000  # rows written between two reports of a built export's progress
CSV_FLUSH_ROWS = 500  # rows of CSV handed to the response at a time


# Export ------------------------------------------------------------------------------------------


def _labels(choices) -> dict[str, str]:
    # Resolved once per export: a lazy label costs a translation lookup every time it is read.
    return {code: str(label) for code, label in choices}


# The columns _export_rows reads, in the order of EXPORT_HEADERS after the number; the functions as
# JSON text, then the unit (whose operators' phones may be hidden) and the operators.
_EXPORT_COLUMNS = (
    "department__name",
    "department__code",
    "name",
    "platform",
    "platform_uid",
    "url",
    "verified",
    "filing_number",
    "status",
    "export_functions",
    "responsible_person",
    "has_interaction",
    "followers",
    "last_post_on",
    "last_confirmed_on",
    "opened_on",
    "exception_reason",
    "department_id",
    "export_operators",
)


def _operators_sql(connection) -> str:
    """An account's operators as one value of its row, in the order they were entered: each one's
    name, employment and phone (PostgreSQL: a two-dimensional text array, which the driver reads as
    lists; SQLite: JSON text, aggregated in the order of its ordered subquery, as SQLite does). Read
    with the accounts, not by a query per chunk of them; the accounts' table is the queryset's own,
    under its name."""
    account = connection.ops.quote_name(MediaAccount._meta.db_table)
    operator = connection.ops.quote_name(Operator._meta.db_table)
    where = f"FROM {operator} o WHERE o.media_account_id = {account}.id ORDER BY o.id"
    if connection.vendor == "postgresql":
        return f"ARRAY(SELECT ARRAY[o.name, o.employment, o.phone] {where})"
    return f"(SELECT json_group_array(json_array(name, employment, phone)) FROM (SELECT o.* {where}))"


def _export_rows(queryset, user) -> Iterator[list]:
    """The rows of the registration form: plain values, from one query read a chunk at a time.
    Operators' phones only where ``user`` may see them, asked once per unit and export."""
    platforms = _labels(Platform.choices)
    statuses = _labels(MediaAccountStatus.choices)
    employment = _labels(Employment.choices)
    yes, no = _("Yes"), _("No")
    connection = connections[queryset.db]
    text = connection.vendor != "postgresql"
    # The functions as their JSON text: an account has one of a few lists, each read and labelled once.
    functions_cells = _FunctionsCells(_labels(AccountFunction.choices))
    rows = (
        queryset.annotate(
            export_functions=Cast("functions", TextField()),
            export_operators=RawSQL(_operators_sql(connection), (), output_field=TextField()),
        )
        .values_list(*_EXPORT_COLUMNS)
        .iterator(chunk_size=CHUNK_SIZE)
    )
    phones: dict[int, bool] = {}
    for number, row in enumerate(rows, start=1):
        (unit, code, name, platform, uid, url, verified, filing_number, status, chosen, person) = row[:11]
        (interaction, followers, last_post, confirmed, opened, exception, department_id, operators) = row[11:]
        if operators and text:
            operators = json.loads(operators)
        if operators:
            if department_id not in phones:
                phones[department_id] = permissions.can_see_operator_phones(user, department_id)
            shown = phones[department_id]
            operators = "；".join(
                f"{who}（{employment.get(kind, kind)}{f'，{phone}' if phone and shown else ''}）"
                for who, kind, phone in operators
            )
        yield [
            number,
            unit,
            code,
            name,
            platforms.get(platform, platform),
            uid,
            url,
            yes if verified else no,
            filing_number or "",
            statuses.get(status, status),
            functions_cells[chosen],
            person,
            yes if interaction else no,
            followers,
            last_post,
            confirmed,
            opened,
            operators or "",
            exception,
        ]


class _FunctionsCells(dict):
    """An account's functions (their JSON text) → the cell listing their labels, built once per list."""

    def __init__(self, labels: dict[str, str]):
        super().__init__()
        self.labels = labels

    def __missing__(self, chosen: str | None) -> str:
        items = json.loads(chosen) if chosen else ()
        cell = self[chosen] = "、".join(self.labels.get(item, item) for item in items or ())
        return cell


def _is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def write_media_accounts_xlsx(
    queryset, file: BinaryIO, *, user, progress: Callable[[int], None] | None = None
) -> int:
    """The accounts of ``queryset`` (already scoped and filtered) as the 备案登记表 in .xlsx, for
    ``user``, written into ``file``; ``progress`` hears the rows written every
    ``EXPORT_PROGRESS_EVERY`` rows and at the end. The rows written."""
    written = 0

    def rows() -> Iterator[list]:
        nonlocal written
        for row in _export_rows(queryset, user):
            yield row
            written += 1
            if progress and written % EXPORT_PROGRESS_EVERY == 0:
                progress(written)

    save_xlsx(file, Sheet(_("Media accounts"), EXPORT_HEADERS, rows(), COLUMN_WIDTHS, freeze_header=True))
    if progress:
        progress(written)
    return written


def media_accounts_xlsx(queryset, *, user) -> bytes:
    """The 备案登记表 of ``queryset`` as bytes, for a short list: see ``write_media_accounts_xlsx``."""
    output = io.BytesIO()
    write_media_accounts_xlsx(queryset, output, user=user)
    return output.getvalue()


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    value = str(value)
    # A leading quote is how spreadsheets themselves mark "this is text, not a formula".
    return "'" + value if _is_formula_like(value) else value


def iter_media_accounts_csv(queryset, *, user) -> Iterator[bytes]:
    """The CSV export in chunks, for a streaming response: UTF-8 with a BOM so Excel reads Chinese.

    On PostgreSQL the database writes the rows itself (``copied_csv_rows``); elsewhere Python's csv
    module does (``written_csv_rows``). Both give the same bytes (tests/registry/test_exports.py)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=CSV_LINE_END).writerow([str(header) for header in EXPORT_HEADERS])
    yield "\ufeff".encode() + buffer.getvalue().encode()
    if connections[queryset.db].vendor == "postgresql":
        yield from copied_csv_rows(queryset, user=user)
    else:
        yield from written_csv_rows(queryset, user=user)


CSV_LINE_END = "\n"  # as COPY ends a line; spreadsheets read either


def _export_ordering(queryset) -> list[str]:
    # One row order for both writers, the same on every run: the list's own, then the account's id.
    return [*(queryset.query.order_by or queryset.model._meta.ordering), "pk"]


def written_csv_rows(queryset, *, user) -> Iterator[bytes]:
    """The rows of the CSV export (no header) written by Python's csv module, a chunk at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=CSV_LINE_END)

    def flush() -> bytes:
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return data.encode()

    queryset = queryset.order_by(*_export_ordering(queryset))
    for count, row in enumerate(_export_rows(queryset, user), start=1):
        # csv writes None as empty and a date as ISO already; only what people typed needs the
        # formula check, and checking those cells alone halves the export's time (docs/benchmarks.md).
        for index in TYPED_COLUMNS:
            value = row[index]
            if value.startswith(FORMULA_STARTS):
                row[index] = "'" + value
        writer.writerow(row)
        if count % CSV_FLUSH_ROWS == 0:
            yield flush()
    yield flush()


# The account's own columns the database's CSV reads, beside its unit's name and code.
_COPIED_FIELDS = (
    *("name", "platform", "platform_uid", "url", "verified", "filing_number", "status", "functions"),
    *("responsible_person", "has_interaction", "followers", "last_post_on", "last_confirmed_on"),
    *("opened_on", "exception_reason", "department_id"),
)
# A cell people typed that starts like a formula (FORMULA_STARTS), as a PostgreSQL pattern.
_FORMULA_PATTERN = "^[=+@\t\r-]"
COPY_READ_BYTES = 1 << 16  # bytes of CSV handed to the response at a time


def copied_csv_rows(queryset, *, user) -> Iterator[bytes]:
    """PostgreSQL: ``written_csv_rows``, written by the database itself (``COPY … TO STDOUT``):
    the labels, the operators and the formula guard in the statement, an empty text as no value
    (which COPY leaves unquoted, as the csv module does). psycopg2 copies into a file: a temporary
    one, streamed from there, so memory stays flat whatever the rows."""
    connection = connections[queryset.db]
    quote = connection.ops.quote_name
    params: dict[str, object] = {}

    def value(item) -> str:
        name = f"p{len(params)}"
        params[name] = item
        return f"%({name})s"

    def guarded(column: str) -> str:
        pattern = value(_FORMULA_PATTERN)
        return f"NULLIF(CASE WHEN {column} ~ {pattern} THEN chr(39) || {column} ELSE {column} END, '')"

    def labelled(column: str, choices) -> str:
        cases = " ".join(
            f"WHEN {value(code)} THEN {value(label)}" for code, label in _labels(choices).items()
        )
        return f"CASE {column} {cases} ELSE {column} END"

    def yes_no(column: str) -> str:
        return f"CASE WHEN {column} THEN {value(str(_('Yes')))} ELSE {value(str(_('No')))} END"

    def day(column: str) -> str:
        return f"to_char({column}, 'YYYY-MM-DD')"

    phones = permissions.operator_phone_department_ids(user)
    if phones is ALL:
        shown = "TRUE"
    else:
        shown = f"a.department_id = ANY({value('{' + ','.join(map(str, phones)) + '}')}::bigint[])"
    operators = (
        f"(SELECT string_agg(o.name || '（' || {labelled('o.employment', Employment.choices)}"
        f" || CASE WHEN o.phone <> '' AND {shown} THEN '，' || o.phone ELSE '' END || '）',"
        " '；' ORDER BY o.id)"
        f" FROM {quote(Operator._meta.db_table)} o WHERE o.media_account_id = a.id)"
    )
    functions = (
        f"(SELECT string_agg({labelled('f.code', AccountFunction.choices)}, '、' ORDER BY f.n)"
        " FROM jsonb_array_elements_text(a.functions) WITH ORDINALITY f(code, n))"
    )
    cells = [
        "a.export_number",
        guarded("a.unit"),
        guarded("a.unit_code"),
        guarded("a.name"),
        labelled("a.platform", Platform.choices),
        guarded("a.platform_uid"),
        guarded("a.url"),
        yes_no("a.verified"),
        guarded("a.filing_number"),
        labelled("a.status", MediaAccountStatus.choices),
        "NULLIF(x.functions, '')",
        guarded("a.responsible_person"),
        yes_no("a.has_interaction"),
        "a.followers",
        day("a.last_post_on"),
        day("a.last_confirmed_on"),
        day("a.opened_on"),
        guarded("x.operators"),
        guarded("a.exception_reason"),
    ]
    # The accounts and their order are the queryset's: its scope, its filters, its ordering.
    order = [
        OrderBy(F(name[1:]), descending=True) if name[0] == "-" else OrderBy(F(name))
        for name in _export_ordering(queryset)
    ]
    columns = {
        "pk": "id",
        "export_number": "export_number",
        "department__name": "unit",
        "department__code": "unit_code",
        **{name: name for name in _COPIED_FIELDS},
    }
    numbered = queryset.annotate(export_number=Window(RowNumber(), order_by=order)).values_list(*columns)
    with connection.cursor() as cursor:
        inner = cursor.cursor.mogrify(*numbered.query.sql_with_params()).decode().replace("%", "%%")
    sql = (
        f"SELECT {', '.join(cells)} FROM ({inner}) a ({', '.join(columns.values())})"
        # OFFSET 0 keeps the planner from inlining the operators' aggregate into every place the
        # guard names it (it would run three times a row).
        f" CROSS JOIN LATERAL (SELECT {operators} AS operators, {functions} AS functions OFFSET 0) x"
        " ORDER BY a.export_number"
    )
    with tempfile.SpooledTemporaryFile(max_size=COPY_READ_BYTES * 16) as spool:
        with connection.cursor() as cursor:
            # COPY takes no parameters: the statement is given them by the driver, quoted as it would.
            copy = f"COPY ({cursor.cursor.mogrify(sql, params).decode()}) TO STDOUT WITH (FORMAT csv)"
            started = time.monotonic()
            cursor.cursor.copy_expert(copy, spool)
            if connection.queries_logged:
                # Django logs only what its cursor executes: the log (DEBUG, the tests' and the
                # benchmark's statement counts) hears of the COPY as of any other statement.
                connection.queries_log.append({"sql": copy, "time": f"{time.monotonic() - started:.3f}"})
        spool.seek(0)
        while chunk := spool.read(COPY_READ_BYTES):
            yield chunk


def media_accounts_csv(queryset, *, user) -> bytes:
    """The accounts of ``queryset`` (already scoped and filtered) as CSV in UTF-8 with a BOM, for ``user``."""
    return b"".join(iter_media_accounts_csv(queryset, user=user))


# Import ------------------------------------------------------------------------------------------

# The limits of every spreadsheet upload, whatever it imports: each is read through ``records()``.
IMPORT_EXTENSIONS = (".xlsx", ".csv")
MAX_IMPORT_ROWS = 10_000
# Rows are counted as they stand in the file, blank ones included, before any is skipped: a blank
# row costs as much to read as a full one, and 3.3 million empty <row/> weigh 33 KB zipped.
MAX_SHEET_ROWS = 1 + MAX_IMPORT_ROWS  # the header and the rows under it
# 10,000 rows of the registration form with every column filled and three operators unpack to
# 13.5 MB (openpyxl's own workbook; Excel's shared strings make it smaller): three times that.
MAX_UNPACKED_BYTES = 40 * 2**20
# Reading the full sheet of 10,000 rows above costs 2.5 to 4 s of CPU; the rest is headroom.
DEFAULT_CPU_SECONDS = 20
# Reading the full sheet above adds some tens of MB (its rows, kept to be checked); a gigabyte is headroom.
DEFAULT_MEMORY_BYTES = 1 << 30
PROGRESS_EVERY = 500  # rows read between two reports of an import's progress


class SpreadsheetRejected(Exception):
    """The file as a whole cannot be read as an import (wrong type, too large, missing columns)."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@dataclass
class ImportSheet:
    """An uploaded file read as rows of field → cell text, with the cell problems found while reading."""

    columns: list[str]
    rows: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def import_max_bytes() -> int:
    return getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", 5 * 1024 * 1024)


def import_cpu_seconds() -> int:
    """How much CPU time reading one upload may take (``registry.reading``)."""
    return getattr(settings, "REGISTRY_IMPORT_CPU_SECONDS", DEFAULT_CPU_SECONDS)


def import_memory_bytes() -> int:
    """How much memory reading one upload may take beyond the worker's own (``registry.reading``)."""
    return getattr(settings, "REGISTRY_IMPORT_MEMORY_BYTES", DEFAULT_MEMORY_BYTES)


def import_extension(filename: str) -> str:
    """The file's extension if it is one we import, else a ``SpreadsheetRejected``."""
    extension = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in IMPORT_EXTENSIONS:
        raise SpreadsheetRejected(_("Upload an .xlsx or .csv file."))
    return extension


def check_import_size(size: int) -> None:
    limit = import_max_bytes()
    if size > limit:
        raise SpreadsheetRejected(_("The file is larger than %(limit)s.") % {"limit": filesizeformat(limit)})


def column_label(field_name: str) -> str:
    """The header a person sees for a field, to name the column of a bad cell."""
    return str(IMPORT_COLUMNS.get(field_name, field_name)) if field_name else "—"


def normalised_header(header) -> str:
    return "".join(str(header or "").split()).lower()


def _header_fields() -> dict[str, str]:
    # A header is accepted in any of the site's languages, or as the field name itself.
    known = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for name, label in IMPORT_COLUMNS.items():
                known.setdefault(normalised_header(label), name)
    for name in IMPORT_COLUMNS:
        known.setdefault(normalised_header(name), name)
    return known


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _formula_error(row: int, field_name: str, header: str) -> RowError:
    return RowError(
        row=row,
        field=field_name or header,
        message=_("A formula is not accepted: enter the value itself."),
    )


def _sheet(records: Iterable[tuple[int, list[tuple[object, bool]]]]) -> ImportSheet:
    """Rows of (value, is_formula) cells with their row numbers → an ``ImportSheet``."""
    known = _header_fields()
    columns: list[str | None] = []
    headers: list[str] = []
    sheet = None
    for number, cells in records:
        if sheet is None:
            if not any(cell_text(value) for value, _formula in cells):
                continue  # blank lines above the header
            headers = [cell_text(value) for value, _formula in cells]
            columns = [known.get(normalised_header(header)) for header in headers]
            missing = [name for name in REQUIRED_IMPORT_COLUMNS if name not in columns]
            if missing:
                raise SpreadsheetRejected(
                    _("The file has no column %(columns)s. Start from the template.")
                    % {"columns": "、".join(f"“{column_label(name)}”" for name in missing)}
                )
            sheet = ImportSheet(columns=[name for name in columns if name])
            continue
        row = {"row": number}
        for index, (value, is_formula) in enumerate(cells):
            name = columns[index] if index < len(columns) else None
            if is_formula:
                header = headers[index] if index < len(headers) else get_column_letter(index + 1)
                sheet.errors.append(_formula_error(number, name or "", header))
            if name and name not in row:
                row[name] = cell_text(value)
        if len(row) == 1 or not any(row[name] for name in row if name != "row"):
            if not any(error.row == number for error in sheet.errors):
                continue  # a blank line
        if row.get("platform_uid") == EXAMPLE_PLATFORM_UID:
            sheet.errors.append(example_error(number))
        sheet.rows.append(row)
    if sheet is None:
        raise SpreadsheetRejected(_("The file is empty."))
    if not sheet.rows:
        raise SpreadsheetRejected(
            _(
                "The file has no accounts to import: fill in one account per row under the header of the "
                "first sheet (the example in “Instructions” is not imported)."
            )
        )
    return sheet


def xlsx_records(data: bytes) -> Iterator[tuple[int, list[tuple[object, bool]]]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise SpreadsheetRejected(_("The file is not an Excel workbook (.xlsx).")) from None
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise SpreadsheetRejected(_("The file is not an Excel workbook (.xlsx)."))
    if "xl/vbaProject.bin" in names:
        raise SpreadsheetRejected(_("The workbook contains macros; save it as a plain .xlsx."))
    # The sizes are the archive's word, but zipfile never unpacks a member beyond its stated size.
    if unpacked > MAX_UNPACKED_BYTES:
        raise SpreadsheetRejected(_("The workbook unpacks to too much data."))
    # Opening a workbook, openpyxl looks through every row of every sheet for a <dimension>: the
    # rows are counted in every part before openpyxl reads any.
    for name in names:
        if name.endswith(".xml"):
            _count_rows(archive, name)
    try:
        # keep_links=False: links to other workbooks are neither followed nor kept.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    except MemoryError:
        raise  # the reading's budget (registry.reading), not a damaged file
    except Exception:  # openpyxl raises many kinds on a damaged file; all mean the same to the user
        raise SpreadsheetRejected(_("The workbook cannot be read; save it again as .xlsx.")) from None
    try:
        worksheet = workbook.worksheets[0]
        number = 0
        for cells in worksheet.iter_rows():
            number = next((cell.row for cell in cells if getattr(cell, "row", None)), number + 1)
            yield number, [(cell.value, cell.data_type == "f") for cell in cells]
    finally:
        workbook.close()


# A row element, with or without a namespace prefix (<row …>, <x:row/>).
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")


def _count_rows(archive: zipfile.ZipFile, path: str) -> None:
    """Refuse a part of more than ``MAX_SHEET_ROWS`` <row> elements, counted in its unpacked XML."""
    count, tail = 0, b""
    with archive.open(path) as part:
        while chunk := part.read(1 << 20):
            text = tail + chunk
            # The text from the last "<" on may hold a tag cut in two: it is counted with the next chunk.
            cut = text.rfind(b"<")
            cut = len(text) if cut == -1 else cut
            count += len(ROW_TAG.findall(text, 0, cut))
            tail = text[cut:]
            if count > MAX_SHEET_ROWS:
                raise too_many_rows()
    count += len(ROW_TAG.findall(tail))
    if count > MAX_SHEET_ROWS:
        raise too_many_rows()


def too_many_rows() -> SpreadsheetRejected:
    return SpreadsheetRejected(
        _(
            "The file has more than %(count)s rows under its header, blank ones included: split it, "
            "or delete the empty rows below the last one filled in."
        )
        % {"count": f"{MAX_IMPORT_ROWS:,}"}
    )


def csv_records(data: bytes) -> Iterator[tuple[int, list[tuple[object, bool]]]]:
    if b"\x00" in data:
        raise SpreadsheetRejected(_("The file is not a CSV text file."))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SpreadsheetRejected(_("The CSV file is neither UTF-8 nor GB18030 text."))
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, [_csv_import_cell(cell) for cell in cells]
    except csv.Error:
        raise SpreadsheetRejected(_("The CSV file cannot be read.")) from None


def _csv_import_cell(text: str) -> tuple[str, bool]:
    # Our own export writes '=… for text that looks like a formula; read it back as the text.
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:], False
    return text, text.startswith("=")


def records(data: bytes, *, extension: str, progress=None) -> Iterator[tuple[int, list[tuple[object, bool]]]]:
    """The rows of an upload as (row number, [(value, is_formula)…]), within every import's limits.

    Every import reads its file through here, so the limits hold for all of them: the size, the
    type, the unpacked size, and ``MAX_SHEET_ROWS`` counted before blank rows are skipped.
    ``progress(rows read)`` is told every ``PROGRESS_EVERY`` rows and at the end.
    """
    check_import_size(len(data))
    rows = xlsx_records(data) if extension == ".xlsx" else csv_records(data)
    count = 0
    for count, record in enumerate(rows, start=1):
        if count > MAX_SHEET_ROWS:
            raise too_many_rows()
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
        yield record
    if progress:
        progress(count)


def read_form(
    data: bytes,
    *,
    extension: str,
    columns: dict[str, object],
    required: tuple[str, ...],
    account: tuple[str, str] = ("media_account", "platform_uid"),
    progress=None,
) -> ImportSheet:
    """An uploaded form of rows (daily figures, posts) as rows of field → cell text, within every
    import's limits (:func:`records`). ``columns`` maps each field to its header, read in any of the
    site's languages or as the field's name; the header must have the ``required`` columns and one of
    the ``account`` columns. A formula cell, and the template's example row, are errors of their row;
    blank lines are skipped. A file that cannot be read raises ``SpreadsheetRejected``."""
    known = {}
    for code, _language in settings.LANGUAGES:
        with translation.override(code):
            for name, label in columns.items():
                known.setdefault(normalised_header(label), name)
    for name in columns:
        known.setdefault(normalised_header(name), name)
    sheet, fields = None, []
    for number, cells in records(data, extension=extension, progress=progress):
        texts = [cell_text(value) for value, _formula in cells]
        if sheet is None:
            if not any(texts):
                continue  # blank lines above the header
            fields = [known.get(normalised_header(text)) for text in texts]
            missing = [name for name in required if name not in fields]
            if not set(account) & set(fields):
                missing.insert(0, account[0])
            if missing:
                raise SpreadsheetRejected(
                    _("The file has no column %(columns)s. Start from the template.")
                    % {"columns": "、".join(f"“{columns.get(name, name)}”" for name in missing)}
                )
            sheet = ImportSheet(columns=[name for name in fields if name])
            continue
        row: dict[str, Any] = {"row": number}
        for index, (_value, is_formula) in enumerate(cells):
            name = fields[index] if index < len(fields) else None
            if name and is_formula:
                sheet.errors.append(_formula_error(number, name, name))
            if name and name not in row:
                row[name] = texts[index]
        if not any(row.get(name) for name in sheet.columns):
            continue  # a blank line
        if row.get("platform_uid") == EXAMPLE_PLATFORM_UID:
            sheet.errors.append(example_error(number))
        sheet.rows.append(row)
    if sheet is None:
        raise SpreadsheetRejected(_("The file is empty."))
    return sheet


def read_import(data: bytes, *, extension: str, progress=None) -> ImportSheet:
    """Read an uploaded .xlsx or .csv into rows for ``media_accounts_import``.

    The content must match the extension; a file that cannot be read at all raises
    ``SpreadsheetRejected``, while bad cells (formulas) are listed in ``errors`` by row and column.
    """
    return _sheet(records(data, extension=extension, progress=progress))


# The template ----------------------------------------------------------------------------------

# The example's platform ID. The example sits on the instructions sheet, which is never read; a row
# with this ID is refused wherever it is left (templates downloaded before had it in the form itself).
EXAMPLE_PLATFORM_UID = "gh_0123456789ab"
# Rows of the form that offer the lists (units, platforms, yes/no, employment) to choose from.
TEMPLATE_ROWS = 1000
BOLD = Font(bold=True)


def example_error(row: int) -> RowError:
    return RowError(
        row=row,
        field="platform_uid",
        message=_(
            "This is the template's example, which cannot be imported: delete the row and fill in "
            "real accounts."
        ),
    )


def _example() -> dict[str, str]:
    return {
        "department_code": "edu",
        "department_name": _("District Education Bureau"),
        "name": _("Xincheng Education"),
        "platform": str(Platform.WECHAT_OFFICIAL.label),
        "platform_uid": EXAMPLE_PLATFORM_UID,
        "url": "https://mp.weixin.qq.com/",
        "verified": _("Yes"),
        "functions": "、".join(str(label) for label in AccountFunction.labels[:2]),
        "responsible_person": _("Zhang San"),
        "has_interaction": _("Yes"),
        "exception_reason": "",
        operator_cell(1, "name"): _("Li Si"),
        operator_cell(1, "phone"): "13800000000",
        operator_cell(1, "employment"): str(Employment.STAFF.label),
    }


def _guide() -> list[tuple[str, bool, str]]:
    """(field, required, how to fill it in) for the instructions sheet, the first operator's columns
    standing for all of them."""
    platforms = "、".join(str(label) for label in Platform.labels)
    return [
        ("department_code", True, _("Choose the code of the unit that runs the account from “Unit codes”.")),
        ("department_name", False, _("For checking only: the unit code decides.")),
        ("name", True, _("The account's name as the platform shows it.")),
        ("platform", True, _("Choose from the list: %(platforms)s.") % {"platforms": platforms}),
        (
            "platform_uid",
            True,
            _(
                "The account's own ID on the platform, such as a WeChat account's original ID (starting "
                "with gh_) or a Weibo UID; it must not be registered yet."
            ),
        ),
        ("url", False, _("The account's home page or download address, starting with http:// or https://.")),
        ("verified", False, _("Whether the platform has verified the account: yes or no; empty means no.")),
        (
            "functions",
            False,
            _("One or more of %(functions)s, separated by 、.")
            % {"functions": "、".join(str(label) for label in AccountFunction.labels)},
        ),
        ("responsible_person", False, _("The name of the account's first responsible person.")),
        (
            "has_interaction",
            False,
            _("Whether the public can leave messages or write to the account: yes or no; empty means yes."),
        ),
        (
            "exception_reason",
            False,
            _("A township or street office in principle opens no account: give the reason for an exception."),
        ),
        (
            operator_cell(1, "name"),
            False,
            _(
                "The name of a person who runs the account day to day. Up to %(count)s operators per "
                "account; the columns of operators 2 and 3 are filled in the same way."
            )
            % {"count": IMPORT_OPERATORS},
        ),
        (operator_cell(1, "phone"), False, _("The operator's phone number (may be left empty).")),
        (
            operator_cell(1, "employment"),
            False,
            _("Required with a name; choose from the list: %(choices)s.")
            % {"choices": "、".join(str(label) for label in Employment.labels)},
        ),
    ]


def _append(sheet, values, *, bold: bool = False) -> None:
    sheet.append([str(value) if isinstance(value, Promise) else value for value in values])
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"  # text, even where it looks like a formula (a unit named "=…")
        if bold:
            cell.font = BOLD


def listed(labels) -> str:
    """A cell's list of choices (a data validation's formula), from labels."""
    return '"' + ",".join(str(label) for label in labels) + '"'


def sheet_range(title: str, rows: int) -> str:
    """A list of choices read from the first column of another sheet, under its header."""
    return f"'{title}'!$A$2:$A${rows + 1}"


@dataclass
class ReferenceSheet:
    """A sheet the person filling in the form looks things up in: the unit codes, the accounts."""

    title: str
    headers: tuple
    rows: Iterable[tuple]
    widths: tuple[int, ...]


def template_xlsx(
    *,
    title: str,
    columns: dict[str, object],
    guide: Iterable[tuple[str, bool, str]],
    example: dict[str, object],
    choices: dict[str, tuple[str, str]],
    references: Iterable[ReferenceSheet] = (),
    widths: dict[str, int] | None = None,
) -> bytes:
    """An import template that cannot mislead: the form (the first sheet, the only one read) has
    its headers over empty rows, whose cells offer ``choices`` (field → (list formula, message on a
    wrong value)); the instructions sheet says how to fill in each column (``guide``: field,
    required, how) and shows ``example`` under the form's headers, apart from the form so that it is
    never imported; then the ``references``."""
    workbook = Workbook()
    form = workbook.active
    form.title = title
    _append(form, columns.values(), bold=True)
    form.freeze_panes = "A2"
    for index, name in enumerate(columns, start=1):
        letter = get_column_letter(index)
        form.column_dimensions[letter].width = (widths or {}).get(name, 14)
        if name in choices:
            formula, message = choices[name]
            validation = DataValidation(
                type="list", formula1=formula, allow_blank=True, showErrorMessage=True, error=str(message)
            )
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            form.add_data_validation(validation)

    instructions = workbook.create_sheet(_("Instructions"))
    _append(instructions, (_("Column"), _("Required"), _("How to fill it in")), bold=True)
    for name, required, how in guide:
        _append(instructions, (columns[name], _("Required") if required else _("Optional"), how))
    _append(instructions, ())
    _append(
        instructions,
        (_("Example (for reference only: it is not imported; do not copy it into the form)"),),
        bold=True,
    )
    _append(instructions, columns.values(), bold=True)
    _append(instructions, (example.get(name) for name in columns))
    for letter, width in (("A", 22), ("B", 10), ("C", 90)):
        instructions.column_dimensions[letter].width = width

    for reference in references:
        sheet = workbook.create_sheet(reference.title)
        _append(sheet, reference.headers, bold=True)
        for row in reference.rows:
            _append(sheet, row)
        sheet.freeze_panes = "A2"
        for index, width in enumerate(reference.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def import_template_xlsx(departments) -> bytes:
    """The registration form to fill in, with its instructions and example, and the codes of
    ``departments``, the units the user may register accounts for."""
    units = list(departments.select_related("parent").order_by("order_key"))
    units_title = _("Unit codes")
    choose = _("Choose from the list.")
    choices = {
        "platform": (listed(Platform.labels), choose),
        "verified": (listed((_("Yes"), _("No"))), choose),
        "has_interaction": (listed((_("Yes"), _("No"))), choose),
    }
    choices |= {
        operator_cell(number, "employment"): (listed(Employment.labels), choose)
        for number in range(1, IMPORT_OPERATORS + 1)
    }
    if units:
        choices["department_code"] = (
            sheet_range(units_title, len(units)),
            _("Choose a code from “Unit codes”."),
        )
    return template_xlsx(
        title=_("Registration form"),
        columns=IMPORT_COLUMNS,
        guide=_guide(),
        example=_example(),
        choices=choices,
        references=[
            ReferenceSheet(
                title=units_title,
                headers=(_("Unit code"), _("Unit name"), _("Unit kind"), _("Parent unit")),
                rows=(
                    (unit.code, unit.name, unit.get_kind_display(), unit.parent.name if unit.parent else None)
                    for unit in units
                ),
                widths=(14, 30, 16, 30),
            )
        ],
        widths={"department_name": 20, "name": 20, "platform_uid": 20, "url": 30, "functions": 20},
    )
