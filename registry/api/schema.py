"""What drf-spectacular needs to know about our API that it cannot see in the code.

Imported by ``registry.api.views`` so it is loaded before any schema is generated.
"""

from drf_spectacular.authentication import TokenScheme


class ApiTokenScheme(TokenScheme):
    """``Authorization: Token <key>``, as DRF's own token scheme, for our hashed tokens."""

    target_class = "accounts.api.authentication.ApiTokenAuthentication"
    priority = 0
