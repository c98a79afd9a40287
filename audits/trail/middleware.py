import re

from audits.trail.context import RequestContext, bound, new_request_id
from config.proxies import client_ip, is_trusted_proxy

# Our own proxy may pass the id it logged, to tie our events to its logs; a client may not (it could
# make its write carry another's id), and anything unsafe to store or echo is replaced.
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestContextMiddleware:
    """Gives each request an id that groups the audit events of one user action."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        from_proxy = is_trusted_proxy(request.META.get("REMOTE_ADDR", ""))
        request_id = given if from_proxy and _SAFE_REQUEST_ID.fullmatch(given) else new_request_id()
        request.request_id = request_id
        with bound(RequestContext(request_id=request_id, ip=client_ip(request) or None)):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
