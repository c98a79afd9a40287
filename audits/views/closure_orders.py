"""Step 3 — 限期集中关停: closure and merger orders, confirmed by the unit, verified by the office.

A unit's screenshot is served by :func:`closure_order_evidence`, which checks that the user may
see the order; the files are never published under ``MEDIA_URL``.
"""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from audits.choices import ClosureOrderStatus
from audits.filters import ClosureOrderFilter
from audits.forms import ConfirmClosureForm, NoteForm
from audits.models import ClosureOrder
from audits.services import campaigns as services
from audits.views.common import PAGE_SIZE, refuse, require
from config.downloads import download
from config.errors import InvalidTransition
from config.forms import add_service_errors
from registry.models import MediaAccount


def _order_or_404(request, pk: int) -> ClosureOrder:
    return get_object_or_404(
        ClosureOrder.objects.restrict(request.user, "view").select_related(
            "campaign",
            "media_account__department",
            "merge_target__department",
            "decision__meeting",
            "decision__self_inspection",
            "confirmed_by",
            "verified_by",
        ),
        pk=pk,
    )


@login_required
def closure_order_list(request):
    """The office sees every order, the overdue ones marked; a unit sees its own."""
    filterset = ClosureOrderFilter(
        request.GET or None,
        queryset=ClosureOrder.objects.restrict(request.user, "view")
        .select_related("campaign", "media_account__department", "merge_target")
        .order_by("deadline", "pk"),
        request=request,
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/closure_order_list.html",
        {
            "filter": filterset,
            "page": page,
            "today": timezone.localdate(),
            "overdue_count": ClosureOrder.objects.restrict(request.user, "view").overdue().count(),
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
        },
    )


def _reject_form(data=None) -> NoteForm:
    return NoteForm(data, prefix="reject", required=True, label=_("what is still missing"))


def _render_detail(request, order, *, confirm_form=None, reject_form=None, status=200):
    may_confirm = order.status == ClosureOrderStatus.OPEN and permissions.can_act_for_department(
        request.user, order.media_account.department_id
    )
    may_verify = order.status == ClosureOrderStatus.CONFIRMED and permissions.is_office_admin(request.user)
    if may_confirm and confirm_form is None:
        confirm_form = ConfirmClosureForm(order=order)
    return render(
        request,
        "audits/closure_order_detail.html",
        {
            "order": order,
            "account": order.media_account,
            "decision": order.decision,
            "confirm_form": confirm_form if may_confirm else None,
            "reject_form": (reject_form or _reject_form()) if may_verify else None,
            "verify_form": NoteForm(prefix="verify", label=_("note (optional)")) if may_verify else None,
        },
        status=status,
    )


@login_required
def closure_order_detail(request, pk: int):
    return _render_detail(request, _order_or_404(request, pk))


@require_POST
@login_required
def closure_order_confirm(request, pk: int):
    """The unit says the closure or merger is done, with its evidence."""
    order = _order_or_404(request, pk)
    require(permissions.can_act_for_department(request.user, order.media_account.department_id))
    form = ConfirmClosureForm(request.POST, request.FILES, order=order)
    if not form.is_valid():
        messages.error(request, _("Nothing was confirmed. Please correct the problems marked below."))
        return _render_detail(request, order, confirm_form=form)
    try:
        services.closure_order_confirm(
            actor=request.user,
            order=order,
            evidence_url=form.cleaned_data["evidence_url"],
            evidence_file=form.cleaned_data["evidence_file"],
            note=form.cleaned_data["note"],
            merge_target=form.cleaned_data.get("merge_target"),
        )
    except ValidationError as error:
        add_service_errors(form, error)
        messages.error(request, _("Nothing was confirmed. Please correct the problems marked below."))
        return _render_detail(request, order, confirm_form=form)
    except InvalidTransition as error:
        return _render_detail(request, _order_or_404(request, pk), status=refuse(request, error))
    messages.success(
        request,
        _("Confirmed as done: %(account)s. The office will verify it.")
        % {"account": order.media_account.name},
    )
    return redirect("closure_order_detail", pk=order.pk)


@require_POST
@login_required
def closure_order_verify(request, pk: int):
    """The office checks the closure: the account becomes closed or merged."""
    order = _order_or_404(request, pk)
    require(permissions.is_office_admin(request.user))
    form = NoteForm(request.POST, prefix="verify")
    form.is_valid()
    try:
        services.closure_order_verify(actor=request.user, order=order, note=form.cleaned_data.get("note", ""))
    except InvalidTransition as error:
        return _render_detail(request, _order_or_404(request, pk), status=refuse(request, error))
    account = MediaAccount.objects.get(pk=order.media_account_id)
    messages.success(
        request,
        _("Verified: %(account)s is now %(status)s in the registry.")
        % {"account": account.name, "status": account.get_status_display()},
    )
    return redirect("closure_order_detail", pk=order.pk)


@require_POST
@login_required
def closure_order_reject(request, pk: int):
    """The office finds the closure not done: the order is open again, with the reason."""
    order = _order_or_404(request, pk)
    require(permissions.is_office_admin(request.user))
    form = _reject_form(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is still missing."))
        return _render_detail(request, order, reject_form=form)
    try:
        services.closure_order_reject(actor=request.user, order=order, note=form.cleaned_data["note"])
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_detail(request, order, reject_form=form)
    except InvalidTransition as error:
        return _render_detail(request, _order_or_404(request, pk), status=refuse(request, error))
    messages.success(
        request, _("Sent back to the unit: %(account)s.") % {"account": order.media_account.name}
    )
    return redirect("closure_order_detail", pk=order.pk)


@login_required
@download
def closure_order_evidence(request, pk: int):
    """The unit's screenshot, to those who may see the order, and only as the image it was checked to be."""
    order = _order_or_404(request, pk)
    if not order.evidence_file:
        raise Http404
    content_type = mimetypes.guess_type(order.evidence_file.name)[0]
    if content_type not in ("image/png", "image/jpeg", "image/gif", "image/webp"):
        raise Http404
    try:
        handle = order.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
