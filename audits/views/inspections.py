"""The scheduled inspections in the browser (定期巡查, DESIGN.md §1 "动态管理 + 定期巡查", §7)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from audits.models import RectificationNotice


def _notice_or_404(request, pk: int) -> RectificationNotice:
    return get_object_or_404(
        RectificationNotice.objects.visible_to(request.user).select_related("department", "run"), pk=pk
    )


@login_required
def notice_detail(request, pk: int):
    """A rectification notice (整改通知) and its findings."""
    notice = _notice_or_404(request, pk)
    findings = notice.findings.select_related("rule", "media_account").order_by("media_account__name", "pk")
    return render(request, "audits/notice_detail.html", {"notice": notice, "findings": findings})
