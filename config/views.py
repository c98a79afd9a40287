"""Infrastructure endpoints that are not part of any app's domain, and the one handler every
page's state change goes through (:func:`transition`)."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.forms import BaseForm
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import resolve
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from kombu import Connection
from rest_framework.exceptions import NotFound

from accounts.rules import authorize
from config.errors import InvalidTransition
from config.forms import add_service_errors
from config.renderers import error_response


def transition(
    request,
    obj,
    *,
    permission: str,
    form: BaseForm,
    act: Callable[[dict], Any],
    page: Callable[..., HttpResponse],
    form_name: str,
    success: str | Callable[[], str],
    redirect_to: str,
    refetch: Callable[[], Any],
    invalid: str | None = None,
) -> HttpResponse:
    """A state change from a page, the same way everywhere.

    ``obj`` was found through ``restrict(user, "view")`` (404 outside the scope). Then: the
    user's ``permission`` on it (403); the ``form``; the service (``act`` with the cleaned data).
    A refused input is shown on the form with ``invalid`` above it; a refused move
    (``InvalidTransition``: another user acted first, the state moved on) is told as a message
    on the page shown again from a fresh copy (``refetch``) with 409, as the API answers; success
    is told and redirected to ``redirect_to``. ``page(obj, status=..., **{form_name: form})``
    renders the object's page.
    """
    authorize(request.user, permission, obj)
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except InvalidTransition as error:
            messages.error(request, str(error.message))
            return page(refetch(), status=409)
        else:
            messages.success(request, success() if callable(success) else success)
            return redirect(redirect_to)
    messages.error(request, invalid or _("Nothing was saved. Please correct the problems marked below."))
    return page(obj, **{form_name: form})


def job_status(job, *, rows_read: int, rows_total: int | None = None) -> JsonResponse:
    """A worker's job (an import read, an export built) as the page that follows it polls for it
    (static/js/app.js, templates/includes/work_progress.html)."""
    answer = {
        "id": job.pk,
        "status": job.status,
        "label": str(job.get_status_display()),
        "under_way": job.under_way,
        "rows_read": rows_read,
    }
    if rows_total is not None:
        answer["rows_total"] = rows_total
    return JsonResponse(answer)


def _database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure means "down"; the message helps the operator
        return f"error: {exc.__class__.__name__}"
    return "ok"


def _broker_state() -> str:
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}),
            connect_timeout=2,
        ) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def healthz(request):
    """Liveness for load balancers and monitoring: 200 only when the database and broker answer."""
    state = {"database": _database_state(), "broker": _broker_state()}
    healthy = all(value == "ok" for value in state.values())
    return JsonResponse({"status": "ok" if healthy else "error", **state}, status=200 if healthy else 503)


def favicon(request):
    """Browsers ask for /favicon.ico wherever a page names no icon (the admin, the API's JSON): the
    static file, served by WhiteNoise under its hashed name in production (so not a permanent redirect)."""
    return HttpResponseRedirect(static("favicon.ico"))


@csrf_exempt  # it writes nothing, and a client's POST to a wrong URL must hear "not found", not "CSRF"
def api_not_found(request):
    """An /api/ URL that no endpoint serves: the API's one error shape, even with DEBUG on (Django
    answers a URL nothing matches with its HTML debug page then, so this is the last URL pattern).

    Since this pattern makes every /api/ path valid, CommonMiddleware no longer adds a missing final
    slash: a read is redirected here as it would have, a write is told the URL (a redirect loses its body).
    """
    if not request.path_info.endswith("/"):
        match = resolve(request.path_info + "/", getattr(request, "urlconf", None))
        if match.func is not api_not_found:
            if request.method in ("GET", "HEAD"):
                return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
            detail = _("Not found. This URL must end with “/”: %(url)s") % {"url": request.path + "/"}
            return error_response(404, detail, NotFound.default_code)
    return error_response(404, NotFound.default_detail, NotFound.default_code)


def server_error(request):
    """A bug: under /api/ in the API's error shape (a client reads JSON), elsewhere the 500 page."""
    if request.path.startswith("/api/"):
        return error_response(
            500, _("Server error; please try again later. The problem has been logged."), "error"
        )
    return defaults.server_error(request)
