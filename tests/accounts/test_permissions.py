"""The one scoping rule (docs/design.md §6.1): office and auditors see all; a department admin its subtree."""

from django.contrib.auth.models import AnonymousUser

from accounts import permissions
from registry.models import Department, MediaAccount


def test_it_shows_office_and_auditor_every_department(office_admin, auditor, department_a, department_b):
    assert permissions.visible_department_ids(office_admin) is permissions.ALL
    assert permissions.visible_department_ids(auditor) is permissions.ALL


def test_it_shows_a_department_admin_its_unit_and_those_below(
    admin_a, department_a, sub_unit_a, department_b
):
    assert permissions.visible_department_ids(admin_a) == {department_a.pk, sub_unit_a.pk}
    assert set(Department.objects.restrict(admin_a, "view")) == {department_a, sub_unit_a}


def test_it_shows_anonymous_and_inactive_users_nothing(admin_a, department_a):
    assert permissions.visible_department_ids(AnonymousUser()) == set()
    admin_a.is_active = False
    assert permissions.visible_department_ids(admin_a) == set()


def test_it_scopes_media_accounts_through_their_department(
    file_account, admin_a, admin_b, department_a, sub_unit_a, department_b
):
    mine = file_account(department_a)
    below = file_account(sub_unit_a)
    theirs = file_account(department_b)
    assert set(MediaAccount.objects.restrict(admin_a, "view")) == {mine, below}
    assert set(MediaAccount.objects.restrict(admin_b, "view")) == {theirs}


def test_it_lets_only_office_and_own_admins_act_for_a_department(
    office_admin, auditor, admin_a, admin_b, department_a
):
    assert permissions.can_act_for_department(office_admin, department_a.pk)
    assert permissions.can_act_for_department(admin_a, department_a.pk)
    assert not permissions.can_act_for_department(admin_b, department_a.pk)
    assert not permissions.can_act_for_department(auditor, department_a.pk)
