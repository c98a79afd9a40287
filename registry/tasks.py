"""Celery tasks: thin wrappers that call services. Each job is recorded in our own model."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    acks_late=True,  # a job whose worker died is redelivered and read again from its stored file
    reject_on_worker_lost=True,
)
def read_import_job(job_id: int) -> None:
    """Read and check an uploaded spreadsheet (``registry.imports.import_job_read``)."""
    from registry import imports  # it queues this task: see audits.inspections.tasks

    imports.import_job_read(job_id=job_id)


@shared_task(
    acks_late=True,  # adding a month that exists does nothing: a redelivered task is harmless
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=5,
)
def add_metric_months() -> int:
    """The monthly job (``CELERY_BEAT_SCHEDULE``): the daily figures' partitions of the coming
    months on PostgreSQL (``registry.partitions``); returns how many were added."""
    from registry import partitions

    return len(partitions.months_create()) if partitions.is_partitioned() else 0


@shared_task(
    acks_late=True,  # a job whose worker died is redelivered and built again from its query
    reject_on_worker_lost=True,
)
def build_export_job(job_id: int) -> None:
    """Build a long export into storage (``registry.exports.export_job_build``)."""
    from registry import exports  # it queues this task: see audits.inspections.tasks

    exports.export_job_build(job_id=job_id)


@shared_task
def remove_old_export_files() -> int:
    """Remove the exports built more than a day ago (``registry.exports.export_files_remove``)."""
    from registry import exports

    return exports.export_files_remove()
