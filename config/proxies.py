"""Which address a request comes from.

Behind a reverse proxy every request arrives from the proxy, which names the client in
``X-Forwarded-For``; but anyone can send that header. So it is believed only when the connection
comes from a proxy named in ``TRUSTED_PROXIES``, and then only as far back as our own proxies go:
each appends the address it saw, so the chain is read from the right and the first address that is
not one of ours is the client. Everything that asks for a client's address (throttles, sign-in
limits, the trail, the request id) asks here.
"""

import ipaddress

from django.conf import settings


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str) -> bool:
    """Whether this address is one of the proxies named in ``TRUSTED_PROXIES``."""
    parsed = _address(address)
    return parsed is not None and any(
        parsed in ipaddress.ip_network(proxy, strict=False) for proxy in settings.TRUSTED_PROXIES
    )


def client_ip(request) -> str:
    """The address of the client, as far as our own proxies vouch for it."""
    address = request.META.get("REMOTE_ADDR", "")
    hops = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    while is_trusted_proxy(address) and hops:
        hop = hops.pop().strip()
        if _address(hop) is None:
            # A proxy of ours writes only addresses; anything else came from beyond it.
            break
        address = hop
    return address
