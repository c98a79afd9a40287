"""Content-Security-Policy: pages may load only our own assets.

Every response gets a strict policy unless the view set its own (the evidence view serves
uploads under a sandboxing policy of its own). Two paths are relaxed, and only as far as needed:

* ``/api/docs/`` — Swagger UI (drf-spectacular's sidecar, served from our static files) has a
  small inline ``<style>`` block in its page and sets ``style=`` attributes from JavaScript, so
  styles there allow ``'unsafe-inline'``. Its start-up script is served from the same URL
  (``SpectacularSwaggerSplitView``), so scripts stay ``'self'`` only.
"""

from django.utils.cache import add_never_cache_headers

STRICT_POLICY = {
    "default-src": "'self'",
    "img-src": "'self' data:",
    "style-src": "'self'",
    "script-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

# Path prefix -> directives replaced for that prefix.
RELAXED_POLICIES = {
    "/api/docs/": {"style-src": "'self' 'unsafe-inline'"},
}


def build_policy(path):
    """The policy string for a request path."""
    directives = dict(STRICT_POLICY)
    for prefix, overrides in RELAXED_POLICIES.items():
        if path.startswith(prefix):
            directives.update(overrides)
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    """Sets ``Content-Security-Policy`` on every response that has none yet."""

    header = "Content-Security-Policy"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if self.header not in response:
            response[self.header] = build_policy(request.path)
        return response


class NoStoreMiddleware:
    """``Cache-Control: no-store`` (Django's ``never_cache`` headers) on every answer to a signed-in
    user and on every API answer: a signed-in page or file holds what only that user may see, and a
    shared or back-button cache would hand it to the next person at the machine. Static files
    (WhiteNoise answers them before this runs) and pages for anonymous visitors stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Read after the view: an API token signs the user in only when DRF authenticates it.
        user = getattr(request, "user", None)
        if request.path.startswith("/api/") or (user is not None and user.is_authenticated):
            add_never_cache_headers(response)
        return response
