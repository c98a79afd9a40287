"""Exports of the account register (备案登记表) in flat memory, whatever the rows (docs/design.md §5.10, §13).

The CSV is streamed as it is written. An .xlsx cannot be: it is a zip whose directory comes last. Up
to ``xlsx_sync_max_rows()`` rows it is built into a temporary file while the browser waits, and
streamed from there; past that, the request becomes an ``ExportJob``: a worker builds the file row by
row into the site's storage (shared by every machine, as ``settings.STORAGES`` says), the job's page
follows its rows, and the file is kept for a day.
"""

import datetime
import logging
import tempfile
import uuid
from types import SimpleNamespace

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audits.trail.services import record
from registry import spreadsheets
from registry.choices import ExportStatus
from registry.filters import MediaAccountFilter
from registry.models import ExportJob, MediaAccount
from registry.tasks import build_export_job

logger = logging.getLogger(__name__)

DEFAULT_XLSX_SYNC_MAX_ROWS = 5000
KEPT_FOR = datetime.timedelta(days=1)


def xlsx_sync_max_rows() -> int:
    """The most rows an .xlsx is built for while the browser waits; a longer one is a worker's job.
    5,000 rows take about a second to write."""
    return getattr(settings, "REGISTRY_EXPORT_XLSX_SYNC_MAX_ROWS", DEFAULT_XLSX_SYNC_MAX_ROWS)


def media_account_filter(user, query: QueryDict, request=None) -> MediaAccountFilter:
    """The list's FilterSet over ``query`` within ``user``'s scope: the list page's, the export's and
    the worker's, which has no request and is given the requester."""
    return MediaAccountFilter(
        query,
        queryset=MediaAccount.objects.restrict(user, "view"),
        request=request or SimpleNamespace(user=user),
    )


def export_filename(extension: str, job: ExportJob | None = None) -> str:
    """The register's file name in the user's language, dated today (a job's: the day it was asked for)."""
    title = _("Media account register")  # outside the f-string, where makemessages finds it
    day = timezone.localdate(job.created_at) if job else timezone.localdate()
    return f"{title}-{day:%Y%m%d}.{extension}"


@transaction.atomic
def export_job_create(*, actor, kind: str, query: str, rows_total: int) -> ExportJob:
    """Have a worker build a long export for ``actor``: ``query`` is the list's query string, its
    filters already checked; ``rows_total`` the rows it held when asked."""
    job = ExportJob.objects.create(
        kind=kind,
        requested_by=actor,
        query=query,
        language=translation.get_language() or "",
        rows_total=rows_total,
    )
    record(
        "registry.export.requested",
        actor=actor,
        target=job,
        department_id=actor.department_id,
        changes={"after": {"kind": kind, "query": query, "rows_total": rows_total}},
    )
    transaction.on_commit(lambda: build_export_job.delay(job.pk))
    return job


def _claim(job_id: int) -> ExportJob | None:
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().select_related("requested_by").filter(pk=job_id).first()
        # Queued, or left running by a worker that died (the task is acks_late): build it (again).
        if job is None or not job.under_way:
            return None
        job.status, job.started_at, job.rows_done = ExportStatus.RUNNING, timezone.now(), 0
        job.save(update_fields=["status", "started_at", "rows_done"])
        return job


def _fail(job: ExportJob, problem: str) -> ExportJob:
    job.status, job.problem, job.finished_at = ExportStatus.FAILED, problem, timezone.now()
    job.save(update_fields=["status", "problem", "finished_at"])
    return job


def export_job_build(*, job_id: int) -> ExportJob | None:
    """Build a queued export (the worker): the rows the requester sees now under the filters asked
    for, written one by one into a temporary file, then into storage; the job counts them as it goes."""
    job = _claim(job_id)
    if job is None:
        return None
    user = job.requested_by

    def progress(count: int) -> None:
        ExportJob.objects.filter(pk=job.pk).update(rows_done=count)

    with translation.override(job.language or None):
        filterset = media_account_filter(user, QueryDict(job.query))
        if not filterset.is_valid():
            # Checked when asked; a unit filtered on may have left the requester's scope since.
            return _fail(job, _("The list's filters no longer apply; export the list again."))
        try:
            with tempfile.TemporaryFile() as file:
                rows = spreadsheets.write_media_accounts_xlsx(
                    filterset.qs, file, user=user, progress=progress
                )
                file.seek(0)
                # A name nobody guesses: the file is reached through its job, which checks the requester.
                job.file.save(f"{uuid.uuid4().hex}.xlsx", File(file), save=False)
        except Exception:
            # The page stops following a job that will never end; the worker's log has the cause.
            _fail(
                job,
                _(
                    "The file could not be built; export the list again, and tell the system "
                    "administrator if it fails again."
                ),
            )
            raise
    job.status, job.rows_done, job.finished_at = ExportStatus.DONE, rows, timezone.now()
    job.save(update_fields=["status", "rows_done", "file", "finished_at"])
    return job


def export_files_remove(*, now: datetime.datetime | None = None) -> int:
    """Remove the files built more than a day ago (the hourly job); their jobs become expired. Safe
    to repeat, and one file that cannot be removed does not stop the others. The files removed."""
    due = ExportJob.objects.filter(finished_at__lt=(now or timezone.now()) - KEPT_FOR).exclude(file="")
    removed = 0
    for job in due.only("pk", "file"):
        try:
            job.file.storage.delete(job.file.name)
        except OSError:
            logger.exception("The export file %s could not be removed.", job.file.name)
            continue
        ExportJob.objects.filter(pk=job.pk).update(file="", status=ExportStatus.EXPIRED)
        removed += 1
    return removed
