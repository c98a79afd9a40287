"""Celery tasks: thin wrappers that call services. Each run is recorded in our own models.

A task imports its service when it runs: the services queue these tasks, so importing them here
at load time would make each module need the other first. Each task keeps the name it had in
``audits.tasks`` (``name=``): beat's schedules, a migration and queued messages refer to it.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="audits.tasks.mark_overdue_closure_orders",
    acks_late=True,  # marking is idempotent: a sweep whose worker dies is redelivered and repeated
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),  # a locked SQLite file, a dropped connection
    retry_backoff=60,
    max_retries=5,
)
def mark_overdue_closure_orders() -> int:
    """The daily sweep (``CELERY_BEAT_SCHEDULE``, 01:30 Asia/Shanghai): flag the open closure
    orders past their deadline and tell their units; returns how many were flagged."""
    from audits.campaigns import services as campaigns

    return campaigns.closure_orders_mark_overdue()
