"""Celery tasks: thin wrappers that call services. Each run is recorded in our own models.

A task imports its service when it runs: the services queue these tasks, so importing them here
at load time would make each module need the other first.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError


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
    from audits.services import inspections

    if inspections.inspection_run_execute(run_id=run_id) is None:
        raise RunBusy(run_id)


@shared_task
def scheduled_inspection_run() -> None:
    """The daily run (django-celery-beat; the office may change the time)."""
    from audits.services import inspections

    inspections.inspection_run_request(actor=None)


@shared_task(
    acks_late=True,  # marking is idempotent: a sweep whose worker dies is redelivered and repeated
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),  # a locked SQLite file, a dropped connection
    retry_backoff=60,
    max_retries=5,
)
def mark_overdue_closure_orders() -> int:
    """The daily sweep (``CELERY_BEAT_SCHEDULE``, 01:30 Asia/Shanghai): flag the open closure
    orders past their deadline and tell their units; returns how many were flagged."""
    from audits.services import campaigns

    return campaigns.closure_orders_mark_overdue()


@shared_task(
    acks_late=True,  # computing a week again replaces its rows: a redelivered task is harmless
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=5,
)
def compute_weekly_index() -> int:
    """The weekly index of the week that ended yesterday (``CELERY_BEAT_SCHEDULE``, Sunday 05:00
    Asia/Shanghai); returns how many accounts were scored."""
    from audits.selectors.index import latest_complete_week
    from audits.services import index

    return index.weekly_index_compute(week_start=latest_complete_week())


@shared_task(
    autoretry_for=(OperationalError, InterfaceError, OSError),  # a locked database, an unmounted disk
    retry_backoff=60,
    max_retries=5,
)
def anchor_audit_trail() -> int | None:
    """The hourly anchor (``CELERY_BEAT_SCHEDULE``): the trail's head appended to the day's file in
    ``AUDIT_ANCHOR_DIR``; returns the anchored event's id. A repeated run appends the same head
    again, which is harmless."""
    from audits.services import trail

    anchor = trail.trail_anchor()
    return anchor["event"] if anchor else None
