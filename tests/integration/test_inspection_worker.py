"""An inspection run executed by a real Celery worker, as the scheduler and the office start it."""

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import OperationalError, connection

from audits.inspections import services as inspections
from audits.inspections.choices import RunStatus
from audits.inspections.models import Finding, InspectionRun
from registry import services
from tests.conftest import established
from tests.integration.conftest import REDIS_URL

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for(run: InspectionRun, status: str, seconds: float = 60) -> InspectionRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            run.refresh_from_db()
        except OperationalError:
            # SQLite's in-memory test database locks whole tables while the worker writes.
            continue
        if run.status == status:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run.pk} is {run.status}, not {status}, after {seconds} s")


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


@pytest.fixture
def district(file_account, department_a):
    accounts = [
        file_account(department_a, operators=[{"name": "李四", "employment": "staff"}]) for _ in range(12)
    ]
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    services.metrics_record(
        actor=None,
        rows=[
            {"media_account": account.pk, "date": yesterday, "posts": n % 3, "followers": 40 * n}
            for n, account in enumerate(accounts)
        ],
    )
    return accounts


def test_it_runs_an_inspection_requested_by_the_office(district, office_admin, worker):
    run = inspections.inspection_run_request(actor=office_admin)
    run = wait_for(run, RunStatus.FINISHED)
    assert run.accounts == 12
    assert Finding.objects.filter(last_run=run).exists()
    assert run.counts["low_reach"]["open"] == 3  # 0, 40 and 80 followers


def test_it_runs_twice_without_duplicates(district, office_admin, worker):
    first = wait_for(inspections.inspection_run_request(actor=office_admin), RunStatus.FINISHED)
    findings = Finding.objects.count()
    second = wait_for(inspections.inspection_run_request(actor=office_admin), RunStatus.FINISHED)
    assert Finding.objects.count() == findings
    assert {code: counts["open"] for code, counts in second.counts.items()} == {
        code: counts["open"] for code, counts in first.counts.items()
    }


@pytest.mark.skipif(not REDIS_URL, reason="needs a broker that redelivers unacknowledged tasks (Redis)")
def test_it_completes_a_run_whose_worker_died_in_the_middle(district, office_admin, broker):
    """acks_late: the broker hands the task to the next worker, which repeats the run from the
    start; the dead worker's transaction was rolled back, so nothing is counted twice."""
    if connection.vendor != "postgresql":
        pytest.skip("the killed worker's open transaction must not lock the whole database (SQLite's would)")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "INSPECTION_PAUSE_SECONDS": "30",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    stalled = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.pausing_worker"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        run = inspections.inspection_run_request(actor=office_admin)
        wait_for(run, RunStatus.RUNNING, seconds=60)
        time.sleep(1)  # the findings are written, not yet committed
        os.killpg(stalled.pid, signal.SIGKILL)
        stalled.wait(timeout=10)
    finally:
        if stalled.poll() is None:
            os.killpg(stalled.pid, signal.SIGKILL)
    assert not Finding.objects.exists()

    from celery.contrib.testing.worker import start_worker

    from config.celery import app

    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30):
        run = wait_for(run, RunStatus.FINISHED, seconds=90)
    assert run.accounts == 12
    duplicates = Finding.objects.values("rule", "media_account").distinct().count()
    assert duplicates == Finding.objects.count() > 0


def _database_url() -> str:
    settings = connection.settings_dict
    assert settings["ENGINE"].endswith("postgresql"), "the worker-loss test needs PostgreSQL"
    host = settings["HOST"] or "127.0.0.1"
    return f"postgres://{settings['USER']}@{host}:{settings['PORT'] or 5432}/{settings['NAME']}"
