"""The one authorization layer (accounts/rules.py): restrict() per role and action, authorize(),
and the state tables' available actions."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts import rules
from config.states import available
from registry.models import Department, Filing, MediaAccount


@pytest.fixture
def accounts(file_account, department_a, sub_unit_a, department_b):
    return {
        "a": file_account(department_a),
        "below_a": file_account(sub_unit_a),
        "b": file_account(department_b),
    }


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_restrict_gives_the_office_every_row_for_every_action(accounts, office_admin):
    every = _pks(MediaAccount.objects.all())
    assert _pks(MediaAccount.objects.restrict(office_admin, "view")) == every
    assert _pks(MediaAccount.objects.restrict(office_admin, "change")) == every


def test_restrict_lets_an_auditor_read_everything_and_change_nothing(accounts, auditor):
    assert _pks(MediaAccount.objects.restrict(auditor, "view")) == _pks(MediaAccount.objects.all())
    assert not MediaAccount.objects.restrict(auditor, "change").exists()


def test_restrict_gives_a_department_admin_its_units_for_reading_and_changing(accounts, admin_a):
    own = {accounts["a"].pk, accounts["below_a"].pk}
    assert _pks(MediaAccount.objects.restrict(admin_a, "view")) == own
    assert _pks(MediaAccount.objects.restrict(admin_a, "change")) == own
    assert _pks(Filing.objects.restrict(admin_a, "view")) == _pks(
        Filing.objects.filter(media_account__in=own)
    )


def test_restrict_gives_anonymous_inactive_and_unplaced_users_nothing(accounts, admin_a, admin_b):
    assert not MediaAccount.objects.restrict(AnonymousUser(), "view").exists()
    admin_a.is_active = False
    assert not MediaAccount.objects.restrict(admin_a, "view").exists()
    assert not MediaAccount.objects.restrict(admin_a, "change").exists()
    admin_b.department = None
    admin_b._visible_department_ids = None
    assert not Department.objects.restrict(admin_b, "view").exists()


def test_authorize_refuses_with_permission_denied(accounts, office_admin, auditor, admin_a, admin_b):
    rules.authorize(office_admin, "registry.approve_filing")
    rules.authorize(None, "registry.approve_filing")  # the system
    rules.authorize(admin_a, "registry.submit_filing", accounts["below_a"])
    for user, obj in ((admin_b, accounts["a"]), (auditor, accounts["a"])):
        with pytest.raises(PermissionDenied):
            rules.authorize(user, "registry.submit_filing", obj)
    with pytest.raises(PermissionDenied):
        rules.authorize(None, "audits.waive_finding")  # a person's judgement, never the system's


def test_an_unknown_permission_is_a_mistake_not_a_refusal(office_admin):
    with pytest.raises(KeyError):
        rules.allowed(office_admin, "registry.no_such_thing")


def test_the_superuser_flag_grants_none_of_the_project_permissions(admin_a):
    admin_a.is_superuser = True
    assert not admin_a.has_perm("registry.approve_filing")
    assert admin_a.has_perm("registry.file")


def test_the_filing_table_says_who_may_take_which_action(
    file_account, department_a, office_admin, auditor, admin_a, admin_b
):
    filing = file_account(department_a, approve=False, actor=admin_a).filings.get()
    assert available(filing, office_admin) == {"approve", "reject", "withdraw"}
    assert available(filing, admin_a) == {"withdraw"}  # the submitter takes it back
    assert available(filing, admin_b) == set()
    assert available(filing, auditor) == set()
    filing.status = "approved"
    assert available(filing, office_admin) == set()
