"""One helper for the permission matrix: every page and endpoint, for every persona.

    check_matrix(client_for, personas, "get", "/media-accounts/7/",
                 office=200, auditor=200, admin_a=200, admin_b=404, anonymous=302)

Each persona is a name in ``personas`` (a user, or ``None`` for anonymous) and the expected
status code; every persona in ``personas`` must be given, so a new persona cannot be forgotten.
"""

from collections.abc import Callable


def check_matrix(client_for: Callable, personas: dict, method: str, url: str, data=None, **expected: int):
    missing = set(personas) - set(expected)
    assert not missing, f"no expectation for {sorted(missing)} on {method.upper()} {url}"
    found = {}
    for name, user in personas.items():
        client = client_for(user)
        call = getattr(client, method.lower())
        kwargs = {"data": data} if data is not None else {}
        if method.lower() != "get" and data is not None:
            kwargs["content_type"] = "application/json"
        found[name] = call(url, **kwargs).status_code
    assert found == {name: expected[name] for name in personas}, f"{method.upper()} {url}"
