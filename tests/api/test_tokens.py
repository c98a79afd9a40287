"""REST clients sign in for a token and then act as their user (docs/design.md §11)."""

import datetime

from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken
from audits.trail.models import AuditEvent
from tests.conftest import PASSWORD


def _token(client, username, password=PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token/", {"username": username, "password": password, **extra}, format="json"
    )


def test_it_issues_a_token_for_the_right_password(admin_a):
    response = _token(APIClient(), "dept-edu", name="采集程序")
    assert response.status_code == 201
    key = response.json()["token"]
    token = ApiToken.objects.get()
    assert token.name == "采集程序" and token.user == admin_a
    assert key not in (token.digest, token.prefix) and key.startswith(token.prefix)
    assert AuditEvent.objects.filter(action="accounts.api_token.created", actor=admin_a).exists()


def test_it_refuses_a_wrong_password_without_saying_whether_the_user_exists(admin_a):
    wrong = _token(APIClient(), "dept-edu", password="nope")
    unknown = _token(APIClient(), "nobody", password="nope")
    assert wrong.status_code == unknown.status_code == 400
    assert wrong.json() == unknown.json()
    assert not ApiToken.objects.exists()


def test_it_lets_a_client_act_with_its_token_and_not_after_revocation(admin_a):
    client = APIClient()
    key = _token(client, "dept-edu").json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/schema/").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None

    services.api_token_revoke(actor=admin_a, token=ApiToken.objects.get())
    response = client.get("/api/schema/")
    assert response.status_code == 401
    assert "authentication_failed" in response.content.decode()


def test_it_refuses_an_expired_token(admin_a):
    _token_row, key = services.api_token_create(
        actor=admin_a, user=admin_a, name="old", expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/schema/").status_code == 401
