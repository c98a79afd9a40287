import re

from audits.context import RequestContext, bound, new_request_id
from config.proxies import client_ip

# A caller may pass its own id to tie our events to its logs; anything else is replaced.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Gives each request an id that groups the audit events of one user action."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _SAFE_REQUEST_ID.match(given) else new_request_id()
        request.request_id = request_id
        with bound(RequestContext(request_id=request_id, ip=client_ip(request) or None)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
