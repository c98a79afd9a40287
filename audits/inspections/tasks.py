"""Celery tasks: thin wrappers that call services. Each run is recorded in our own models.

A task imports its service when it runs: the services queue these tasks, so importing them here
at load time would make each module need the other first. Each task keeps the name it had in
``audits.tasks`` (``name=``): beat's schedules, a migration and queued messages refer to it.
"""

from celery import shared_task
from django.db import OperationalError


class RunBusy(Exception):
    """Another inspection run is under way; this one waits its turn."""


@shared_task(
    name="audits.tasks.execute_inspection_run",
    bind=True,
    acks_late=True,  # a run whose worker dies is redelivered and repeated: runs are idempotent
    reject_on_worker_lost=True,
    autoretry_for=(RunBusy, OperationalError),
    retry_backoff=30,
    max_retries=20,
)
def execute_inspection_run(self, run_id: int) -> None:
    from audits.inspections import services as inspections

    if inspections.inspection_run_execute(run_id=run_id) is None:
        raise RunBusy(run_id)


@shared_task(name="audits.tasks.scheduled_inspection_run")
def scheduled_inspection_run() -> None:
    """The daily run (django-celery-beat; the office may change the time)."""
    from audits.inspections import services as inspections

    inspections.inspection_run_request(actor=None)
