"""A run that fails on a database error is retried by its Celery task, and the retry runs it."""

import datetime

import pytest
from django.db import OperationalError

from audits.inspections import services as inspections
from audits.inspections.choices import RunStatus
from audits.inspections.models import Finding, InspectionRun
from audits.inspections.tasks import execute_inspection_run

pytestmark = pytest.mark.django_db


def test_it_runs_a_run_again_when_the_task_retries_after_a_database_error(
    file_account, department_a, monkeypatch
):
    file_account(department_a)  # never posted: findings to open
    evaluate, attempts = inspections._evaluate, []

    def locked_once(run):
        attempts.append(run.pk)
        if len(attempts) == 1:
            raise OperationalError("database is locked")  # SQLite, with web, worker and beat on one file
        return evaluate(run)

    monkeypatch.setattr(inspections, "_evaluate", locked_once)
    run = InspectionRun.objects.create(inspection_date=datetime.date.today())
    # apply() runs the task here, retries included (autoretry_for=OperationalError).
    execute_inspection_run.apply(args=[run.pk])
    run.refresh_from_db()
    assert len(attempts) == 2
    assert (run.status, run.error) == (RunStatus.FINISHED, "")
    assert Finding.objects.filter(media_account__department=department_a).exists()


def test_it_leaves_a_finished_run_alone(file_account, department_a):
    file_account(department_a)
    run = InspectionRun.objects.create(inspection_date=datetime.date.today())
    finished = inspections.inspection_run_execute(run_id=run.pk)
    assert inspections.inspection_run_execute(run_id=run.pk).finished_at == finished.finished_at
