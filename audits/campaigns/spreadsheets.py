"""A campaign's two spreadsheets: the meeting's decision list (the annex to its minutes) and the
campaign's result by department.

``config.xlsx`` writes them, every text as plain text.
"""

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config.xlsx import Sheet, write_xlsx


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
    return write_xlsx(
        Sheet(_("Decisions"), headers, rows, (6, 24, 26, 14, 18, 10, 10, 10, 24, 12, 40), heading=heading)
    )


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
    return write_xlsx(
        Sheet(_("Result"), headers, rows, (28, 9, 9, 9, 9, 9, 9, 9, 9, 11, 11, 16), heading=heading)
    )
