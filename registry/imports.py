"""Imports of spreadsheets (the registration form, daily figures) as jobs: the web process stores
the upload and answers at once, a worker reads it within a CPU-time budget (``registry.reading``)
and checks it, and the page follows the job until its check page can be shown; the uploader then
confirms and the rows are written, all or nothing.

A file's cost is what its content says, not what it weighs (3.3 million empty rows zip into 33 KB),
so no web worker ever reads one.
"""

import datetime
import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.rules import authorize
from audits.trail.services import record
from content import services as content_services
from content import spreadsheets as content_spreadsheets
from registry import metrics, reading, services, spreadsheets
from registry.choices import ImportKind, ImportStatus
from registry.models import ImportJob
from registry.services import RowError
from registry.tasks import read_import_job

UNCONFIRMED_FOR = datetime.timedelta(days=1)


def import_permission(kind: str) -> str:
    """The office imports the registry; the office and the units import daily figures and posts."""
    return {
        ImportKind.MEDIA_ACCOUNTS: "registry.import_accounts",
        ImportKind.METRICS: "registry.enter_metrics",
        ImportKind.POSTS: "content.enter_posts",
    }[kind]


def _check_media_accounts(user, sheet: spreadsheets.ImportSheet) -> tuple[list[RowError], list, dict]:
    """Every problem of the sheet's rows, by a dry run of the import; a formula cell is told once."""
    errors = list(sheet.errors)
    try:
        services.media_accounts_import(actor=user, rows=sheet.rows, dry_run=True)
    except services.ImportRejected as rejected:
        formula_cells = {(error.row, error.field) for error in sheet.errors}
        errors += [error for error in rejected.row_errors if (error.row, error.field) not in formula_cells]
    return sorted(errors, key=lambda error: error.row), sheet.rows, {}


def _check_metrics(user, sheet: spreadsheets.ImportSheet) -> tuple[list[RowError], Any, dict]:
    checked = metrics.check_metric_sheet(user, sheet)
    # The rows go to metrics_record as checked, for the user who confirms, not checked again.
    return (
        checked.errors,
        checked,
        {"media_accounts": checked.media_accounts, "replaced": checked.replaced},
    )


def _check_posts(user, sheet: spreadsheets.ImportSheet) -> tuple[list[RowError], Any, dict]:
    checked = content_spreadsheets.check_post_sheet(user, sheet)
    return checked.errors, checked, {"media_accounts": len({row["media_account"] for row in checked.rows})}


@dataclass(frozen=True)
class Kind:
    """What one kind of import does its own way; the job, its pages and its confirmation are shared."""

    read: Callable[..., spreadsheets.ImportSheet]  # the file's rows, as cell text (the worker)
    # The rows' problems, the rows to write (a sized collection the write service takes) and what the
    # check page says of them beyond their count.
    check: Callable[[Any, spreadsheets.ImportSheet], tuple[list[RowError], Any, dict]]
    write: Callable[..., Any]  # the service that writes the rows, all or nothing


KINDS = {
    ImportKind.MEDIA_ACCOUNTS: Kind(
        spreadsheets.read_import, _check_media_accounts, services.media_accounts_import
    ),
    ImportKind.METRICS: Kind(metrics.read_metric_sheet, _check_metrics, services.metrics_record),
    # Posts are content's (content/); they come in through the same flow.
    ImportKind.POSTS: Kind(content_spreadsheets.read_post_sheet, _check_posts, content_services.posts_record),
}


def _check(job: ImportJob, sheet: spreadsheets.ImportSheet) -> dict:
    """What the check page shows of a read sheet: its rows, their problems, for figures the counts."""
    errors, _rows, summary = KINDS[job.kind].check(job.uploaded_by, sheet)
    return {
        "columns": sheet.columns,
        "rows": sheet.rows,
        "errors": [asdict(error) for error in errors],
        "summary": summary,
    }


def confirmable_job(user, kind: str, job_id) -> ImportJob | None:
    """The user's own job of that kind, read without problems and not imported yet."""
    return ImportJob.objects.filter(
        pk=job_id, uploaded_by=user, kind=kind, status=ImportStatus.DONE, imported_at__isnull=True
    ).first()


def job_sheet(job: ImportJob) -> spreadsheets.ImportSheet:
    """The sheet a finished job read (its rows as cell text)."""
    return spreadsheets.ImportSheet(columns=job.result.get("columns", []), rows=job.result.get("rows", []))


def job_errors(job: ImportJob) -> list[RowError]:
    return [RowError(**error) for error in job.result.get("errors", [])]


@transaction.atomic
def import_job_create(*, actor, kind: str, name: str, data: bytes) -> ImportJob:
    """Store an upload whose type and size the form has checked, and have a worker read it."""
    authorize(actor, import_permission(kind))
    _expire_unconfirmed()
    job = ImportJob.objects.create(
        kind=kind,
        uploaded_by=actor,
        file_name=name[:255],
        extension=spreadsheets.import_extension(name),
        language=translation.get_language() or "",
        data=data,
    )
    record(
        "registry.import.uploaded",
        actor=actor,
        target=job,
        department_id=actor.department_id,
        changes={"after": {"kind": kind, "file_name": job.file_name, "size": len(data)}},
    )
    transaction.on_commit(lambda: read_import_job.delay(job.pk))
    return job


def _expire_unconfirmed() -> None:
    # Checked rows nobody confirmed within a day are dropped (the registry has moved on since);
    # cheap enough to do at each new upload.
    ImportJob.objects.filter(
        status=ImportStatus.DONE, imported_at__isnull=True, finished_at__lt=timezone.now() - UNCONFIRMED_FOR
    ).update(
        status=ImportStatus.FAILED,
        result={},
        problem=_("The uploaded file is no longer here; upload it again."),
    )


def _claim(job_id: int) -> ImportJob | None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().select_related("uploaded_by").filter(pk=job_id).first()
        # Queued, or left running by a worker that died (the task is acks_late): read it (again).
        if job is None or not job.under_way:
            return None
        job.status = ImportStatus.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
        return job


def import_job_read(*, job_id: int) -> ImportJob | None:
    """Read and check a queued upload (the worker): the job ends read, with the rows and their
    problems, or refused, with the reason; the file itself is dropped either way."""
    job = _claim(job_id)
    if job is None:
        return None

    def progress(count: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(rows_read=count)

    read = functools.partial(KINDS[job.kind].read, bytes(job.data), extension=job.extension)
    with translation.override(job.language or None):
        try:
            sheet = reading.read_within_budget(
                read,
                seconds=spreadsheets.import_cpu_seconds(),
                memory=spreadsheets.import_memory_bytes(),
                progress=progress,
            )
            job.result, job.problem, job.status = _check(job, sheet), "", ImportStatus.DONE
        except spreadsheets.SpreadsheetRejected as rejected:
            job.result, job.problem, job.status = {}, str(rejected.message), ImportStatus.FAILED
        except Exception:
            # Nothing the uploader can mend: the page stops following a job that will never end.
            problem = _(
                "The file could not be checked; upload it again, and tell the system administrator if "
                "it fails again."
            )
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED, problem=problem, finished_at=timezone.now()
            )
            raise
    job.refresh_from_db(fields=["rows_read"])
    job.data, job.finished_at = b"", timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "problem", "result", "data", "finished_at"])
        record(
            "registry.import.read",
            target=job,
            department_id=job.uploaded_by.department_id,
            changes={
                "after": {
                    "status": job.status,
                    "rows_read": job.rows_read,
                    "rows": len(job.result.get("rows", [])),
                    "errors": len(job.result.get("errors", [])),
                    "problem": job.problem,
                }
            },
        )
    return job


@transaction.atomic
def import_job_confirm(*, actor, job: ImportJob) -> dict:
    """Write a checked job's rows, all or nothing, and mark it imported; the counts written.

    Checked again first: the registry may have changed since the check (an ID registered
    meanwhile, an account moved out of the user's scope); ``ImportRejected`` lists the problems.
    """
    kind = KINDS[job.kind]
    errors, rows, summary = kind.check(actor, job_sheet(job))
    if errors:
        raise services.ImportRejected(errors)
    kind.write(actor=actor, rows=rows)
    # A job is confirmed once; its rows are dropped (the import recorded its own events).
    ImportJob.objects.filter(pk=job.pk, uploaded_by=actor).update(imported_at=timezone.now(), result={})
    return {"rows": len(rows), **summary}
