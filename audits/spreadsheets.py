"""A campaign's two spreadsheets: the meeting's decision list (the annex to its minutes) and the
campaign's result by department.

As with the registry's export (``registry.spreadsheets``), every text cell is written as plain
text: an account name or a note that starts like a formula must never run on the office's computer.
"""

import datetime
import io
from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter


def _cell(sheet, value, *, bold: bool = False):
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


def _workbook(
    title: str, heading: list[str], headers: Iterable, rows: Iterable[list], widths: Iterable[int]
) -> bytes:
    # write_only streams rows out instead of keeping a cell object per value in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    for line in heading:
        sheet.append([_cell(sheet, line, bold=True)])
    sheet.append([])
    sheet.append([_cell(sheet, str(header), bold=True) for header in headers])
    for row in rows:
        sheet.append(
            [_cell(sheet, value) if isinstance(value, str | datetime.date) else value for value in row]
        )
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _three_haves(inspection) -> str:
    marks = []
    for label, value in (
        (_("need"), inspection.has_need),
        (_("capacity"), inspection.has_capacity),
        (_("support"), inspection.has_support),
    ):
        marks.append(f"{label}{'✓' if value else '✗' if value is False else '?'}")
    return " ".join(marks)


def meeting_decisions_xlsx(meeting, decisions) -> bytes:
    """The decision list of ``meeting`` (``selectors.decisions_of_meeting``), one row per application."""
    headers = (
        pgettext("campaign spreadsheet", "No."),
        pgettext("campaign spreadsheet", "Host unit"),
        pgettext("campaign spreadsheet", "Account name"),
        pgettext("campaign spreadsheet", "Platform"),
        pgettext("campaign spreadsheet", "Three haves"),
        pgettext("campaign spreadsheet", "Unit's proposal"),
        pgettext("campaign spreadsheet", "Recommended"),
        pgettext("campaign spreadsheet", "Decision"),
        pgettext("campaign spreadsheet", "Merge into"),
        pgettext("campaign spreadsheet", "Deadline"),
        pgettext("campaign spreadsheet", "Note"),
    )
    rows = (
        [
            number,
            decision.self_inspection.media_account.department.name,
            decision.self_inspection.media_account.name,
            decision.self_inspection.media_account.get_platform_display(),
            _three_haves(decision.self_inspection),
            decision.self_inspection.get_proposal_display(),
            decision.get_recommended_display(),
            decision.get_outcome_display(),
            decision.merge_target.name if decision.merge_target else "",
            decision.deadline,
            decision.note,
        ]
        for number, decision in enumerate(decisions, start=1)
    )
    heading = [
        _("%(campaign)s — decisions of the review meeting of %(date)s")
        % {"campaign": meeting.campaign.name, "date": meeting.held_on.isoformat()},
        _("Attendees: %(attendees)s") % {"attendees": " ".join(meeting.attendees.split())},
    ]
    return _workbook(_("Decisions"), heading, headers, rows, (6, 24, 26, 14, 18, 10, 10, 10, 24, 12, 40))


def campaign_result_xlsx(campaign, progress, by_department) -> bytes:
    """The campaign's counts per unit (``selectors.campaign_progress_by_department``) and the total.
    The closed share is what a district reports upward: verified closures only, as the sheet says."""
    headers = (
        pgettext("campaign spreadsheet", "Host unit"),
        pgettext("campaign spreadsheet", "In scope"),
        pgettext("campaign spreadsheet", "Submitted"),
        pgettext("campaign spreadsheet", "Decided"),
        pgettext("campaign spreadsheet", "Retained"),
        pgettext("campaign spreadsheet", "Decided to close"),
        pgettext("campaign spreadsheet", "Decided to merge"),
        pgettext("campaign spreadsheet", "Returned"),
        pgettext("campaign spreadsheet", "Overdue"),
        pgettext("campaign spreadsheet", "Confirmed done by the unit"),
        pgettext("campaign spreadsheet", "Verified by the office"),
        pgettext("campaign spreadsheet", "Closed or merged (verified, %)"),
    )

    def row(name, counts):
        return [
            name,
            counts.in_scope,
            counts.submitted,
            counts.decided,
            counts.retained,
            counts.closed,
            counts.merged,
            counts.returned,
            counts.overdue,
            counts.confirmed,
            counts.verified,
            counts.closed_or_merged_percent,
        ]

    rows = [row(department.name, counts) for department, counts in by_department]
    rows.append(row(pgettext("campaign spreadsheet", "Total"), progress))
    heading = [
        _("%(campaign)s — result by department") % {"campaign": campaign.name},
        _("Closed or merged %(closed)d of %(total)d accounts (%(percent)s%%)")
        % {
            "closed": progress.closed_or_merged,
            "total": progress.in_scope,
            "percent": progress.closed_or_merged_percent,
        },
        _(
            "Counts only the closures and mergers the office has verified. Decided to close or merge: "
            "%(decided)d; confirmed done by the unit: %(confirmed)d; verified by the office: %(verified)d."
        )
        % {
            "decided": progress.decided_to_close_or_merge,
            "confirmed": progress.confirmed,
            "verified": progress.verified,
        },
    ]
    return _workbook(_("Result"), heading, headers, rows, (28, 9, 9, 9, 9, 9, 9, 9, 9, 11, 11, 16))
