"""What an inspection run costs the database: a fixed number of statements whatever the number of
accounts, units and findings, and no more for the first run on a registry than for a steady one
(issue 13: a province's 100,000 accounts in 2,000 units)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from accounts.models import Notification, User
from audits.inspections import services as inspections
from audits.inspections.choices import RuleCode
from audits.inspections.models import InspectionRun, RectificationNotice
from registry.choices import DepartmentKind, MediaAccountStatus, Platform
from registry.models import Department, MediaAccount

TODAY = datetime.date.today()
YESTERDAY = TODAY - datetime.timedelta(days=1)
ACCOUNTS_PER_UNIT = 5

# Every statement of a run, counted once, the same for the first run and a steady one at any volume.
# PostgreSQL takes two more: the advisory lock that queues the claims, and the figures of the run's
# table of violations for its planner. (One of them records what stands after the run per unit, for
# the dashboard; two write the frequency rule's violations, from posts and from daily figures.)
STATEMENTS_PER_RUN = 43 + 2 * (connection.vendor == "postgresql")


def registry(units: int) -> list[Department]:
    """``units`` units of five accounts and an administrator each, made in bulk: the run reads
    the tables, not how the rows came there. The even units' accounts have never posted (a veto
    finding, so a notice on the first run); the odd units' post daily."""
    departments = Department.objects.bulk_create(
        Department(name=f"单位{n}", code=f"u{n}", kind=DepartmentKind.DISTRICT_DEPARTMENT, sort_order=n + 1)
        for n in range(units)
    )
    User.objects.bulk_create(
        User(username=f"admin-u{n}", role=Role.DEPT_ADMIN, department=unit, email=f"u{n}@example.gov.cn")
        for n, unit in enumerate(departments)
    )
    MediaAccount.objects.bulk_create(
        MediaAccount(
            department=unit,
            name=f"单位{n}号{k}",
            platform=Platform.values[k],
            platform_uid=f"u{n}-{k}",
            status=MediaAccountStatus.ACTIVE,
            filing_number=f"T-{n}-{k}",
            responsible_person="王五",
            followers=1000,
            last_post_on=None if n % 2 == 0 else YESTERDAY,
        )
        for n, unit in enumerate(departments)
        for k in range(ACCOUNTS_PER_UNIT)
    )
    return departments


def run_counting(day: datetime.date) -> tuple[InspectionRun, int]:
    run = InspectionRun.objects.create(inspection_date=day)
    # Django asks SQLite once per connection whether it has JSON functions, the first time a query
    # builds a JSON object: asked here, it is not counted as the first run's cost.
    connection.features.supports_json_field  # noqa: B018
    with CaptureQueriesContext(connection) as statements:
        run = inspections.inspection_run_execute(run_id=run.pk)
    return run, len(statements)


def opened(run: InspectionRun, code: str) -> int:
    return run.counts[code]["opened"]


@pytest.mark.parametrize("units", [2, 12])
def test_a_run_costs_the_same_statements_at_any_volume_first_and_steady(db, units):
    departments = registry(units)
    silent, posting = departments[0::2], departments[1::2]

    first, first_statements = run_counting(YESTERDAY)
    assert opened(first, RuleCode.NO_UPDATE) == len(silent) * ACCOUNTS_PER_UNIT
    assert set(first.notices.values_list("department", flat=True)) == {unit.pk for unit in silent}

    # A day later: one account of each silent unit posted (its finding resolves, the others' are
    # refreshed under the notice they already have); one of each posting unit lost its way for the
    # public to write (a new serious finding, so a new notice).
    MediaAccount.objects.filter(department__in=silent, name__endswith="号0").update(last_post_on=TODAY)
    MediaAccount.objects.filter(department__in=posting, name__endswith="号0").update(has_interaction=False)
    steady, steady_statements = run_counting(TODAY)
    assert steady.counts[RuleCode.NO_UPDATE] == {
        "open": len(silent) * (ACCOUNTS_PER_UNIT - 1),
        "opened": 0,
        "resolved": len(silent),
    }
    assert opened(steady, RuleCode.NO_INTERACTION) == len(posting)
    assert set(steady.notices.values_list("department", flat=True)) == {unit.pk for unit in posting}
    assert RectificationNotice.objects.count() == Notification.objects.count() == units

    assert first_statements == steady_statements == STATEMENTS_PER_RUN
