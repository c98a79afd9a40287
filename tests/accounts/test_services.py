import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.choices import Role
from audits.trail.models import AuditEvent


def test_it_records_user_creation_without_the_password(office_admin, department_a):
    user = services.user_create(
        actor=office_admin,
        username="dept-new",
        password="Xq7!long-enough",
        role=Role.DEPT_ADMIN,
        department=department_a,
    )
    event = AuditEvent.objects.get(action="accounts.user.created", object_id=str(user.pk))
    assert event.actor == office_admin and event.department_id == department_a.pk
    assert "password" not in event.changes["after"]
    assert user.check_password("Xq7!long-enough") and not user.is_staff


def test_it_refuses_a_weak_password(office_admin):
    with pytest.raises(ValidationError):
        services.user_create(actor=office_admin, username="weak", password="123", role=Role.AUDITOR)


def test_it_records_a_role_change_as_its_own_event(office_admin, admin_a):
    services.user_update(actor=office_admin, user=admin_a, role=Role.AUDITOR)
    admin_a.refresh_from_db()
    assert admin_a.department is None and admin_a.is_staff
    event = AuditEvent.objects.get(action="accounts.user.role_changed")
    assert event.changes["after"]["role"] == "auditor"


def test_it_lets_only_the_office_manage_users(admin_a, auditor):
    for actor in (admin_a, auditor):
        with pytest.raises(PermissionDenied):
            services.user_create(actor=actor, username="x", password="Xq7!long-enough", role=Role.AUDITOR)


def test_it_records_a_password_change(admin_a):
    services.user_set_password(actor=admin_a, user=admin_a, password="Another-Long-9")
    assert AuditEvent.objects.filter(action="accounts.user.password_changed").count() == 1


@pytest.mark.parametrize(
    "password",
    ["short1A!", "alllowercaseletters", "ALLUPPER12345", "1234567890123"],
)
def test_it_refuses_passwords_below_the_policy(office_admin, password):
    with pytest.raises(ValidationError):
        services.user_create(actor=office_admin, username="weakling", password=password, role=Role.AUDITOR)


def test_it_accepts_a_long_mixed_password(office_admin):
    services.user_create(actor=office_admin, username="strong", password="Mixed-Case-2026", role=Role.AUDITOR)
