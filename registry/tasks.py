"""Celery tasks: thin wrappers that call services. Each job is recorded in our own model."""

from celery import shared_task


@shared_task(
    acks_late=True,  # a job whose worker died is redelivered and read again from its stored file
    reject_on_worker_lost=True,
)
def read_import_job(job_id: int) -> None:
    """Read and check an uploaded spreadsheet (``registry.imports.import_job_read``)."""
    from registry import imports  # it queues this task: see audits.inspections.tasks

    imports.import_job_read(job_id=job_id)
