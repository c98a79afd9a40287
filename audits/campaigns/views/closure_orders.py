"""Step 3 — 限期集中关停: closure and merger orders, confirmed by the unit, verified by the office.

A unit's screenshot is served by :func:`closure_order_evidence`, which checks that the user may
see the order; the files are never published under ``MEDIA_URL``.
"""

import functools
import mimetypes

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audits.campaigns import services
from audits.campaigns.filters import ClosureOrderFilter
from audits.campaigns.forms import ConfirmClosureForm, NoteForm
from audits.campaigns.models import ClosureOrder
from audits.campaigns.states import CLOSURE_ORDER
from audits.campaigns.views.common import PAGE_SIZE
from config.downloads import download
from config.states import available
from config.views import transition
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


def _render_detail(request, order, *, confirm_form=None, reject_form=None, verify_form=None, status=200):
    actions = available(order, request.user)
    if "confirm" in actions and confirm_form is None:
        confirm_form = ConfirmClosureForm(order=order)
    return render(
        request,
        "audits/closure_order_detail.html",
        {
            "order": order,
            "account": order.media_account,
            "decision": order.decision,
            "confirm_form": confirm_form if "confirm" in actions else None,
            "reject_form": (reject_form or _reject_form()) if "reject" in actions else None,
            "verify_form": (verify_form or NoteForm(prefix="verify", label=_("note (optional)")))
            if "verify" in actions
            else None,
        },
        status=status,
    )


@login_required
def closure_order_detail(request, pk: int):
    return _render_detail(request, _order_or_404(request, pk))


def _order_transition(request, pk: int, *, name: str, form, act, form_name: str, success, invalid=None):
    order = _order_or_404(request, pk)
    return transition(
        request,
        order,
        permission=CLOSURE_ORDER[name].permission,
        form=form(order),
        act=lambda data: act(order, data),
        page=functools.partial(_render_detail, request),
        form_name=form_name,
        success=lambda: success(order),
        redirect_to=reverse("closure_order_detail", args=[order.pk]),
        refetch=lambda: _order_or_404(request, pk),
        invalid=invalid,
    )


@require_POST
@login_required
def closure_order_confirm(request, pk: int):
    """The unit says the closure or merger is done, with its evidence."""
    return _order_transition(
        request,
        pk,
        name="confirm",
        form=lambda order: ConfirmClosureForm(request.POST, request.FILES, order=order),
        act=lambda order, data: services.closure_order_confirm(
            actor=request.user,
            order=order,
            evidence_url=data["evidence_url"],
            evidence_file=data["evidence_file"],
            note=data["note"],
            merge_target=data.get("merge_target"),
        ),
        form_name="confirm_form",
        success=lambda order: (
            _("Confirmed as done: %(account)s. The office will verify it.")
            % {"account": order.media_account.name}
        ),
        invalid=_("Nothing was confirmed. Please correct the problems marked below."),
    )


def _verified(order) -> str:
    account = MediaAccount.objects.get(pk=order.media_account_id)
    return _("Verified: %(account)s is now %(status)s in the registry.") % {
        "account": account.name,
        "status": account.get_status_display(),
    }


@require_POST
@login_required
def closure_order_verify(request, pk: int):
    """The office checks the closure: the account becomes closed or merged."""
    return _order_transition(
        request,
        pk,
        name="verify",
        form=lambda _order: NoteForm(request.POST, prefix="verify"),
        act=lambda order, data: services.closure_order_verify(
            actor=request.user, order=order, note=data.get("note", "")
        ),
        form_name="verify_form",
        success=_verified,
    )


@require_POST
@login_required
def closure_order_reject(request, pk: int):
    """The office finds the closure not done: the order is open again, with the reason."""
    return _order_transition(
        request,
        pk,
        name="reject",
        form=lambda _order: _reject_form(request.POST),
        act=lambda order, data: services.closure_order_reject(
            actor=request.user, order=order, note=data["note"]
        ),
        form_name="reject_form",
        success=lambda order: (
            _("Sent back to the unit: %(account)s.") % {"account": order.media_account.name}
        ),
        invalid=_("Say what is still missing."),
    )


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
