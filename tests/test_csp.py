"""The Content-Security-Policy header: our own assets only, relaxed only where a vendor page needs it."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

STRICT = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def test_a_normal_page_carries_the_strict_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == STRICT


def test_a_signed_in_page_and_the_api_carry_it_too(client, office_admin):
    client.force_login(office_admin)
    assert client.get("/")["Content-Security-Policy"] == STRICT
    assert client.get("/api/v1/")["Content-Security-Policy"] == STRICT


def test_the_admin_keeps_the_strict_policy(client, office_admin):
    client.force_login(office_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == STRICT


def test_the_api_docs_allow_inline_styles_but_no_inline_scripts(client, office_admin):
    client.force_login(office_admin)
    page = client.get(reverse("api-docs"))
    policy = page["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy
    html = page.content.decode()
    assert "<script>" not in html  # the start-up script comes from ?script, same origin
    script = client.get(reverse("api-docs") + "?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_a_view_that_sets_its_own_policy_keeps_it(rf):
    from django.http import HttpResponse

    from config.middleware import ContentSecurityPolicyMiddleware

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    response = ContentSecurityPolicyMiddleware(view)(rf.get("/whatever/"))
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
