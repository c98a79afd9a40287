"""Writes through the Django admin leave the same trail as any other write.

The attack: the office resets a user's password in the admin and acts as that user unseen, since
only Django's own (mutable) admin log had it. The walk below posts every registered ModelAdmin's
change form, add form, delete page, list edits and actions as the office (a superuser, as
``createsuperuser`` makes it) and asserts that whatever changed in the database came with an audit
event; an admin added later without a trail fails it.
"""

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from accounts import services as user_services
from accounts.choices import Role
from accounts.models import User
from audits.trail.models import AuditChainHead, AuditEvent
from registry.choices import DepartmentKind

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Brand-New-Secret-77"

# What the add form of each admin that lets the office add is posted with.
ADD_FORMS = {
    "accounts.user": {
        "username": "new-clerk",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "role": Role.AUDITOR,
        "usable_password": "true",
    },
    "registry.department": {
        "name": "区文旅局",
        "code": "tour",
        "kind": DepartmentKind.DISTRICT_DEPARTMENT,
        "is_active": "on",
    },
}


@pytest.fixture
def office(office_admin):
    # createsuperuser makes the first office administrator a superuser, who passes every one of
    # Django's own permission checks: the admins of other apps must not rely on them.
    User.objects.filter(pk=office_admin.pk).update(is_superuser=True)
    office_admin.refresh_from_db()
    return office_admin


@pytest.fixture
def world(office, admin_a, department_a, file_account):
    """One object of each kind the admin shows: a pending filing, a locked name, a token…"""
    account = file_account(department_a)
    file_account(department_a, approve=False)
    user_services.api_token_create(actor=admin_a, user=admin_a, name="采集程序")
    for _attempt in range(5):
        user_services.sign_in_failure_count(username="dept-edu", ip="10.0.0.9")
    return account


def _watched_models():
    return [
        model
        for model in apps.get_models()
        if model not in (AuditEvent, AuditChainHead) and model._meta.app_label not in ("admin", "sessions")
    ]


def _state() -> dict:
    """Every row the admin could reach, less the clocks that a save moves by itself."""
    state = {}
    for model in _watched_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if not getattr(field, "auto_now", False) and field.name != "last_login"
        ]
        state[model._meta.label] = list(model._default_manager.order_by("pk").values_list(*fields))
    return state


def _changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _post(client, url, data, what):
    """Post as the office; any change to the database must come with an event."""
    events, before = AuditEvent.objects.count(), _state()
    response = client.post(url, data)
    changed = _changed(before, _state())
    assert response.status_code in (200, 302, 403), f"{what}: {response.status_code}"
    if changed:
        assert AuditEvent.objects.count() > events, f"{what} changed {changed} and recorded no event"
    return response, changed


def _field_data(form) -> dict:
    """What a browser posts for ``form`` as it was shown."""
    data = {}
    for bound in form:
        field, widget, value = bound.field, bound.field.widget, bound.value()
        if field.disabled:
            continue
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value) if not isinstance(value, list) else value
            for index, part in enumerate(parts):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(field, forms.JSONField):
            data[bound.html_name] = field.prepare_value(value)
        elif isinstance(value, (list, tuple)):
            data[bound.html_name] = [str(item) for item in value]
        elif value is not None:
            data[bound.html_name] = str(value)
    return data


def _mutated(form, data: dict) -> dict:
    """The same, with its first free-text field changed: an edit the office might make."""
    for bound in form:
        if type(bound.field) is forms.CharField and not bound.field.disabled and data.get(bound.html_name):
            if not isinstance(bound.field.widget, forms.PasswordInput):
                return {**data, bound.html_name: data[bound.html_name] + "改"}
    return data


def _edited_change_form(response) -> dict:
    """The change form as shown, inlines included, with one edit."""
    form = response.context["adminform"].form
    data = _field_data(form)
    for inline in response.context["inline_admin_formsets"]:
        data.update(_field_data(inline.formset.management_form))
        for inline_form in inline.formset.forms:
            data.update(_field_data(inline_form))
    return _mutated(form, data)


def _admin_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_it_records_a_password_reset_in_the_admin(client_for, office, admin_a):
    client = client_for(office)
    url = reverse("admin:auth_user_password_change", args=[admin_a.pk])
    response = client.post(
        url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    )
    assert response.status_code == 302
    admin_a.refresh_from_db()
    assert admin_a.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="accounts.user.password_changed")
    assert (event.actor, event.object_id) == (office, str(admin_a.pk))
    assert NEW_PASSWORD not in str(event.changes)


def test_it_records_disabling_password_sign_in_in_the_admin(client_for, office, admin_a):
    client = client_for(office)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[admin_a.pk]),
        {"unset-password": "1", "usable_password": "false"},
    )
    assert response.status_code == 302
    admin_a.refresh_from_db()
    assert not admin_a.has_usable_password()
    assert AuditEvent.objects.filter(
        action="accounts.user.password_changed", object_id=str(admin_a.pk)
    ).exists()


def test_it_leaves_a_trail_of_every_admin_write(client_for, office, world):
    client = client_for(office)
    request = _admin_request(office)
    written = []
    for model, model_admin in admin.site._registry.items():
        label = model._meta.label_lower
        objects = list(model._default_manager.order_by("pk"))

        if objects:
            obj = objects[0]
            response = client.get(_url(model, "change", obj.pk))
            assert response.status_code == 200, f"{label} change form: {response.status_code}"
            response, changed = _post(
                client, _url(model, "change", obj.pk), _edited_change_form(response), f"{label} change form"
            )
            if response.status_code == 200:
                errors = response.context["adminform"].form.errors
                assert not errors, f"{label} change form refused the walk's edit: {errors}"
            written += changed

            response, changed = _post(
                client, _url(model, "delete", obj.pk), {"post": "yes"}, f"{label} delete"
            )
            written += changed

        if model_admin.has_add_permission(request):
            assert label in ADD_FORMS, f"{label} may be added in the admin: give the walk its add form"
            response, changed = _post(client, _url(model, "add"), ADD_FORMS[label], f"{label} add form")
            assert response.status_code == 302, (
                f"{label} add form: {response.context['adminform'].form.errors}"
            )
            written += changed

        if model_admin.list_editable and objects:
            response = client.get(_url(model, "changelist"))
            formset = response.context["cl"].formset
            if formset is not None:
                data = {**_field_data(formset.management_form), "_save": "1"}
                for form in formset.forms:
                    data.update(
                        _mutated(form, _field_data(form)) if form is formset.forms[0] else _field_data(form)
                    )
                first = formset.forms[0]
                for name in model_admin.list_editable:
                    bound = first[name]
                    if isinstance(first.fields[name], forms.IntegerField):
                        data[bound.html_name] = str(int(bound.value() or 0) + 1)
                _response, changed = _post(client, _url(model, "changelist"), data, f"{label} list edit")
                written += changed

        objects = list(model._default_manager.order_by("pk"))
        for action in model_admin.get_actions(request):
            data = {
                "action": action,
                "_selected_action": [str(obj.pk) for obj in objects],
                "index": "0",
                "post": "yes",
            }
            _response, changed = _post(client, _url(model, "changelist"), data, f"{label} action {action}")
            written += changed

    # The walk did write (or it proves nothing): users, units, accounts, filings, locks, tokens, jobs.
    assert {
        "accounts.User",
        "accounts.SignInLockout",
        "accounts.ApiToken",
        "registry.Department",
        "registry.MediaAccount",
        "registry.Filing",
        "django_celery_beat.PeriodicTask",
    } <= set(written)
