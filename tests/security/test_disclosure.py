"""Disclosure: what the site gave away beyond what was asked.

Answers to signed-in users carried no ``Cache-Control``, so a shared or back-button cache could
hand one user's registry to the next person at the machine; gunicorn named itself in ``Server``;
the API's schema and its docs answered anyone, mapping every endpoint and field.
"""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services as account_services

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = [
    "/",
    "/media-accounts/",
    "/media-accounts/export.csv",
    "/trail/",
    "/no-such-page/",
    "/admin/",
    "/api/v1/media-accounts/",
    "/api/schema/",
    "/api/docs/",
]


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_it_forbids_storing_any_answer_to_a_signed_in_user(client_for, office_admin, admin_a):
    for user in (office_admin, admin_a):
        client = client_for(user)
        for url in SIGNED_IN_PAGES:
            response = client.get(url)
            assert _no_store(response), (user.username, url, response.status_code)


def test_it_forbids_storing_any_api_answer(admin_a):
    anonymous = APIClient().get("/api/v1/media-accounts/")
    assert anonymous.status_code == 401 and _no_store(anonymous)
    _token, key = account_services.api_token_create(actor=admin_a, user=admin_a, name="script")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for url in ("/api/v1/media-accounts/", "/api/v1/media-accounts/?format=csv", "/api/v1/no-such-thing/"):
        assert _no_store(client.get(url)), url


def test_it_leaves_answers_to_anonymous_visitors_cacheable(client):
    # The sign-in page forbids storing itself (Django's LoginView): its form carries a CSRF token.
    for url in ("/healthz", "/favicon.ico", "/no-such-page/"):
        assert not _no_store(client.get(url)), url


def test_it_asks_for_sign_in_before_the_api_schema_and_docs(client_for, admin_a):
    assert APIClient().get("/api/schema/").status_code == 401
    anonymous = client_for()
    for url in ("/api/docs/", "/api/docs/?script="):
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), url
    signed_in = client_for(admin_a)
    assert signed_in.get("/api/schema/").status_code == 200
    assert signed_in.get("/api/docs/").status_code == 200


def test_it_keeps_the_server_software_and_signed_in_pages_to_itself_on_the_production_site(
    production_site,
):
    site = production_site
    site.create_user("disclosure-office")
    anonymous = site.client()
    login = anonymous.get(f"{site.url}/accounts/login/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', login.text).group(1)
    static = anonymous.get(f"{site.url}{stylesheet}")
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    signed_in = site.sign_in("disclosure-office")
    answers = [
        login,
        static,
        anonymous.get(f"{site.url}/healthz"),
        anonymous.get(f"{site.url}/no-such-page/"),
        anonymous.get(f"{site.url}/api/schema/"),
        signed_in.get(f"{site.url}/"),
        signed_in.get(f"{site.url}/api/v1/media-accounts/"),
    ]
    for response in answers:
        assert "gunicorn" not in response.headers.get("Server", "").lower(), response.url
    assert answers[4].status_code == 401
    assert all("no-store" in response.headers.get("Cache-Control", "") for response in answers[5:])
