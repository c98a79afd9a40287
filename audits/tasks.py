"""Celery tasks: thin wrappers that call services. Each run is recorded in our own models."""

from celery import shared_task
from django.db import OperationalError

from audits.services import inspections


class RunBusy(Exception):
    """Another inspection run is under way; this one waits its turn."""


@shared_task(
    bind=True,
    acks_late=True,  # a run whose worker dies is redelivered and repeated: runs are idempotent
    reject_on_worker_lost=True,
    autoretry_for=(RunBusy, OperationalError),
    retry_backoff=30,
    max_retries=20,
)
def execute_inspection_run(self, run_id: int) -> None:
    if inspections.inspection_run_execute(run_id=run_id) is None:
        raise RunBusy(run_id)


@shared_task
def scheduled_inspection_run() -> None:
    """The daily run (django-celery-beat; the office may change the time)."""
    inspections.inspection_run_request(actor=None)
