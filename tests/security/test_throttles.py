"""Throttles and lockouts against a client that lies about its address and whose requests spread over
the site's workers (issue 11, item 3).

The attacks run against the production-like site (three gunicorn workers, its cache shared as in
production); each attacker connects from an address of its own on the loopback network (127.0.0.x),
none of them a trusted proxy, so the tests do not spend each other's limits. The rules of the
forwarded-address chain itself need no server and are checked in this process.
"""

import itertools

import pytest
from django.test import RequestFactory

from audits.trail.models import AuditEvent
from config.proxies import client_ip
from tests.conftest import PASSWORD
from tests.production import PASSWORD as SITE_PASSWORD

pytestmark = pytest.mark.django_db

SIGN_IN_RATE = 20  # THROTTLE_SIGN_IN's default, per minute and address: the form and the token endpoint
VERIFY_RATE = 60  # THROTTLE_VERIFY's default
LOCKED = "登录失败次数过多"
_spoofed = (f"203.0.113.{n % 250}" for n in itertools.count(1))


def _client_from(site, address: str):
    client = site.client(address)
    client.headers["Accept-Language"] = "zh-hans"
    return client


def _token(site, client, username: str, password: str, **headers):
    return client.post(
        f"{site.url}/api/v1/auth/token/", json={"username": username, "password": password}, headers=headers
    )


def _verify(site, client, **headers):
    return client.get(f"{site.url}/api/v1/verify/", params={"name": "无此账号"}, headers=headers)


def _form(site, client, username: str, password: str):
    if "csrftoken" not in client.cookies:
        client.get(f"{site.url}/accounts/login/")
    form = {"username": username, "password": password, "csrfmiddlewaretoken": client.cookies["csrftoken"]}
    return client.post(f"{site.url}/accounts/login/", data=form, allow_redirects=False)


def test_it_does_not_let_a_rotating_forwarded_for_escape_the_token_throttle(production_site):
    site = production_site
    client = _client_from(site, "127.0.0.11")
    answers = [
        _token(site, client, "nobody-11", "guess", **{"X-Forwarded-For": next(_spoofed)}).status_code
        for _ in range(SIGN_IN_RATE + 10)
    ]
    assert answers.count(429) == 10 and 429 not in answers[:SIGN_IN_RATE]


def test_it_does_not_let_a_rotating_forwarded_for_escape_the_verify_throttle(production_site):
    site = production_site
    client = _client_from(site, "127.0.0.12")
    answers = [
        _verify(site, client, **{"X-Forwarded-For": next(_spoofed)}).status_code
        for _ in range(VERIFY_RATE + 10)
    ]
    assert answers.count(429) == 10 and 429 not in answers[:VERIFY_RATE]


def test_it_holds_the_rate_across_workers_not_once_per_worker(production_site):
    # Three workers each counting on their own let three times the rate through.
    site = production_site
    client = _client_from(site, "127.0.0.13")
    answers = [_verify(site, client).status_code for _ in range(3 * VERIFY_RATE)]
    assert len(answers) - answers.count(429) == VERIFY_RATE


def test_it_limits_the_browser_sign_in_form(production_site):
    site = production_site
    client = _client_from(site, "127.0.0.14")
    answers = [_form(site, client, f"nobody-14-{n}", "guess") for n in range(SIGN_IN_RATE + 5)]
    codes = [answer.status_code for answer in answers]
    assert codes[:SIGN_IN_RATE] == [200] * SIGN_IN_RATE and codes[SIGN_IN_RATE:] == [429] * 5
    assert "登录尝试过于频繁" in answers[-1].text


def test_it_does_not_let_a_stranger_lock_out_a_user_from_elsewhere(production_site):
    site = production_site
    site.create_user("office-lockout")
    stranger = _client_from(site, "127.0.0.15")
    for _ in range(5):
        assert _form(site, stranger, "office-lockout", "guess").status_code == 200
    refused = _form(site, stranger, "office-lockout", SITE_PASSWORD)
    assert refused.status_code == 200 and LOCKED in refused.text
    assert _token(site, stranger, "office-lockout", SITE_PASSWORD).status_code == 400

    office = _client_from(site, "127.0.0.16")
    assert _form(site, office, "office-lockout", SITE_PASSWORD).status_code == 302
    assert _token(site, _client_from(site, "127.0.0.16"), "office-lockout", SITE_PASSWORD).status_code == 201

    trail = site.python(
        "from audits.models import AuditEvent\n"
        "for event in AuditEvent.objects.filter(action__in=['accounts.user.sign_in_failed',\n"
        "        'accounts.user.locked_out'], changes__after__username='office-lockout').order_by('pk'):\n"
        "    print(event.action, event.ip)\n"
    ).split("\n")
    assert trail.count("accounts.user.sign_in_failed 127.0.0.15") == 5
    assert "accounts.user.locked_out 127.0.0.15" in trail


# --- Which address a request comes from (config/proxies.py) -------------------------------------


def _request(remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **headers)


def test_it_ignores_forwarded_for_unless_a_trusted_proxy_sent_it(settings):
    settings.TRUSTED_PROXIES = []
    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(_request("198.51.100.7", "203.0.113.1")) == "198.51.100.7"


def test_it_takes_the_address_the_nearest_untrusted_hop_was_seen_from(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.1"]
    # The client prepends what it likes; our proxies append what they saw, from the right.
    assert client_ip(_request("10.0.0.2", "1.1.1.1, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2", "1.1.1.1, 203.0.113.9, 192.0.2.1")) == "203.0.113.9"
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "not-an-address")) == "10.0.0.2"
    assert client_ip(_request("10.0.0.2", "10.0.0.3")) == "10.0.0.3"


def test_it_records_the_address_a_trusted_proxy_saw_and_not_one_a_client_claims(client, admin_a, settings):
    form = {"username": "dept-edu", "password": PASSWORD}
    client.post("/accounts/login/", form, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert AuditEvent.objects.get(action="accounts.user.signed_in").ip == "198.51.100.7"
    client.logout()
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    client.post("/accounts/login/", form, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9")
    assert AuditEvent.objects.filter(action="accounts.user.signed_in").latest("pk").ip == "203.0.113.9"


def test_it_holds_the_admins_own_sign_in_form_to_the_same_lockout(client, office_admin, settings):
    settings.SIGN_IN_FAILURE_LIMIT = 2
    form = {"username": office_admin.username, "password": "guess"}
    for _ in range(2):
        client.post("/admin/login/", form, REMOTE_ADDR="198.51.100.9")
    form["password"] = PASSWORD
    refused = client.post("/admin/login/", form, REMOTE_ADDR="198.51.100.9", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert refused.status_code == 200 and LOCKED in refused.content.decode()
    assert client.post("/admin/login/", form, REMOTE_ADDR="198.51.100.10").status_code == 302
