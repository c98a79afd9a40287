"""The demo district: what `seed_demo` loads, and that it loads it once. Loaded once for the module,
as every test reads it and rolls back what it changes; a run on an empty database, what it says
and that it keeps off production, are tests/registry/test_seed_demo_runs.py's."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Max, Min, Sum
from django.test import override_settings
from django.utils import timezone

from accounts import permissions
from accounts.choices import Role
from accounts.models import User
from audits.trail.models import AuditEvent
from registry.choices import DepartmentKind, FilingStatus, MediaAccountStatus
from registry.models import AccountMetric, Department, Filing, MediaAccount
from tooling.demo import DEPARTMENTS

PASSWORD = "Seed-Demo-Pass-7"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_settings(settings):
    # pytest-django runs with DEBUG off; the seed is meant for a development site.
    settings.DEBUG = True


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out, **options)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def seeded(module_db, django_db_blocker):
    """The demo district, loaded once for all the module's tests."""
    with django_db_blocker.unblock(), override_settings(DEBUG=True):
        seed()


def model_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_it_loads_a_district_of_units_and_accounts_like_the_model_case():
    assert Department.objects.count() >= 30
    kinds = dict(Department.objects.values_list("kind").annotate(n=Count("pk")))
    assert kinds[DepartmentKind.DISTRICT_GOVERNMENT] == 1
    assert kinds[DepartmentKind.DISTRICT_DEPARTMENT] >= 25 and kinds[DepartmentKind.TOWNSHIP] >= 8
    assert not Department.objects.filter(first_responsible_person="").exists()

    assert MediaAccount.objects.count() >= 100
    assert MediaAccount.objects.values("platform").distinct().count() >= 5
    township_accounts = MediaAccount.objects.filter(department__kind=DepartmentKind.TOWNSHIP)
    assert township_accounts.count() >= 5 and not township_accounts.filter(exception_reason="").exists()
    operators = MediaAccount.objects.annotate(n=Count("operators")).aggregate(low=Min("n"), high=Max("n"))
    assert operators == {"low": 1, "high": 3}
    # One unit, two accounts on a platform: the duplicate_platform rule has something to find.
    assert (
        MediaAccount.objects.values("department", "platform").annotate(n=Count("pk")).filter(n__gt=1).exists()
    )


def test_it_leaves_a_few_filings_in_the_approval_queue():
    pending = Filing.objects.filter(status=FilingStatus.SUBMITTED)
    assert 3 <= pending.count() <= 6
    assert {filing.media_account.status for filing in pending} == {MediaAccountStatus.PENDING}
    assert not AccountMetric.objects.filter(media_account__status=MediaAccountStatus.PENDING).exists()
    active = MediaAccount.objects.filter(status=MediaAccountStatus.ACTIVE)
    assert active.count() == MediaAccount.objects.count() - pending.count()
    assert not active.filter(filing_number__isnull=True).exists()


def test_it_gives_every_approved_account_months_of_daily_metrics():
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    active = MediaAccount.objects.filter(status=MediaAccountStatus.ACTIVE).annotate(
        days=Count("metrics"), figure_posts=Sum("metrics__posts"), newest=Max("metrics__date")
    )
    assert min(account.days for account in active) >= 60
    assert {account.newest for account in active} == {yesterday}

    # The model case: many small accounts, most posting less than once a day, a few strong ones.
    assert 15 <= active.filter(followers__lt=100).count() <= 25
    assert active.filter(followers__gte=50_000).count() >= 3
    assert sum(account.figure_posts < account.days for account in active) > active.count() * 0.7
    three_weeks_ago = yesterday - datetime.timedelta(days=21)
    assert active.filter(last_post_on__lt=three_weeks_ago).count() >= 8
    overdue = AccountMetric.objects.filter(date=yesterday, messages_overdue__gt=0)
    assert 2 <= overdue.count() <= 8


def test_its_accounts_ran_before_their_figures_begin_so_the_rules_judge_them():
    """The demo's approved accounts are no new accounts: the inspection's grace must not hide its
    dormant ones. The accounts still in the approval queue will be new when the office approves them."""
    from audits.inspections.choices import RuleCode
    from audits.inspections.rules import violations

    active = MediaAccount.objects.filter(status=MediaAccountStatus.ACTIVE)
    first_figures = AccountMetric.objects.aggregate(first=Min("date"))["first"]
    assert not active.filter(activated_on__isnull=True).exists()
    assert not active.filter(activated_on__gt=first_figures).exists()
    assert violations(RuleCode.NO_UPDATE, timezone.localdate(), {}).count() >= 8


def test_it_creates_demo_users_of_each_role_with_the_given_password():
    assert User.objects.get(username="office").role == Role.OFFICE_ADMIN
    assert User.objects.get(username="auditor").role == Role.AUDITOR
    for code, *_rest in DEPARTMENTS:
        user = User.objects.get(username=f"dept-{code}")
        assert user.role == Role.DEPT_ADMIN and user.department.code == code
    for user in User.objects.all():
        assert user.check_password(PASSWORD)


def test_it_puts_departments_and_townships_beside_the_government_and_sub_units_below_their_parent():
    top_level = {
        DepartmentKind.DISTRICT_GOVERNMENT,
        DepartmentKind.DISTRICT_DEPARTMENT,
        DepartmentKind.TOWNSHIP,
    }
    assert not Department.objects.filter(kind__in=top_level, parent__isnull=False).exists()
    sub_units = dict(Department.objects.filter(parent__isnull=False).values_list("name", "parent__name"))
    assert sub_units == {
        "区教育考试中心": "区教育局",
        "区疾病预防控制中心": "区卫生健康委",
        "南山街道南山社区": "南山街道",
    }
    assert MediaAccount.objects.get(name="南山社区").department.name == "南山街道南山社区"


def test_it_lets_the_governments_admin_see_and_act_for_the_governments_accounts_only():
    dept_gov = User.objects.get(username="dept-gov")
    government = Department.objects.get(code="gov")
    visible = MediaAccount.objects.restrict(dept_gov, "view")
    assert set(visible) == set(MediaAccount.objects.filter(department=government))
    assert visible.count() == 8
    assert not permissions.can_act_for_department(dept_gov, Department.objects.get(code="agri").pk)
    # A street office's administrator answers for its own 社区 too.
    nanshan = User.objects.get(username="dept-nanshan")
    assert set(MediaAccount.objects.restrict(nanshan, "view").values_list("name", flat=True)) == {
        "南山街道",
        "南山社区",
    }


def test_it_repairs_the_tree_of_an_earlier_demo_through_the_services():
    # What an earlier demo left: every unit below the government, sub-units' accounts on the parent.
    government = Department.objects.get(code="gov")
    Department.objects.filter(parent=None).exclude(pk=government.pk).update(parent=government)
    for account in MediaAccount.objects.filter(department__parent__isnull=False, department__kind="other"):
        MediaAccount.objects.filter(pk=account.pk).update(department=account.department.parent)

    output = seed()
    assert "Put 42 units and 3 media accounts of an earlier demo where they belong." in output
    assert not Department.objects.filter(parent=government).exists()
    assert MediaAccount.objects.get(name="南山社区").department.code == "nanshan-sq"
    moved = AuditEvent.objects.filter(action="registry.department.updated", changes__after__has_key="parent")
    assert moved.count() == 42
    rehomed = AuditEvent.objects.filter(
        action="registry.media_account.updated", changes__after__has_key="department"
    )
    assert rehomed.count() == 3
    assert MediaAccount.objects.restrict(User.objects.get(username="dept-gov"), "view").count() == 8
    assert "Created 0 departments" in output and "Put" not in seed()


def test_it_changes_nothing_on_a_second_run():
    before = model_counts()
    assert "Created 0 departments, 0 users, 0 media accounts" in seed()
    assert model_counts() == before
