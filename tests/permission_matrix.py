"""One helper for the permission matrix: every page and endpoint, for every persona.

    check_matrix(client_for, personas, "get", "/media-accounts/7/",
                 office=200, auditor=200, admin_a=200, admin_b=404, admin_gov=404, anonymous=302)

Each persona is a name in ``personas`` (a user, or ``None`` for anonymous) and the expected
status code; every persona in ``personas`` must be given, so a new persona cannot be forgotten.

An action that changes state (approving a filing) would find the object already changed by
the persona before; pass ``url`` and ``data`` as callables of the persona's name to give each
persona its own object:

    check_matrix(client_for, personas, "post", lambda name: f"/api/v1/filings/{fresh().pk}/approve/", ...)
"""

from collections.abc import Callable


def check_matrix(
    client_for: Callable,
    personas: dict,
    method: str,
    url: str | Callable[[str], str],
    data=None,
    content_type: str = "application/json",
    **expected: int,
):
    label = url if isinstance(url, str) else getattr(url, "__name__", "url")
    missing = set(personas) - set(expected)
    assert not missing, f"no expectation for {sorted(missing)} on {method.upper()} {label}"
    found = {}
    for name, user in personas.items():
        client = client_for(user)
        call = getattr(client, method.lower())
        body = data(name) if callable(data) else data
        kwargs = {"data": body} if body is not None else {}
        if method.lower() != "get" and body is not None:
            kwargs["content_type"] = content_type
        found[name] = call(url(name) if callable(url) else url, **kwargs).status_code
    assert found == {name: expected[name] for name in personas}, f"{method.upper()} {label}"
