"""The scheduled inspections in the browser (定期巡查, docs/design.md §1.4, §7).

Runs, their reports, the rules and the schedule are district-wide: the office's and the
auditors' pages (a department administrator is refused with 403). Findings and rectification
notices are scoped like everything else: a unit sees its own, and whatever is outside its scope
answers 404. Every write goes through ``audits.inspections.services``.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import authorize
from audits.inspections import selectors, services, spreadsheets
from audits.inspections.choices import FindingStatus, RunStatus
from audits.inspections.filters import FindingFilter, NoticeFilter
from audits.inspections.forms import (
    ConfirmForm,
    DismissForm,
    NoticeNoteForm,
    NoticeResponseForm,
    RuleForm,
    ScheduleForm,
    WaiveForm,
    threshold_label,
    threshold_source,
)
from audits.inspections.models import Finding, InspectionRule, InspectionRun, RectificationNotice
from audits.inspections.schedule import inspection_schedule_set
from audits.inspections.states import NOTICE
from config.downloads import download, xlsx_response
from config.forms import add_service_errors
from config.states import available
from config.views import transition

PAGE_SIZE = 50


def _filtered(request, ignore=("page",)) -> bool:
    return any(value for key, value in request.GET.items() if key not in ignore)


# Runs and reports ------------------------------------------------------------------------------


def _run_list_page(request, *, schedule_form=None, status=200):
    rules = list(InspectionRule.objects.order_by("pk"))
    page = Paginator(selectors.run_list(InspectionRun.objects.all()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    schedule = selectors.inspection_schedule()
    office = request.user.has_perm("audits.request_inspection_run")
    if office and schedule_form is None:
        schedule_form = ScheduleForm(
            initial={"time": f"{schedule.hour:02d}:{schedule.minute:02d}", "enabled": schedule.enabled}
        )
    return render(
        request,
        "audits/inspection_run_list.html",
        {
            "inspection_tab": "runs",
            "page": page,
            "rules": rules,
            "rows": [(run, [run.counts.get(rule.code, {}) for rule in rules]) for run in page],
            "schedule": schedule,
            "schedule_form": schedule_form if office else None,
            "may_run": office,
        },
        status=status,
    )


@login_required
def inspection_run_list(request):
    """Every run with its counts per rule; the office starts one and sets the daily time here."""
    authorize(request.user, "audits.view_inspection_runs")
    return _run_list_page(request)


@require_POST
@login_required
def inspection_run_create(request):
    """ "Run now": the run is queued for a worker and the page follows it; nothing waits here."""
    authorize(request.user, "audits.request_inspection_run")
    under_way = selectors.unfinished_run()
    if under_way is not None:
        messages.info(request, _("A run is already under way; here it is."))
        return redirect("inspection_run_detail", pk=under_way.pk)
    run = services.inspection_run_request(actor=request.user)
    messages.success(request, _("The inspection run is queued; this page follows it."))
    return redirect("inspection_run_detail", pk=run.pk)


@require_POST
@login_required
def inspection_schedule_update(request):
    authorize(request.user, "audits.manage_schedule")
    form = ScheduleForm(request.POST)
    if form.is_valid():
        time = form.cleaned_data["time"]
        try:
            inspection_schedule_set(
                actor=request.user, hour=time.hour, minute=time.minute, enabled=form.cleaned_data["enabled"]
            )
        except ValidationError as error:
            add_service_errors(form, error, fields={"hour": "time", "minute": "time"})
        else:
            messages.success(request, _("The daily run's time is saved."))
            return redirect("inspection_run_list")
    messages.error(request, _("Nothing was saved. Please correct the problems marked below."))
    return _run_list_page(request, schedule_form=form)


def _run_or_404(request, pk: int) -> InspectionRun:
    authorize(request.user, "audits.view_inspection_runs")
    return get_object_or_404(InspectionRun.objects.select_related("requested_by"), pk=pk)


@login_required
def inspection_run_detail(request, pk: int):
    """A run: its status while it is under way (the page follows it), then its report."""
    run = _run_or_404(request, pk)
    finished = run.status == RunStatus.FINISHED
    return render(
        request,
        "audits/inspection_run_detail.html",
        {
            "inspection_tab": "runs",
            "run": run,
            "under_way": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
            "report": selectors.run_report(run) if finished else None,
        },
    )


@login_required
def inspection_run_status(request, pk: int):
    """The run's status for the page that follows it (static/js/inspections.js)."""
    run = _run_or_404(request, pk)
    return JsonResponse(
        {
            "id": run.pk,
            "status": run.status,
            "label": str(run.get_status_display()),
            "under_way": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        }
    )


@login_required
@download
def inspection_run_export(request, pk: int):
    """The report as an .xlsx workbook."""
    run = _run_or_404(request, pk)
    if run.status != RunStatus.FINISHED:
        messages.error(request, _("Only a finished run has a report."))
        return redirect("inspection_run_detail", pk=run.pk)
    name = f"inspection-{run.inspection_date:%Y%m%d}-{run.pk}.xlsx"
    return xlsx_response(spreadsheets.run_report_xlsx(selectors.run_report(run)), name)


# Rules -----------------------------------------------------------------------------------------


@login_required
def rule_list(request):
    """The rules with their source, severity, thresholds and on/off; every role reads them."""
    rules = [
        (
            rule,
            [
                (threshold_label(rule.code, key), value, threshold_source(key))
                for key, value in rule.thresholds.items()
            ],
        )
        for rule in InspectionRule.objects.order_by("pk")
    ]
    return render(
        request,
        "audits/rule_list.html",
        {
            "inspection_tab": "rules",
            "rules": rules,
        },
    )


@login_required
def rule_update(request, pk: int):
    """The office edits a rule; a bad value is marked on its field and nothing is saved."""
    authorize(request.user, "audits.edit_inspection_rule")
    rule = get_object_or_404(InspectionRule, pk=pk)
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.inspection_rule_update(
                    actor=request.user,
                    rule=rule,
                    enabled=form.cleaned_data["enabled"],
                    severity=form.cleaned_data["severity"],
                    thresholds=form.thresholds(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Rule saved: %(rule)s.") % {"rule": rule.get_code_display()})
                return redirect("rule_list")
        messages.error(request, _("Nothing was saved. Please correct the problems marked below."))
    return render(request, "audits/rule_form.html", {"inspection_tab": "rules", "rule": rule, "form": form})


# Findings --------------------------------------------------------------------------------------


@login_required
def finding_list(request):
    """Findings within the user's scope; open ones unless another status is asked for."""
    data = request.GET.copy()
    data.setdefault("status", FindingStatus.OPEN)
    filterset = FindingFilter(data, queryset=selectors.finding_list(request.user), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    account = filterset.form.cleaned_data.get("media_account") if filterset.is_valid() else None
    return render(
        request,
        "audits/finding_list.html",
        {
            "inspection_tab": "findings",
            "filter": filterset,
            "page": page,
            "account": account,
            "filtered": _filtered(request),
        },
    )


def _finding_or_404(request, pk: int) -> Finding:
    return get_object_or_404(
        Finding.objects.restrict(request.user, "view")
        .select_related(
            "rule", "media_account__department", "notice", "waived_by", "post", "confirmed_by", "dismissed_by"
        )
        .with_last_seen(),
        pk=pk,
    )


def _finding_page(request, finding, *, waive_form=None, dismiss_form=None, status=200):
    actions = available(finding, request.user)
    return render(
        request,
        "audits/finding_detail.html",
        {
            "inspection_tab": "findings",
            "finding": finding,
            "detail": selectors.finding_detail_lines(finding),
            "hit": selectors.wording_hit(finding),
            "may_confirm": "confirm" in actions,
            "waive_form": (waive_form or WaiveForm()) if "waive" in actions else None,
            "dismiss_form": (dismiss_form or DismissForm()) if "dismiss" in actions else None,
        },
        status=status,
    )


@login_required
def finding_detail(request, pk: int):
    return _finding_page(request, _finding_or_404(request, pk))


@require_POST
@login_required
def finding_waive(request, pk: int):
    """The office accepts a finding as justified, with the reason; it stops counting against the account."""
    finding = _finding_or_404(request, pk)
    return transition(
        request,
        finding,
        permission="audits.waive_finding",
        form=WaiveForm(request.POST),
        act=lambda data: services.finding_waive(actor=request.user, finding=finding, reason=data["reason"]),
        page=functools.partial(_finding_page, request),
        form_name="waive_form",
        success=_("Finding waived: %(finding)s.") % {"finding": finding},
        redirect_to=reverse("finding_detail", args=[finding.pk]),
        refetch=lambda: _finding_or_404(request, pk),
    )


@require_POST
@login_required
def finding_confirm(request, pk: int):
    """The office has read a wording hit and holds it a real error."""
    finding = _finding_or_404(request, pk)
    return transition(
        request,
        finding,
        permission="audits.review_wording_hit",
        form=ConfirmForm(request.POST),
        act=lambda data: services.finding_confirm(actor=request.user, finding=finding),
        page=functools.partial(_finding_page, request),
        form_name="confirm_form",
        success=_("Wording hit confirmed: %(finding)s.") % {"finding": finding},
        redirect_to=reverse("finding_detail", args=[finding.pk]),
        refetch=lambda: _finding_or_404(request, pk),
    )


@require_POST
@login_required
def finding_dismiss(request, pk: int):
    """The office marks a wording hit a false positive, with the reason."""
    finding = _finding_or_404(request, pk)
    return transition(
        request,
        finding,
        permission="audits.review_wording_hit",
        form=DismissForm(request.POST),
        act=lambda data: services.finding_dismiss(actor=request.user, finding=finding, reason=data["reason"]),
        page=functools.partial(_finding_page, request),
        form_name="dismiss_form",
        success=_("Marked a false positive: %(finding)s.") % {"finding": finding},
        redirect_to=reverse("finding_detail", args=[finding.pk]),
        refetch=lambda: _finding_or_404(request, pk),
    )


# Rectification notices -------------------------------------------------------------------------


@login_required
def notice_list(request):
    """The notices within the user's scope, the overdue ones flagged."""
    filterset = NoticeFilter(
        request.GET or None, queryset=selectors.notice_list(request.user), request=request
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/notice_list.html",
        {
            "inspection_tab": "notices",
            "filter": filterset,
            "page": page,
            "today": timezone.localdate(),
            "overdue_count": RectificationNotice.objects.restrict(request.user, "view").overdue().count(),
            "filtered": _filtered(request),
        },
    )


def _notice_or_404(request, pk: int) -> RectificationNotice:
    return get_object_or_404(
        RectificationNotice.objects.restrict(request.user, "view").select_related(
            "department", "run", "responded_by", "decided_by"
        ),
        pk=pk,
    )


def _notice_page(request, notice, *, response_form=None, accept_form=None, return_form=None, status=200):
    actions = available(notice, request.user)
    findings = (
        notice.findings.select_related("rule", "media_account")
        .with_last_seen()
        .order_by("media_account__name", "pk")
    )
    return render(
        request,
        "audits/notice_detail.html",
        {
            "inspection_tab": "notices",
            "notice": notice,
            "findings": findings,
            "response_form": (response_form or NoticeResponseForm(prefix="respond"))
            if "respond" in actions
            else None,
            "accept_form": (accept_form or NoticeNoteForm(prefix="accept")) if "accept" in actions else None,
            "return_form": (return_form or NoticeNoteForm(prefix="return", required=True))
            if "return" in actions
            else None,
        },
        status=status,
    )


@login_required
def notice_detail(request, pk: int):
    """A rectification notice (整改通知) and its findings, with the answer and the office's decision."""
    return _notice_page(request, _notice_or_404(request, pk))


def _notice_transition(request, pk: int, *, name: str, form, act, form_name: str, success: str, invalid=None):
    notice = _notice_or_404(request, pk)
    return transition(
        request,
        notice,
        permission=NOTICE[name].permission,
        form=form,
        act=lambda data: act(notice, data),
        page=functools.partial(_notice_page, request),
        form_name=form_name,
        success=success,
        redirect_to=reverse("notice_detail", args=[notice.pk]),
        refetch=lambda: _notice_or_404(request, pk),
        invalid=invalid,
    )


@require_POST
@login_required
def notice_respond(request, pk: int):
    """The unit says what it did about the findings."""
    return _notice_transition(
        request,
        pk,
        name="respond",
        form=NoticeResponseForm(request.POST, prefix="respond"),
        act=lambda notice, data: services.notice_respond(
            actor=request.user, notice=notice, response=data["response"]
        ),
        form_name="response_form",
        success=_("Answer sent. The office will check it."),
        invalid=_("Nothing was sent. Please correct the problems marked below."),
    )


@require_POST
@login_required
def notice_accept(request, pk: int):
    """The office accepts the answer: the notice's open findings are resolved."""
    return _notice_transition(
        request,
        pk,
        name="accept",
        form=NoticeNoteForm(request.POST, prefix="accept"),
        act=lambda notice, data: services.notice_accept(actor=request.user, notice=notice, note=data["note"]),
        form_name="accept_form",
        success=_("Answer accepted; the notice's findings are resolved."),
    )


@require_POST
@login_required
def notice_return(request, pk: int):
    """The office sends the answer back with what is still missing; the unit answers again."""
    return _notice_transition(
        request,
        pk,
        name="return",
        form=NoticeNoteForm(request.POST, prefix="return", required=True),
        act=lambda notice, data: services.notice_return(actor=request.user, notice=notice, note=data["note"]),
        form_name="return_form",
        success=_("Sent back to the unit."),
    )
