"""The daily overdue sweep as Celery runs it: a thin task over the service, on beat's schedule."""

from unittest import mock

import pytest
from django.db import OperationalError
from django_celery_beat.models import PeriodicTask
from django_celery_beat.schedulers import DatabaseScheduler

from audits.campaigns import services
from audits.campaigns.models import ClosureOrder
from audits.campaigns.tasks import mark_overdue_closure_orders
from audits.trail.models import AuditEvent
from config.celery import app
from tests.campaigns import campaign, days_from_now, ordered

TASK = "audits.tasks.mark_overdue_closure_orders"


@pytest.fixture
def late_order(office_admin, admin_a, department_a, file_account):
    account = file_account(department_a)
    return ordered(office_admin, admin_a, campaign(office_admin), account, deadline=days_from_now(-1))


def test_it_marks_the_overdue_orders_and_a_second_run_changes_nothing(late_order):
    assert mark_overdue_closure_orders() == 1
    late_order.refresh_from_db()
    assert late_order.overdue_since == days_from_now(0)

    assert mark_overdue_closure_orders() == 0
    assert list(ClosureOrder.objects.values_list("overdue_since", flat=True)) == [days_from_now(0)]
    assert AuditEvent.objects.filter(action="audits.closure_order.overdue").count() == 1


def test_it_retries_when_the_database_fails(late_order):
    real, failures = services.closure_orders_mark_overdue, [OperationalError("database is locked")]

    def flaky():
        if failures:
            raise failures.pop()
        return real()

    with mock.patch("audits.campaigns.services.closure_orders_mark_overdue", side_effect=flaky) as sweep:
        result = mark_overdue_closure_orders.apply()
    assert result.get() == 1 and sweep.call_count == 2


def test_it_is_acknowledged_only_once_done():
    assert mark_overdue_closure_orders.acks_late and mark_overdue_closure_orders.reject_on_worker_lost


def _beat_starts() -> None:
    """What ``celery beat`` does on start with the DatabaseScheduler: install the settings' entries."""
    scheduler = DatabaseScheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    scheduler._finalize.cancel()  # no sync at interpreter exit, when the test database is gone


# Beat closes stale connections between ticks; inside a test's transaction that would close the
# test's own connection, so these tests commit as beat does.
@pytest.mark.django_db(transaction=True)
def test_it_installs_the_daily_sweep_at_half_past_one_in_shanghai():
    _beat_starts()
    task = PeriodicTask.objects.select_related("crontab").get(task=TASK)
    crontab = task.crontab
    assert task.enabled and task.interval is None
    assert (
        crontab.minute,
        crontab.hour,
        crontab.day_of_month,
        crontab.month_of_year,
        crontab.day_of_week,
    ) == (
        "30",
        "1",
        "*",
        "*",
        "*",
    )
    assert str(crontab.timezone) == "Asia/Shanghai"


@pytest.mark.django_db(transaction=True)
def test_it_keeps_one_entry_and_the_offices_switch_across_beat_restarts():
    _beat_starts()
    PeriodicTask.objects.filter(task=TASK).update(enabled=False)  # switched off in the admin
    _beat_starts()
    assert list(PeriodicTask.objects.filter(task=TASK).values_list("enabled", flat=True)) == [False]
