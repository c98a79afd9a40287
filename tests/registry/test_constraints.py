"""The database itself refuses records that break the registry's invariants (docs/design.md §4)."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from accounts.choices import Role
from accounts.models import User
from registry.choices import FilingKind, FilingStatus, MediaAccountStatus, Platform
from registry.models import AccountMetric, Department, Filing, MediaAccount


def _raw_account(department, **fields):
    defaults = {
        "name": "x",
        "platform": Platform.WEIBO,
        "platform_uid": "raw-1",
        "status": MediaAccountStatus.PENDING,
    }
    return MediaAccount(department=department, **{**defaults, **fields})


def _refused(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


def test_it_refuses_a_platform_id_registered_twice(department_a, department_b):
    _raw_account(department_a, platform_uid="same").save()
    _refused(lambda: _raw_account(department_b, platform_uid="same").save())


def test_it_allows_the_same_id_on_another_platform(department_a):
    _raw_account(department_a, platform=Platform.WEIBO, platform_uid="same").save()
    _raw_account(department_a, platform=Platform.DOUYIN, platform_uid="same").save()


def test_it_refuses_a_filing_number_given_twice(department_a):
    _raw_account(department_a, platform_uid="a", status="active", filing_number="XC-2026-0001").save()
    _refused(
        lambda: _raw_account(
            department_a, platform_uid="b", status="active", filing_number="XC-2026-0001"
        ).save()
    )


def test_it_refuses_an_approved_account_without_a_filing_number(department_a):
    _refused(lambda: _raw_account(department_a, status=MediaAccountStatus.ACTIVE).save())


def test_it_refuses_a_merged_account_without_a_target(department_a):
    _refused(lambda: _raw_account(department_a, status=MediaAccountStatus.MERGED, filing_number="n1").save())


def test_it_refuses_an_account_merged_into_itself(department_a):
    account = _raw_account(department_a)
    account.save()
    account.merged_into_id = account.pk
    _refused(account.save)


def test_it_refuses_negative_followers(department_a):
    _refused(lambda: _raw_account(department_a, followers=-1).save())


def test_it_refuses_two_metrics_for_one_account_and_day(department_a):
    account = _raw_account(department_a)
    account.save()
    day = datetime.date(2026, 1, 5)
    AccountMetric.objects.create(media_account=account, date=day)
    _refused(lambda: AccountMetric.objects.create(media_account=account, date=day))


@pytest.mark.parametrize("figure", AccountMetric.FIGURES)
def test_it_refuses_negative_figures(department_a, figure):
    account = _raw_account(department_a)
    account.save()
    _refused(
        lambda: AccountMetric.objects.create(
            media_account=account, date=datetime.date(2026, 1, 5), **{figure: -1}
        )
    )


def test_it_refuses_a_second_open_filing_for_one_account(department_a):
    account = _raw_account(department_a)
    account.save()
    now = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    Filing.objects.create(media_account=account, kind=FilingKind.OPEN, submitted_at=now)
    _refused(lambda: Filing.objects.create(media_account=account, kind=FilingKind.CHANGE, submitted_at=now))


def test_it_refuses_a_decided_filing_without_a_decision_time(department_a):
    account = _raw_account(department_a)
    account.save()
    now = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    _refused(
        lambda: Filing.objects.create(
            media_account=account, kind=FilingKind.OPEN, submitted_at=now, status=FilingStatus.APPROVED
        )
    )


def test_it_refuses_two_departments_with_one_code_or_name(government):
    _refused(
        lambda: Department.objects.create(name="新城区人民政府", code="other", kind="other", sort_order=1)
    )
    _refused(lambda: Department.objects.create(name="另一个", code="gov", kind="other", sort_order=1))


def test_it_refuses_a_department_placed_before_the_first(government):
    _refused(lambda: Department.objects.create(name="另一个", code="other", kind="other", sort_order=0))


def test_it_refuses_a_department_admin_without_a_department(db):
    _refused(lambda: User.objects.create(username="nobody", role=Role.DEPT_ADMIN))


def test_it_allows_office_staff_without_a_department(db):
    User.objects.create(username="office2", role=Role.OFFICE_ADMIN)
