"""Step 3 — 限期集中关停: closure and merger orders, confirmed by the unit, verified by the office."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts import permissions
from audits.models import ClosureOrder


@login_required
def closure_order_list(request):
    orders = ClosureOrder.objects.visible_to(request.user).select_related(
        "campaign", "media_account__department"
    )
    return render(request, "audits/closure_order_list.html", {"orders": orders})


@login_required
def closure_order_detail(request, pk: int):
    order = permissions.get_visible_or_404(
        ClosureOrder.objects.select_related("campaign", "media_account__department"),
        request.user,
        via="media_account__department",
        pk=pk,
    )
    return render(request, "audits/closure_order_detail.html", {"order": order})
