"""Celery tasks: thin wrappers that call services. Each run is recorded in our own models.

A task imports its service when it runs: the services queue these tasks, so importing them here
at load time would make each module need the other first. Each task keeps the name it had in
``audits.tasks`` (``name=``): beat's schedules, a migration and queued messages refer to it.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    name="audits.tasks.anchor_audit_trail",
    autoretry_for=(OperationalError, InterfaceError, OSError),  # a locked database, an unmounted disk
    retry_backoff=60,
    max_retries=5,
)
def anchor_audit_trail() -> int | None:
    """The hourly anchor (``CELERY_BEAT_SCHEDULE``): the trail's head appended to the day's file in
    ``AUDIT_ANCHOR_DIR``; returns the anchored event's id. A repeated run appends the same head
    again, which is harmless."""
    from audits.trail import services as trail

    anchor = trail.trail_anchor()
    return anchor["event"] if anchor else None
