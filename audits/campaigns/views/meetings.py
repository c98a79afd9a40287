"""Step 2 — 集中研究审议: the review meeting and its decision sheet.

The sheet lists every application awaiting a decision, each row pre-filled with the
recommendation; the reviewer changes a few and submits one form, which ``decisions_make``
records all together or not at all.
"""

import re
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import sees_everything
from accounts.rules import authorize
from audits.campaigns import services, spreadsheets
from audits.campaigns.choices import Outcome, SelfInspectionStatus
from audits.campaigns.forms import DecisionFormSet, MeetingForm
from audits.campaigns.models import ReviewMeeting, SelfInspection
from audits.campaigns.selectors import (
    Recommendation,
    decisions_of_meeting,
    recommendations_for,
    with_account_findings,
)
from audits.campaigns.states import CAMPAIGN
from audits.campaigns.views.common import PAGE_SIZE, get_campaign_or_404, refuse
from config.downloads import download, xlsx_response
from config.errors import InvalidTransition
from config.forms import add_service_errors
from config.ids import parse_id
from config.states import available


def _meeting_or_404(request, pk: int) -> ReviewMeeting:
    # Meetings are the office's own record (units learn the decisions on their applications),
    # so for a unit they do not exist.
    if not sees_everything(request.user):
        raise Http404
    return get_object_or_404(ReviewMeeting.objects.select_related("campaign", "created_by"), pk=pk)


@login_required
def meeting_create(request, pk: int):
    campaign = get_campaign_or_404(request.user, pk)
    authorize(request.user, CAMPAIGN["record_meeting"].permission, campaign)
    form = MeetingForm(request.POST or None, initial={"held_on": timezone.localdate()})
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(actor=request.user, campaign=campaign, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except InvalidTransition as error:
            status = refuse(request, error)
        else:
            messages.success(request, _("The meeting is recorded. Decide the applications below."))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(
        request,
        "audits/meeting_form.html",
        {"form": form, "campaign": campaign, "meeting": None},
        status=status,
    )


@login_required
def meeting_update(request, pk: int):
    meeting = _meeting_or_404(request, pk)
    authorize(request.user, "audits.record_meeting", meeting)
    initial = {"held_on": meeting.held_on, "attendees": meeting.attendees, "minutes": meeting.minutes}
    form = MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The meeting's record is updated."))
            return redirect("meeting_detail", pk=meeting.pk)
    return render(
        request, "audits/meeting_form.html", {"form": form, "campaign": meeting.campaign, "meeting": meeting}
    )


@dataclass
class SheetRow:
    """One row of the decision sheet: the application, its recommendation and its form."""

    inspection: SelfInspection
    recommendation: Recommendation
    form: object


def _awaiting(meeting: ReviewMeeting):
    """The applications of the meeting's campaign, with what the sheet shows beside each."""
    return (
        with_account_findings(SelfInspection.objects.filter(campaign_id=meeting.campaign_id))
        .select_related("media_account__department", "merge_target")
        .order_by("media_account__department__order_key", "media_account__name", "pk")
    )


def _posted(meeting: ReviewMeeting, pks: list[int]) -> list[SelfInspection]:
    """The applications a posted sheet names, in its order."""
    by_id = _awaiting(meeting).in_bulk(pks)
    return [by_id[pk] for pk in pks if pk in by_id]


def _posted_ids(data) -> list[int]:
    """The applications named by a posted sheet, row by row (its forms are read by these)."""
    ids = []
    for key, value in data.items():
        if key.startswith("decisions-") and key.endswith("-self_inspection") and parse_id(value):
            ids.append((parse_id(key.split("-")[1]) or 0, parse_id(value)))
    return [pk for _index, pk in sorted(ids)]


def _initial(inspection: SelfInspection, recommendation: Recommendation, closure_due) -> dict:
    target = recommendation.merge_target
    return {
        "self_inspection": inspection.pk,
        "decide": True,
        "outcome": recommendation.outcome,
        "deadline": closure_due,
        "merge_target": target.filing_number if target else None,
        "note": "",
    }


def _formset(meeting, inspections, *, labels: dict, data=None, initial=None):
    account_ids = {inspection.pk: inspection.media_account_id for inspection in inspections}
    return DecisionFormSet(
        data,
        initial=initial,
        prefix="decisions",
        inspection_ids=list(account_ids),
        account_ids=account_ids,
        labels=labels,
        form_kwargs={"held_on": meeting.held_on, "account_ids": account_ids, "labels": labels},
    )


def _labels(recommendations) -> dict[str, str]:
    """The names of the recommended merge targets, by filing number, for the sheet's pickers."""
    targets = [recommendation.merge_target for recommendation in recommendations.values()]
    return {target.filing_number: str(target) for target in targets if target is not None}


def _kept(formset) -> dict[int, dict]:
    """Each row of a refused sheet as the reviewer left it, to fill the sheet shown again."""
    kept = {}
    for form in formset.forms:
        row = dict(form.cleaned_data)
        target = row.get("merge_target")
        row["merge_target"] = getattr(target, "filing_number", target)
        kept[row["self_inspection"]] = row
    return kept


def _fresh_sheet(meeting, page_number, kept=None):
    """One page of the applications awaiting a decision, each row as the reviewer left it (``kept``,
    by application) or else pre-filled with the recommendation."""
    kept = kept or {}
    page = Paginator(_awaiting(meeting).filter(status=SelfInspectionStatus.SUBMITTED), PAGE_SIZE).get_page(
        page_number
    )
    inspections = list(page.object_list)
    recommendations = recommendations_for(inspections)
    initial = [
        kept.get(inspection.pk)
        or _initial(inspection, recommendations[inspection.pk], meeting.campaign.closure_due)
        for inspection in inspections
    ]
    return (
        page,
        recommendations,
        _formset(meeting, inspections, labels=_labels(recommendations), initial=initial),
    )


ITEM_ERROR = re.compile(r"^items\[(\d+)\]\.(\w+)$")


def _show_on_rows(formset, error: ValidationError) -> None:
    """Put the service's errors on the rows they name (``items[2].note`` is the third decided row)."""
    chosen = [form for form in formset.forms if form.cleaned_data.get("decide")]
    if not hasattr(error, "error_dict"):
        formset._non_form_errors = formset.error_class(error.messages)
        return
    for key, errors in error.error_dict.items():
        match = ITEM_ERROR.match(key)
        if match and int(match[1]) < len(chosen):
            form = chosen[int(match[1])]
            form.add_error(match[2] if match[2] in form.fields else None, errors)
        else:
            formset._non_form_errors = formset.error_class(
                [*formset.non_form_errors(), *ValidationError(errors).messages]
            )


@login_required
def meeting_detail(request, pk: int):
    """The meeting's record, what it decided, and (for the office) the sheet of what is left, a page
    of applications at a time like any list: the reviewer records a page, and the next ones move up."""
    meeting = _meeting_or_404(request, pk)
    may_decide = "decide" in available(meeting.campaign, request.user)
    page_number = request.GET.get("page")
    status = 200
    page = None
    if request.method == "POST":
        if not may_decide:  # not the office's, or the campaign is no longer running
            raise PermissionDenied
        inspections = _posted(meeting, _posted_ids(request.POST))
        recommendations = recommendations_for(inspections)
        formset = _formset(meeting, inspections, labels=_labels(recommendations), data=request.POST)
        if formset.is_valid():
            by_id = {inspection.pk: inspection for inspection in inspections}
            try:
                decisions = services.decisions_make(
                    actor=request.user, meeting=meeting, items=formset.items(by_id)
                )
            except InvalidTransition as error:
                # Someone decided one of them first, so nothing of this sheet was recorded. Show the
                # sheet again as the reviewer left it, less the rows that are no longer open.
                status = refuse(request, error)
                page, recommendations, formset = _fresh_sheet(meeting, page_number, _kept(formset))
                inspections = list(page.object_list)
            except ValidationError as error:
                _show_on_rows(formset, error)
                messages.error(request, _("Nothing was decided. Please correct the rows marked below."))
            else:
                messages.success(
                    request,
                    _("%(count)d decisions recorded; the units are notified.") % {"count": len(decisions)},
                )
                url = reverse("meeting_detail", args=[meeting.pk])
                return redirect(f"{url}?page={page_number}" if parse_id(page_number or "") else url)
        else:
            messages.error(request, _("Nothing was decided. Please correct the rows marked below."))
        if page is None:
            # The sheet as posted, with its rows' errors; the pager counts what still awaits.
            page = Paginator(
                _awaiting(meeting).filter(status=SelfInspectionStatus.SUBMITTED), PAGE_SIZE
            ).get_page(page_number)
    elif may_decide:
        page, recommendations, formset = _fresh_sheet(meeting, page_number)
        inspections = list(page.object_list)
    else:
        inspections, recommendations, formset = [], {}, None
    rows = [
        SheetRow(inspection, recommendations[inspection.pk], form)
        for inspection, form in zip(inspections, formset.forms if formset else [], strict=False)
    ]
    return render(
        request,
        "audits/meeting_detail.html",
        {
            "meeting": meeting,
            "campaign": meeting.campaign,
            "decisions": decisions_of_meeting(meeting),
            "formset": formset,
            "rows": rows,
            "outcomes": Outcome.choices,
            "page": page,
            "may_decide": may_decide,
            "may_edit": request.user.has_perm("audits.record_meeting"),
        },
        status=status,
    )


@login_required
@download
def meeting_decisions_export(request, pk: int):
    """The meeting's decision list (the annex to its minutes) as .xlsx."""
    meeting = _meeting_or_404(request, pk)
    content = spreadsheets.meeting_decisions_xlsx(meeting, decisions_of_meeting(meeting))
    title = _("decisions")  # outside the f-string, where makemessages finds it
    return xlsx_response(content, f"{meeting.campaign.name}-{title}-{meeting.held_on:%Y%m%d}.xlsx")
