"""The signed-in user's own pages: notifications."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.models import Notification

PAGE_SIZE = 50


@login_required
def notification_list(request):
    """The user's notifications, newest first."""
    notifications = Notification.objects.filter(user=request.user).order_by("-created_at", "-pk")
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/notifications.html", {"page": page})


@require_POST
@login_required
def notifications_read(request):
    """Mark one notification read (``id``), or all of them; then follow its link if asked (``open``)."""
    pk = request.POST.get("id", "")
    ids = [int(pk)] if pk.isdigit() else None
    count = services.notifications_mark_read(actor=request.user, ids=ids)
    if ids is not None and request.POST.get("open"):
        # Only the user's own notification, and only a link within the site, is followed.
        notification = Notification.objects.filter(user=request.user, pk=ids[0]).first()
        target = notification.url if notification else ""
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
    if ids is None:
        messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notification_list")
