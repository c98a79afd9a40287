"""Change and close filings, the yearly re-confirmation, and their trail (docs/design.md §5.1, §5.2)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.trail.models import AuditEvent
from config.errors import InvalidTransition
from registry import services
from registry.choices import FilingStatus, MediaAccountStatus


def test_it_applies_a_change_only_when_approved(file_account, admin_a, office_admin, department_a):
    account = file_account(department_a, name="旧名称")
    filing = services.filing_submit_change(
        actor=admin_a,
        media_account=account,
        changes={"name": "新名称", "operators": [{"name": "张三", "employment": "staff"}]},
        reason="更名",
    )
    account.refresh_from_db()
    assert account.name == "旧名称"
    assert filing.changes == {
        "name": "新名称",
        "operators": [{"name": "张三", "phone": "", "employment": "staff"}],
    }

    services.filing_approve(actor=office_admin, filing=filing)
    account.refresh_from_db()
    assert account.name == "新名称"
    assert list(account.operators.values_list("name", flat=True)) == ["张三"]
    changed = AuditEvent.objects.get(action="registry.media_account.changed")
    assert changed.changes["before"]["name"] == "旧名称" and changed.changes["after"]["name"] == "新名称"


def test_it_refuses_a_change_that_changes_nothing_or_what_cannot_be_filed(
    file_account, admin_a, department_a
):
    account = file_account(department_a, name="同名")
    with pytest.raises(ValidationError):
        services.filing_submit_change(actor=admin_a, media_account=account, changes={"name": "同名"})
    with pytest.raises(ValidationError) as error:
        services.filing_submit_change(actor=admin_a, media_account=account, changes={"platform_uid": "new"})
    assert "platform_uid" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.filing_submit_change(actor=admin_a, media_account=account, changes={"url": "not a url"})
    assert "url" in error.value.message_dict
    assert not account.filings.filter(status=FilingStatus.SUBMITTED).exists()


def test_it_allows_one_open_filing_per_account(file_account, admin_a, department_a):
    account = file_account(department_a)
    services.filing_submit_change(actor=admin_a, media_account=account, changes={"responsible_person": "甲"})
    with pytest.raises(InvalidTransition):
        services.filing_submit_close(actor=admin_a, media_account=account, reason="无需要")


def test_it_closes_an_account_with_its_successor(file_account, admin_a, office_admin, department_a):
    account = file_account(department_a)
    successor = file_account(department_a)
    filing = services.filing_submit_close(
        actor=admin_a,
        media_account=account,
        reason="整合到主账号",
        successor=successor,
        notice_url="https://example.gov.cn/notice",
    )
    services.filing_approve(actor=office_admin, filing=filing)
    account.refresh_from_db()
    assert (account.status, account.merged_into, account.closed_on) == (
        MediaAccountStatus.CLOSED,
        successor,
        timezone.localdate(),
    )
    assert AuditEvent.objects.filter(
        action="registry.media_account.closed", object_id=str(account.pk)
    ).exists()


def test_it_refuses_a_close_without_reason_or_with_a_bad_successor(file_account, admin_a, department_a):
    account = file_account(department_a)
    pending = file_account(department_a, approve=False)
    with pytest.raises(ValidationError):
        services.filing_submit_close(actor=admin_a, media_account=account, reason=" ")
    for successor in (account, pending):
        with pytest.raises(ValidationError):
            services.filing_submit_close(
                actor=admin_a, media_account=account, reason="x", successor=successor
            )


def test_it_refuses_change_and_close_of_an_account_that_is_not_active(file_account, admin_a, department_a):
    pending = file_account(department_a, approve=False)
    with pytest.raises(InvalidTransition):
        services.filing_submit_change(actor=admin_a, media_account=pending, changes={"name": "x"})
    with pytest.raises(InvalidTransition):
        services.filing_submit_close(actor=admin_a, media_account=pending, reason="x")


def test_it_refuses_filings_for_other_departments_accounts(file_account, admin_b, auditor, department_a):
    account = file_account(department_a)
    for actor in (admin_b, auditor):
        with pytest.raises(PermissionDenied):
            services.filing_submit_change(actor=actor, media_account=account, changes={"name": "x"})
        with pytest.raises(PermissionDenied):
            services.filing_submit_close(actor=actor, media_account=account, reason="x")


def test_it_reconfirms_a_departments_accounts(file_account, admin_a, admin_b, department_a):
    accounts = [file_account(department_a) for _ in range(3)]
    with pytest.raises(PermissionDenied):
        services.media_accounts_reconfirm(actor=admin_b, media_accounts=accounts)
    assert services.media_accounts_reconfirm(actor=admin_a, media_accounts=accounts) == 3
    for account in accounts:
        account.refresh_from_db()
        assert account.last_confirmed_on == timezone.localdate()
    assert AuditEvent.objects.filter(action="registry.media_account.reconfirmed").count() == 3


def test_it_refuses_to_reconfirm_an_account_that_is_not_live(file_account, admin_a, department_a):
    pending = file_account(department_a, approve=False)
    with pytest.raises(InvalidTransition):
        services.media_accounts_reconfirm(actor=admin_a, media_accounts=[pending])
