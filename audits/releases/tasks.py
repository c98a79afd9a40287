"""Celery tasks: thin wrappers that call services (see audits/inspections/tasks.py on the imports)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(autoretry_for=(OperationalError, InterfaceError), retry_backoff=30, max_retries=5)
def follow_release_tasks() -> int:
    """Every few minutes: complete the parts whose account's post carries the original, then mark
    missed the parts of the tasks whose window has ended (``audits.releases.services``)."""
    from audits.releases import services

    return services.release_posts_match() + services.release_parts_close()
