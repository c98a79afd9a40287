"""The one rate limit of the site: DRF's scoped throttle, for the API and the sign-in form alike.

Counts are kept in the default cache, which every web worker shares (``CACHE_URL``), per client
address as ``config.proxies`` tells it, never as a header the client chose says.
"""

from rest_framework import throttling
from rest_framework.settings import api_settings

from config.proxies import client_ip


class ScopedRateThrottle(throttling.ScopedRateThrottle):
    """A view's ``throttle_scope`` at its rate in ``DEFAULT_THROTTLE_RATES``, per user or address."""

    def get_ident(self, request):
        return client_ip(request)

    def get_rate(self):
        # DRF copies the rates into the class once, at import; reading them per request lets a
        # changed setting take effect, as the tests' ``settings`` fixture does.
        self.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
        return super().get_rate()
