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
