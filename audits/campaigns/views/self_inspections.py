"""Step 1 — 单位提出申请: a unit's self-inspections against the three haves (三有原则)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.rules import authorize
from audits.campaigns import services
from audits.campaigns.choices import SelfInspectionStatus
from audits.campaigns.filters import SelfInspectionFilter
from audits.campaigns.forms import SelfInspectionForm
from audits.campaigns.models import ReviewDecision, SelfInspection
from audits.campaigns.selectors import facts_for, still_to_do, with_account_findings
from audits.campaigns.views.common import PAGE_SIZE, refuse
from config.errors import InvalidTransition
from config.forms import add_service_errors
from config.states import available
from registry.models import Operator


@login_required
def self_inspection_list(request):
    """For a unit, "my self-inspections"; the office and auditors see every unit's."""
    inspections = SelfInspection.objects.restrict(request.user, "view")
    filterset = SelfInspectionFilter(
        request.GET or None,
        queryset=inspections.select_related("campaign", "media_account__department")
        .prefetch_related(
            Prefetch("decisions", queryset=ReviewDecision.objects.order_by("-decided_at", "-pk"))
        )
        .order_by(
            "-campaign__created_at",
            "-campaign__pk",
            "media_account__department__order_key",
            "media_account__name",
            "pk",
        ),
        request=request,
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = dict(
        filterset.qs.order_by()
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return render(
        request,
        "audits/self_inspection_list.html",
        {
            "filter": filterset,
            "page": page,
            "counts": [
                (status, label, counts.get(status, 0)) for status, label in SelfInspectionStatus.choices
            ],
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
        },
    )


def _on_to_the_next(request, inspection):
    """After a submission, the unit goes on to its next application still to fill in the campaign,
    or, with none left, back to its list of the campaign's applications."""
    following, count = still_to_do(inspection, request.user)
    if following is None:
        messages.info(request, _("All your self-inspections of this campaign are submitted."))
        return redirect(f"{reverse('self_inspection_list')}?campaign={inspection.campaign_id}")
    messages.info(
        request,
        ngettext(
            "%(count)d self-inspection of this campaign is still to fill in: this one.",
            "%(count)d self-inspections of this campaign are still to fill in; here is the next.",
            count,
        )
        % {"count": count},
    )
    return redirect("self_inspection_detail", pk=following.pk)


@login_required
def self_inspection_detail(request, pk: int):
    """The unit's answers beside the account's figures: a form while it may be edited, else a record."""
    inspection = get_object_or_404(
        with_account_findings(SelfInspection.objects.restrict(request.user, "view")).select_related(
            "campaign", "media_account__department", "merge_target__department", "submitted_by"
        ),
        pk=pk,
    )
    account = inspection.media_account
    may_act = request.user.has_perm("audits.answer_self_inspection", inspection)
    editable = "save" in available(inspection, request.user)
    form = None
    status = 200
    if request.method == "POST":
        authorize(request.user, "audits.answer_self_inspection", inspection)
        form = SelfInspectionForm(request.POST, inspection=inspection)
        submitting = request.POST.get("action") == "submit"
        if form.is_valid():
            try:
                # Saving and submitting are one step: a refused submission leaves no half-saved draft.
                with transaction.atomic():
                    services.self_inspection_save(
                        actor=request.user, self_inspection=inspection, **form.answers()
                    )
                    if submitting:
                        services.self_inspection_submit(actor=request.user, self_inspection=inspection)
            except ValidationError as error:
                add_service_errors(form, error)
            except InvalidTransition as error:
                status = refuse(request, error)
                inspection.refresh_from_db()
                editable, form = inspection.is_editable, None
            else:
                if submitting:
                    messages.success(
                        request,
                        _("Submitted: %(account)s. It is locked until the office returns it.")
                        % {"account": account.name},
                    )
                    return _on_to_the_next(request, inspection)
                messages.success(request, _("Saved as a draft: %(account)s.") % {"account": account.name})
                return redirect("self_inspection_detail", pk=inspection.pk)
        if form is not None and form.errors:
            messages.error(
                request,
                _("Nothing was submitted or saved. Please correct the problems marked below.")
                if submitting
                else _("Nothing was saved. Please correct the problems marked below."),
            )
    if editable and form is None:
        form = SelfInspectionForm(inspection=inspection)
    facts = facts_for([inspection])[inspection.pk]
    next_to_do, to_do = still_to_do(inspection, request.user) if may_act else (None, 0)
    decisions = inspection.decisions.select_related("meeting", "merge_target", "closure_order").order_by(
        "-decided_at", "-pk"
    )
    return render(
        request,
        "audits/self_inspection_detail.html",
        {
            "inspection": inspection,
            "account": account,
            "campaign": inspection.campaign,
            "facts": facts,
            "operators": Operator.objects.filter(media_account=account).order_by("pk"),
            "decisions": decisions,
            "form": form if editable else None,
            "next_to_do": next_to_do,
            "to_do": to_do,
        },
        status=status,
    )
