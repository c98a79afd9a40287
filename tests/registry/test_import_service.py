"""First registration by import: every row checked first, then all or nothing."""

import pytest

from audits.trail.models import AuditEvent
from registry import services
from registry.choices import FilingStatus, MediaAccountStatus
from registry.models import MediaAccount


def _row(number, **cells):
    defaults = {
        "department_code": "edu",
        "name": f"账号{number}",
        "platform": "微信公众号",
        "platform_uid": f"gh_{number}",
    }
    return {"row": number, **defaults, **cells}


def test_it_imports_good_rows_as_active_numbered_accounts(office_admin, department_a, department_b):
    rows = [
        _row(2, verified="是", functions="信息发布、政务服务", url="https://mp.weixin.qq.com/x"),
        _row(3, department_code="health", platform="weibo", has_interaction="否"),
    ]
    accounts = services.media_accounts_import(actor=office_admin, rows=rows)
    assert [a.status for a in accounts] == [MediaAccountStatus.ACTIVE] * 2
    first, second = MediaAccount.objects.order_by("pk")
    assert first.verified and first.functions == ["information", "service"] and first.has_interaction
    assert second.department == department_b and second.platform == "weibo" and not second.has_interaction
    assert first.filing_number and second.filing_number and first.filing_number != second.filing_number
    assert first.filings.get().status == FilingStatus.APPROVED
    assert AuditEvent.objects.filter(action="registry.media_account.imported").count() == 2


def test_it_lists_every_bad_row_and_writes_nothing(office_admin, file_account, department_a):
    existing = file_account(department_a, platform="weibo")
    rows = [
        _row(2),
        _row(3, department_code="nope"),
        _row(4, platform="火星"),
        _row(5, platform="weibo", platform_uid=existing.platform_uid),
        _row(6, platform_uid="gh_2"),
        _row(7, name="", verified="也许"),
        _row(8, url="not-a-url"),
    ]
    events_before = AuditEvent.objects.count()
    with pytest.raises(services.ImportRejected) as rejected:
        services.media_accounts_import(actor=office_admin, rows=rows)
    found = {(error.row, error.field) for error in rejected.value.row_errors}
    assert found == {
        (3, "department_code"),
        (4, "platform"),
        (5, "platform_uid"),
        (6, "platform_uid"),
        (7, "name"),
        (7, "verified"),
        (8, "url"),
    }
    assert MediaAccount.objects.count() == 1
    assert AuditEvent.objects.count() == events_before


def test_it_checks_without_writing_on_a_dry_run(office_admin, department_a):
    accounts = services.media_accounts_import(actor=office_admin, rows=[_row(2)], dry_run=True)
    assert len(accounts) == 1 and not MediaAccount.objects.exists()


def test_it_refuses_an_empty_file(office_admin):
    with pytest.raises(services.ImportRejected):
        services.media_accounts_import(actor=office_admin, rows=[])


def test_it_refuses_a_unit_no_longer_active(office_admin, department_a):
    services.department_update(actor=office_admin, department=department_a, is_active=False)
    with pytest.raises(services.ImportRejected) as rejected:
        services.media_accounts_import(actor=office_admin, rows=[_row(2)])
    assert [(error.row, error.field, error.message) for error in rejected.value.row_errors] == [
        (2, "department_code", "单位“区教育局”已停用，不能再登记账号。")
    ]


def test_it_reads_up_to_three_operators_by_label_or_code(office_admin, department_a):
    row = _row(
        2,
        operator1_name="李明",
        operator1_employment="staff",
        operator3_name="王芳",
        operator3_phone="0571-88888888",
        operator3_employment="兼职人员",
    )
    (account,) = services.media_accounts_import(actor=office_admin, rows=[row])
    assert list(account.operators.values_list("name", "phone", "employment")) == [
        ("李明", "", "staff"),
        ("王芳", "0571-88888888", "part_time"),
    ]
