"""The signed-in user's own pages: notifications and API tokens."""

import datetime

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import ApiTokenForm, SignInForm
from accounts.models import ApiToken, Notification
from config.ids import parse_id

PAGE_SIZE = 50


class SignInView(auth_views.LoginView):
    """The sign-in form; an address refused for trying too often is answered 429."""

    template_name = "accounts/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "throttled"):
            response.status_code = 429
        return response


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
    if not pk:
        ids = None  # all of them
    else:
        # No notification has an id that is not one: mark none, rather than all or a 500.
        ids = [parse_id(pk)] if parse_id(pk) else []
    count = services.notifications_mark_read(actor=request.user, ids=ids)
    if ids and request.POST.get("open"):
        # Only the user's own notification, and only a link within the site, is followed.
        notification = Notification.objects.filter(user=request.user, pk=ids[0]).first()
        target = notification.url if notification else ""
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            return redirect(target)
    if ids is None:
        messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
    return redirect("notification_list")


@login_required
def api_token_list(request):
    """The user's own API tokens: create one (its key is shown this once), see when each was last
    used, revoke one."""
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        expires_at = None
        if form.cleaned_data["valid_days"]:
            expires_at = timezone.now() + datetime.timedelta(days=form.cleaned_data["valid_days"])
        token, new_key = services.api_token_create(
            actor=request.user, user=request.user, name=form.cleaned_data["name"], expires_at=expires_at
        )
        messages.success(
            request,
            _("Token “%(name)s” created. Copy its key now: it is not shown again.") % {"name": token.name},
        )
        form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user).order_by("-created_at", "-pk")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_key": new_key, "now": timezone.now()},
    )


@require_POST
@login_required
def api_token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_token_list")
