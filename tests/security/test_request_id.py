"""A request id in the trail is the server's or our own proxy's, never a client's (issue 11, item 8):
otherwise a unit's write could carry the office's request id and pass in the trail for part of the
office's action."""

import pytest

from audits.trail.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"


def _sign_in(client, request_id: str, remote: str):
    client.post(
        "/accounts/login/",
        {"username": "dept-edu", "password": PASSWORD},
        HTTP_X_REQUEST_ID=request_id,
        REMOTE_ADDR=remote,
    )
    client.logout()
    return AuditEvent.objects.filter(action="accounts.user.signed_in").latest("pk").request_id


def test_it_makes_its_own_id_when_a_client_names_one(client, admin_a, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    recorded = _sign_in(client, "office-request-0001", "198.51.100.7")
    assert recorded != "office-request-0001" and len(recorded) == 32
    answer = client.get(
        "/accounts/login/", HTTP_X_REQUEST_ID="office-request-0001", REMOTE_ADDR="198.51.100.7"
    )
    assert answer["X-Request-ID"] != "office-request-0001"


def test_it_keeps_the_id_a_trusted_proxy_names(client, admin_a, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert _sign_in(client, "proxy-request-0001", PROXY) == "proxy-request-0001"
    answer = client.get("/accounts/login/", HTTP_X_REQUEST_ID="proxy-request-0002", REMOTE_ADDR=PROXY)
    assert answer["X-Request-ID"] == "proxy-request-0002"


@pytest.mark.parametrize(
    "unsafe",
    [
        "<meta http-equiv=refresh>",
        "a b c d e f g",
        "x" * 65,
        "short",
        "id-with-newline-0001\n",
        "请求编号请求编号",
    ],
)
def test_it_replaces_an_unsafe_id_even_from_a_trusted_proxy(client, admin_a, settings, unsafe):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    recorded = _sign_in(client, unsafe, PROXY)
    assert recorded != unsafe and len(recorded) == 32
