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
from collections.abc import Iterable, Iterator

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from registry.choices import AccountFunction
from registry.models import Operator

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
COLUMN_WIDTHS = (6, 24, 12, 26, 14, 22, 36, 6, 16, 10, 22, 10, 8, 10, 13, 13, 13, 30, 30)
# Rows fetched per query; operators are prefetched per chunk, so a 10,000-row export is a handful of queries.
CHUNK_SIZE = 2000


# Export ------------------------------------------------------------------------------------------


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _operators_text(operators: Iterable[Operator]) -> str:
    return "；".join(
        f"{operator.name}（{operator.get_employment_display()}"
        + (f"，{operator.phone}" if operator.phone else "")
        + "）"
        for operator in operators
    )


def _export_rows(queryset) -> Iterator[list]:
    function_labels = dict(AccountFunction.choices)
    accounts = queryset.select_related("department").prefetch_related(
        Prefetch("operators", queryset=Operator.objects.order_by("pk"))
    )
    for number, account in enumerate(accounts.iterator(chunk_size=CHUNK_SIZE), start=1):
        yield [
            number,
            account.department.name,
            account.department.code,
            account.name,
            account.get_platform_display(),
            account.platform_uid,
            account.url,
            _yes_no(account.verified),
            account.filing_number or "",
            account.get_status_display(),
            "、".join(str(function_labels.get(code, code)) for code in account.functions),
            account.responsible_person,
            _yes_no(account.has_interaction),
            account.followers,
            account.last_post_on,
            account.last_confirmed_on,
            account.opened_on,
            _operators_text(account.operators.all()),
            account.exception_reason,
        ]


def _is_formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def _write_only_cell(sheet, value):
    if value is None or value == "":
        return None
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl stores a str starting with "=" as a formula; force the plain-string type.
        cell.data_type = "s"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


def _xlsx(headers: Iterable, rows: Iterable[list], *, title: str, widths: Iterable[int] = ()) -> bytes:
    # write_only streams rows to the file instead of holding a cell object per value in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=str(header))
        cell.font = bold
        cell.data_type = "s"
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append(
            [
                _write_only_cell(sheet, value) if isinstance(value, str | datetime.date) else value
                for value in row
            ]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def media_accounts_xlsx(queryset) -> bytes:
    """The accounts of ``queryset`` (already scoped and filtered) as the 备案登记表 in .xlsx."""
    return _xlsx(EXPORT_HEADERS, _export_rows(queryset), title=_("Media accounts"), widths=COLUMN_WIDTHS)


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    value = str(value)
    # A leading quote is how spreadsheets themselves mark "this is text, not a formula".
    return "'" + value if _is_formula_like(value) else value


def iter_media_accounts_csv(queryset) -> Iterator[bytes]:
    """The CSV export in chunks, for a streaming response: UTF-8 with a BOM so Excel reads Chinese."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> bytes:
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return data.encode()

    writer.writerow([str(header) for header in EXPORT_HEADERS])
    yield "\ufeff".encode() + flush()
    for count, row in enumerate(_export_rows(queryset), start=1):
        writer.writerow([_csv_cell(value) for value in row])
        if count % 500 == 0:
            yield flush()
    yield flush()


def media_accounts_csv(queryset) -> bytes:
    """The accounts of ``queryset`` (already scoped and filtered) as CSV in UTF-8 with a BOM."""
    return b"".join(iter_media_accounts_csv(queryset))
