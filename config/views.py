"""Infrastructure endpoints that are not part of any app's domain."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.defaults import page_not_found
from kombu import Connection
from rest_framework.exceptions import NotFound


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


def not_found(request, exception):
    """A URL nothing answers: under /api/ in the API's one error shape (an id the router does not
    take, such as ``/api/v1/filings/1.5/``, never reaches a view), elsewhere Django's own page."""
    if request.path.startswith("/api/"):
        body = {"detail": str(NotFound.default_detail), "code": NotFound.default_code}
        return JsonResponse(body, status=404)
    return page_not_found(request, exception)
