"""Lockout after repeated failed sign-ins, the browser form and the token endpoint alike (issue 6)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.models import ApiToken, SignInLockout
from audits.trail.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多"


def _form(client, username, password):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )


def _token(username, password):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )


def _fail_five_times(client, username):
    for _ in range(5):
        response = _form(client, username, "wrong-password")
        assert response.status_code == 200
    return response


def test_five_wrong_passwords_lock_the_form_even_for_the_right_password(client, admin_a):
    for _ in range(4):
        assert LOCKED not in _form(client, "dept-edu", "wrong-password").content.decode()
    fifth = _form(client, "dept-edu", "wrong-password")
    assert LOCKED in fifth.content.decode()
    right = _form(client, "dept-edu", PASSWORD)
    assert right.status_code == 200  # the form again, not a redirect
    assert LOCKED in right.content.decode()
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="accounts.user.locked_out")
    assert event.changes["after"]["username"] == "dept-edu"
    assert event.object_id == str(admin_a.pk)


def test_the_lock_also_closes_the_token_endpoint(client, admin_a):
    _fail_five_times(client, "dept-edu")
    response = _token("dept-edu", PASSWORD)
    assert response.status_code == 400
    assert LOCKED in str(response.json())
    assert not ApiToken.objects.exists()


def test_five_wrong_passwords_at_the_token_endpoint_lock_the_form(client, admin_a):
    for _ in range(5):
        assert _token("dept-edu", "nope").status_code == 400
    assert LOCKED in _token("dept-edu", PASSWORD).content.decode()
    assert LOCKED in _form(client, "dept-edu", PASSWORD).content.decode()


def test_an_unknown_username_gets_the_same_answer(client, admin_a):
    _fail_five_times(client, "dept-edu")
    _fail_five_times(client, "nobody-here")
    known = _form(client, "dept-edu", "wrong-password").context["form"].non_field_errors()
    unknown = _form(client, "nobody-here", "wrong-password").context["form"].non_field_errors()
    assert known == unknown and LOCKED in str(known)
    assert _token("dept-edu", "x").json() == _token("nobody-here", "x").json()


def test_fewer_failures_and_a_success_do_not_lock(client, admin_a):
    for _ in range(4):
        _form(client, "dept-edu", "wrong-password")
    assert _form(client, "dept-edu", PASSWORD).status_code == 302
    client.logout()
    assert not SignInLockout.objects.filter(username="dept-edu").exists()
    for _ in range(4):
        _form(client, "dept-edu", "wrong-password")
    assert not services.sign_in_is_locked("dept-edu", ip="127.0.0.1")


@pytest.mark.parametrize("wrong_at", ["form", "token"])
@pytest.mark.parametrize("right_at", ["form", "token"])
def test_it_clears_the_failures_on_a_success_at_either_door(client, admin_a, wrong_at, right_at):
    # The sequence the office reported: 4 wrong, right, 1 wrong, right — the last must get in.
    def wrong():
        if wrong_at == "form":
            assert _form(client, "dept-edu", "wrong-password").status_code == 200
        else:
            assert _token("dept-edu", "wrong-password").status_code == 400

    def right():
        if right_at == "form":
            response = _form(client, "dept-edu", PASSWORD)
            client.logout()
            return response.status_code == 302
        return _token("dept-edu", PASSWORD).status_code == 201

    for _ in range(4):
        wrong()
    assert right()
    assert not SignInLockout.objects.filter(username="dept-edu").exists()
    wrong()
    assert right()
    assert not services.sign_in_is_locked("dept-edu", ip="127.0.0.1")


def test_the_lock_runs_out(client, admin_a):
    _fail_five_times(client, "dept-edu")
    SignInLockout.objects.filter(username="dept-edu").update(
        locked_until=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert _form(client, "dept-edu", PASSWORD).status_code == 302


@override_settings(SIGN_IN_FAILURE_LIMIT=2, SIGN_IN_LOCKOUT_SECONDS=60)
def test_the_limit_and_period_are_settings(client, admin_a):
    _form(client, "dept-edu", "wrong-password")
    _form(client, "dept-edu", "wrong-password")
    lockout = SignInLockout.objects.get(username="dept-edu")
    assert lockout.is_locked()
    assert lockout.locked_until - lockout.first_failure_at <= datetime.timedelta(seconds=61)


def test_the_office_unlocks_with_an_event(client, office_admin, admin_a):
    _fail_five_times(client, "dept-edu")
    assert services.sign_in_unlock(actor=office_admin, username="dept-edu") is True
    event = AuditEvent.objects.get(action="accounts.user.unlocked")
    assert event.actor == office_admin and event.changes["before"]["username"] == "dept-edu"
    assert _form(client, "dept-edu", PASSWORD).status_code == 302


def test_only_the_office_unlocks(client, admin_a, admin_b):
    _fail_five_times(client, "dept-edu")
    with pytest.raises(PermissionDenied):
        services.sign_in_unlock(actor=admin_b, username="dept-edu")
    assert services.sign_in_is_locked("dept-edu", ip="127.0.0.1")


def test_the_admin_action_unlocks(client, office_admin, admin_a):
    _fail_five_times(client, "dept-edu")
    lockout = SignInLockout.objects.get(username="dept-edu")
    office = Client()
    office.force_login(office_admin)
    listing = office.get("/admin/accounts/signinlockout/")
    assert listing.status_code == 200 and "dept-edu" in listing.content.decode()
    response = office.post(
        "/admin/accounts/signinlockout/", {"action": "unlock", "index": 0, "_selected_action": [lockout.pk]}
    )
    assert response.status_code == 302, [str(m) for m in response.context["messages"]]
    assert not services.sign_in_is_locked("dept-edu", ip="127.0.0.1")
    assert AuditEvent.objects.filter(action="accounts.user.unlocked", actor=office_admin).exists()
