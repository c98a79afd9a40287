"""API tokens do not outlive the password they were made with, and the office sees and revokes
anyone's.

The attack: someone who learnt a user's password makes an API token; the office resets the
password, and the token still works. Every way a password is set (the admin's reset, disabling
password sign-in, ``manage.py changepassword``, the service) revokes the user's tokens, each
revocation recorded.
"""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts import services
from audits.trail.models import AuditEvent

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Secret-77"


def _api_answers(client, key) -> int:
    return client.get("/api/v1/media-accounts/", HTTP_AUTHORIZATION=f"Token {key}").status_code


@pytest.fixture
def stolen(admin_a):
    """A token made by whoever knew the user's password, and one the user had revoked already."""
    old, _old_key = services.api_token_create(actor=admin_a, user=admin_a, name="旧程序")
    services.api_token_revoke(actor=admin_a, token=old)
    token, key = services.api_token_create(actor=admin_a, user=admin_a, name="采集程序")
    return token, key


def _assert_revoked_with_the_password(client, token, key, actor):
    assert _api_answers(client, key) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="accounts.api_token.revoked_with_password")
    assert (event.object_id, event.actor) == (str(token.pk), actor)
    assert event.department_id == token.user.department_id  # the unit's own trail shows it


def test_it_revokes_a_users_tokens_when_the_office_resets_the_password(
    client, client_for, office_admin, stolen
):
    token, key = stolen
    assert _api_answers(client, key) == 200
    response = client_for(office_admin).post(
        reverse("admin:auth_user_password_change", args=[token.user_id]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    _assert_revoked_with_the_password(client, token, key, office_admin)


def test_it_revokes_them_when_password_sign_in_is_disabled(client, client_for, office_admin, stolen):
    token, key = stolen
    response = client_for(office_admin).post(
        reverse("admin:auth_user_password_change", args=[token.user_id]),
        {"usable_password": "false", "unset-password": "1"},
    )
    assert response.status_code == 302
    _assert_revoked_with_the_password(client, token, key, office_admin)


def test_it_revokes_them_when_the_password_is_changed_on_the_command_line(client, monkeypatch, stolen):
    token, key = stolen
    monkeypatch.setattr("getpass.getpass", lambda prompt="": NEW_PASSWORD)  # the terminal
    call_command("changepassword", token.user.username, stdout=None)
    token.user.refresh_from_db()
    assert token.user.check_password(NEW_PASSWORD)
    assert AuditEvent.objects.filter(action="accounts.user.password_changed").count() == 1
    _assert_revoked_with_the_password(client, token, key, None)


def test_it_revokes_them_when_users_change_their_own_password(client, admin_a, stolen):
    token, key = stolen
    services.user_set_password(actor=admin_a, user=admin_a, password=NEW_PASSWORD)
    _assert_revoked_with_the_password(client, token, key, admin_a)


def test_it_leaves_other_users_tokens_alone(client, admin_a, admin_b, stolen):
    _token, key = services.api_token_create(actor=admin_b, user=admin_b, name="b")
    services.user_set_password(actor=admin_a, user=admin_a, password=NEW_PASSWORD)
    assert _api_answers(client, key) == 200


def test_it_lets_the_office_see_and_revoke_any_users_tokens(client, client_for, office_admin, stolen):
    token, key = stolen
    office = client_for(office_admin)
    listing = office.get(reverse("admin:accounts_apitoken_changelist")).content.decode()
    assert "采集程序" in listing and token.prefix in listing
    assert key not in listing and token.digest not in listing
    response = office.post(
        reverse("admin:accounts_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [str(token.pk)], "index": "0"},
    )
    assert response.status_code == 302
    assert _api_answers(client, key) == 401
    event = AuditEvent.objects.filter(action="accounts.api_token.revoked").latest("pk")
    assert (event.object_id, event.actor) == (str(token.pk), office_admin)


def test_it_shows_a_users_tokens_on_the_users_admin_page_to_the_office(client_for, office_admin, stolen):
    token, _key = stolen
    page = client_for(office_admin).get(reverse("admin:accounts_user_change", args=[token.user_id]))
    assert "采集程序" in page.content.decode() and token.prefix in page.content.decode()


def test_it_shows_tokens_to_the_office_only(client_for, auditor, admin_a, stolen):
    token, _key = stolen
    for user in (auditor, admin_a):
        assert client_for(user).get(reverse("admin:accounts_apitoken_changelist")).status_code in (302, 403)
    page = client_for(auditor).get(reverse("admin:accounts_user_change", args=[token.user_id]))
    assert page.status_code == 200 and "采集程序" not in page.content.decode()
