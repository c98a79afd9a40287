"""The campaign itself: the list, setting one up and starting it, its progress page and the
office's review of the submitted applications (step 2's reading side)."""

from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.permissions import sees_everything
from accounts.rules import authorize
from audits.campaigns import services, spreadsheets
from audits.campaigns.choices import CampaignStatus, Outcome, SelfInspectionStatus
from audits.campaigns.forms import CampaignForm
from audits.campaigns.models import SelfInspection
from audits.campaigns.selectors import (
    campaign_progress,
    campaign_progress_by_department,
    recommendations_for,
    visible_campaigns,
    with_account_findings,
)
from audits.campaigns.states import CAMPAIGN
from audits.campaigns.views.common import PAGE_SIZE, get_campaign_or_404, refuse, step_counts
from config.downloads import download, xlsx_response
from config.errors import InvalidTransition
from config.forms import add_service_errors
from config.states import available
from registry.choices import DepartmentKind, Platform
from registry.models import Department


@login_required
def campaign_list(request):
    counts = step_counts(request.user)
    rows = [(campaign, counts.get(campaign.pk, {})) for campaign in visible_campaigns(request.user)]
    return render(
        request,
        "audits/campaign_list.html",
        {"rows": rows, "may_run": request.user.has_perm("audits.create_campaign")},
    )


@login_required
def campaign_create(request):
    authorize(request.user, "audits.create_campaign")
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                scope=form.scope(),
                self_inspection_due=form.cleaned_data["self_inspection_due"],
                closure_due=form.cleaned_data["closure_due"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The campaign is set up. Check its scope, then start it."))
            return redirect("campaign_detail", pk=campaign.pk)
    return render(request, "audits/campaign_form.html", {"form": form})


def scope_summary(scope: dict) -> list[tuple[str, str]]:
    """The campaign's scope in words: (what, which), one line per filter."""
    lines = []
    if scope.get("department_kinds"):
        labels = dict(DepartmentKind.choices)
        lines.append(
            (_("Department kinds"), "、".join(str(labels.get(k, k)) for k in scope["department_kinds"]))
        )
    if scope.get("platforms"):
        labels = dict(Platform.choices)
        lines.append((_("Platforms"), "、".join(str(labels.get(p, p)) for p in scope["platforms"])))
    if scope.get("departments"):
        names = Department.objects.filter(pk__in=scope["departments"]).values_list("name", flat=True)
        lines.append((_("Departments"), "、".join(names)))
    return lines


STEPS = (
    # (the Progress field, its label, whether it needs attention when not zero)
    ("in_scope", gettext_lazy("In scope"), False),
    ("submitted", gettext_lazy("Submitted"), False),
    ("decided", gettext_lazy("Decided"), False),
    ("retained", gettext_lazy("Retained"), False),
    ("closed", gettext_lazy("Decided to close"), False),
    ("merged", gettext_lazy("Decided to merge"), False),
    ("returned", gettext_lazy("Returned for revision"), True),
    ("overdue", gettext_lazy("Overdue"), True),
    ("confirmed", gettext_lazy("Confirmed done by the unit"), False),
    ("verified", gettext_lazy("Verified by the office"), False),
)


def _steps(progress) -> list[dict]:
    """Each step's count and its share of the accounts in scope."""
    return [
        {
            "key": key,
            "label": label,
            "count": getattr(progress, key),
            "percent": progress.percent(getattr(progress, key)),
            "attention": attention and getattr(progress, key) > 0,
        }
        for key, label, attention in STEPS
    ]


def _charts(progress, by_department) -> dict:
    """The page's charts as plain data for ``json_script`` (drawn by static/js/campaign.js)."""
    return {
        "funnel": [
            {"key": "in_scope", "name": _("In scope"), "value": progress.in_scope},
            {"key": "submitted", "name": _("Submitted"), "value": progress.submitted},
            {"key": "decided", "name": _("Decided"), "value": progress.decided},
            *(
                {"key": f"closure_{step['key']}", "name": str(step["label"]), "value": step["count"]}
                for step in progress.closure_funnel
            ),
        ],
        "overall": [
            {"key": "retain", "name": _("Retained"), "value": progress.retained},
            {"key": "close", "name": _("Decided to close"), "value": progress.closed},
            {"key": "merge", "name": _("Decided to merge"), "value": progress.merged},
            {"key": "open", "name": _("Not yet decided"), "value": progress.in_scope - progress.decided},
        ],
        "outcomes": {
            "categories": [department.name for department, _row in by_department],
            "series": [
                {
                    "key": key,
                    "name": label,
                    "data": [value(row) for _department, row in by_department],
                }
                for key, label, value in (
                    ("retain", _("Retained"), lambda row: row.retained),
                    ("close", _("Decided to close"), lambda row: row.closed),
                    ("merge", _("Decided to merge"), lambda row: row.merged),
                    ("open", _("Not yet decided"), lambda row: row.in_scope - row.decided),
                )
            ],
        },
    }


@login_required
def campaign_detail(request, pk: int):
    campaign = get_campaign_or_404(request.user, pk)
    progress = campaign_progress(campaign, request.user)
    by_department = campaign_progress_by_department(campaign, request.user)
    actions = available(campaign, request.user)
    draft = campaign.status == CampaignStatus.DRAFT
    return render(
        request,
        "audits/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": progress,
            "steps": _steps(progress),
            "by_department": by_department,
            "charts": _charts(progress, by_department),
            "scope": scope_summary(campaign.scope),
            "meetings": campaign.meetings.all() if sees_everything(request.user) else None,
            "in_scope_now": services.accounts_in_scope(campaign.scope).count() if draft else None,
            "may_start": "start" in actions,
            "may_meet": "record_meeting" in actions,
            "may_review": request.user.has_perm("audits.review_applications") and not draft,
        },
    )


@login_required
def campaign_start(request, pk: int):
    """A confirm step (how many accounts, in which units), then the start itself."""
    campaign = get_campaign_or_404(request.user, pk)
    authorize(request.user, CAMPAIGN["start"].permission, campaign)
    status = 200
    if request.method == "POST":
        try:
            count = services.campaign_start(actor=request.user, campaign=campaign)
        except InvalidTransition as error:
            status = refuse(request, error)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("The campaign has started: %(count)d self-inspections opened and the units notified.")
                % {"count": count},
            )
            return redirect("campaign_detail", pk=campaign.pk)
    accounts = services.accounts_in_scope(campaign.scope)
    units = (
        accounts.values("department__name", "department__kind", "department__order_key")
        .annotate(count=Count("pk"))
        .order_by("department__order_key")
    )
    return render(
        request,
        "audits/campaign_start.html",
        {
            "campaign": campaign,
            "units": units,
            "total": sum(unit["count"] for unit in units),
            "scope": scope_summary(campaign.scope),
            "startable": campaign.status == CampaignStatus.DRAFT,
        },
        status=status,
    )


@login_required
def campaign_review(request, pk: int):
    """Step 2 for the office: the applications awaiting a decision, a page at a time like any list,
    each with its figures, grade and open findings and the recommended outcome (computed for the
    page at once)."""
    campaign = get_campaign_or_404(request.user, pk)
    authorize(request.user, "audits.review_applications")
    awaiting = SelfInspection.objects.filter(campaign=campaign, status=SelfInspectionStatus.SUBMITTED)
    page = Paginator(
        with_account_findings(awaiting)
        .select_related("media_account__department", "merge_target", "submitted_by")
        .order_by("media_account__department__order_key", "media_account__name", "pk"),
        PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    recommendations = recommendations_for(page.object_list)
    recommended = Counter(recommendation.outcome for recommendation in recommendations.values())
    return render(
        request,
        "audits/campaign_review.html",
        {
            "campaign": campaign,
            "page": page,
            "rows": [(inspection, recommendations[inspection.pk]) for inspection in page.object_list],
            "progress": campaign_progress(campaign, request.user),
            "recommended": [(label, recommended[key]) for key, label in Outcome.choices if recommended[key]],
            "meetings": campaign.meetings.all(),
            "may_meet": "record_meeting" in available(campaign, request.user),
        },
    )


@login_required
@download
def campaign_result_export(request, pk: int):
    """The campaign's result by department (.xlsx), within the user's scope."""
    campaign = get_campaign_or_404(request.user, pk)
    content = spreadsheets.campaign_result_xlsx(
        campaign,
        campaign_progress(campaign, request.user),
        campaign_progress_by_department(campaign, request.user),
    )
    # Written outside the f-string, where makemessages finds it.
    title = _("result by department")
    return xlsx_response(content, f"{campaign.name}-{title}-{timezone.localdate():%Y%m%d}.xlsx")
