"""Celery tasks: thin wrappers that call services. Each run is recorded in our own models.

A task imports its service when it runs: the services queue these tasks, so importing them here
at load time would make each module need the other first. Each task keeps the name it had in
``audits.tasks`` (``name=``): beat's schedules, a migration and queued messages refer to it.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="audits.tasks.compute_weekly_index",
    acks_late=True,  # computing a week again replaces its rows: a redelivered task is harmless
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=5,
)
def compute_weekly_index() -> int:
    """The weekly index of the week that ended yesterday (``CELERY_BEAT_SCHEDULE``, Sunday 05:00
    Asia/Shanghai); returns how many accounts were scored."""
    from audits.ranking import services as index
    from audits.ranking.selectors import latest_complete_week

    return index.weekly_index_compute(week_start=latest_complete_week())


@shared_task(
    acks_late=True,  # a refresh computes weeks again: a redelivered task is harmless
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    max_retries=5,
)
def refresh_stale_weeks() -> int:
    """Compute again the weeks whose figures changed after they were computed (queued by
    ``weeks_touched`` as the figures commit, and run hourly by ``CELERY_BEAT_SCHEDULE`` for a
    message that was lost); returns how many weeks."""
    from audits.ranking import services as index

    return len(index.stale_weeks_refresh())
