"""The one writer of the site's .xlsx downloads: the registry's export, the trail's, a campaign's
and an inspection run's sheets, the weekly ranking.

Every text cell is written as plain text: an account name or a note that starts like a formula
must never run on the office's computer.
"""

import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Sheet:
    """One sheet: bold ``heading`` lines and a blank row above a table of ``headers`` and ``rows``."""

    title: str
    headers: Iterable
    rows: Iterable[Iterable]
    widths: Iterable[int] = ()
    heading: Iterable[str] = ()
    freeze_header: bool = False  # the header row stays in sight while the table scrolls


def cell(sheet, value, *, bold: bool = False):
    if value is None or value == "":
        return None
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl would store a str starting with "=" as a formula; force the plain-string type.
        cell.data_type = "s"
    elif isinstance(value, datetime.date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = Font(bold=True)
    return cell


def _needs_cell(value) -> bool:
    # Only what openpyxl would misread needs a cell object of its own (text that starts with "=" is
    # a formula to it, a datetime would show its time); the rest is written as it is, which keeps a
    # long export fast.
    return isinstance(value, datetime.date) or (isinstance(value, str) and value.startswith("="))


def write_xlsx(*sheets: Sheet) -> bytes:
    """The workbook as bytes, for the small sheets (a campaign's result, a ranking)."""
    output = io.BytesIO()
    save_xlsx(output, *sheets)
    return output.getvalue()


def save_xlsx(file: BinaryIO, *sheets: Sheet) -> None:
    """The workbook written into ``file`` (a temporary file, for a long export): its rows are read
    one by one from each sheet's iterable and never held together."""
    # write_only streams rows out (into a temporary file per sheet) instead of keeping a cell object
    # per value in memory; save() then zips them into ``file``.
    workbook = Workbook(write_only=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        for index, width in enumerate(spec.widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        heading = list(spec.heading)
        if spec.freeze_header:
            sheet.freeze_panes = f"A{len(heading) + 2 if heading else 2}"
        for line in heading:
            sheet.append([cell(sheet, line, bold=True)])
        if heading:
            sheet.append([])
        sheet.append([cell(sheet, str(header), bold=True) for header in spec.headers])
        for row in spec.rows:
            sheet.append([cell(sheet, value) if _needs_cell(value) else value for value in row])
    workbook.save(file)
