"""Celery tasks: thin wrappers that call services (see audits/inspections/tasks.py on the imports)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError


@shared_task(
    acks_late=True,  # a scan whose worker died is redelivered: the posts it held wait unscanned
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=10,
    max_retries=5,
)
def scan_posts() -> int:
    """Scan the posts awaiting the wording scan (``content.services.posts_scan_all``)."""
    from content import services

    return services.posts_scan_all()


@shared_task
def rescan_posts(rule_code: str) -> int:
    """A scan rule changed: its window's posts are scanned again (``content.services.posts_rescan``)."""
    from content import services

    return services.posts_rescan(rule_codes=[rule_code])


@shared_task
def remove_old_post_texts() -> int:
    """The daily job: the texts past the archive's time (``content.services.post_texts_remove``)."""
    from content import services

    return services.post_texts_remove()
