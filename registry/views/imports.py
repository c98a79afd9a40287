"""The one flow of a spreadsheet import, whatever its kind (the account register, daily figures):
upload → a worker reads and checks the file (``registry.imports``) while the job's own page follows
it → the check page, with the file's problems or its rows → confirm, all or nothing. Nothing is
written before the confirmation; between the two steps the rows wait in the job.

Each kind's pages, column labels and messages are in ``FLOWS``; its reader, its check and its
writing in ``registry.imports.KINDS``.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import authorize
from config.views import job_status
from content import spreadsheets as content_spreadsheets
from registry import imports, metrics, services, spreadsheets
from registry.choices import ImportKind, ImportStatus
from registry.forms import ImportConfirmForm, ImportUploadForm
from registry.models import ImportJob

PREVIEW_ROWS = 200  # rows shown on the check page; every bad row is listed whatever the count


@dataclass(frozen=True)
class Flow:
    """One kind of import's pages."""

    upload_url: str  # URL names
    confirm_url: str
    done_url: str  # where the user lands once the rows are written
    upload_template: str
    check_template: str
    column_label: Callable[[str], str]
    limits: Callable[[], dict]  # what the upload page says of the file's size
    done: Callable[[dict], str]  # the message once written, from the counts of ``import_job_confirm``


FLOWS = {
    ImportKind.MEDIA_ACCOUNTS: Flow(
        upload_url="media_accounts_import",
        confirm_url="media_accounts_import_confirm",
        done_url="media_account_list",
        upload_template="registry/import_upload.html",
        check_template="registry/import_preview.html",
        column_label=spreadsheets.column_label,
        limits=lambda: {"max_size": filesizeformat(spreadsheets.import_max_bytes())},
        done=lambda counts: _("%(count)d media accounts imported.") % {"count": counts["rows"]},
    ),
    ImportKind.METRICS: Flow(
        upload_url="metrics_import",
        confirm_url="metrics_import_confirm",
        done_url="metrics_import",
        upload_template="registry/metric_import_upload.html",
        check_template="registry/metric_import_preview.html",
        column_label=metrics.column_label,
        limits=lambda: {
            "max_mb": f"{spreadsheets.import_max_bytes() / 1024 / 1024:g}",
            "max_rows": metrics.MAX_ROWS,
        },
        done=lambda counts: (
            _("Daily figures imported: %(rows)d rows for %(accounts)d accounts (%(replaced)d days replaced).")
            % {"rows": counts["rows"], "accounts": counts["media_accounts"], "replaced": counts["replaced"]}
        ),
    ),
    ImportKind.POSTS: Flow(
        upload_url="posts_import",
        confirm_url="posts_import_confirm",
        done_url="posts_import",
        upload_template="content/post_import_upload.html",
        check_template="content/post_import_preview.html",
        column_label=content_spreadsheets.post_column_label,
        limits=lambda: {
            "max_mb": f"{spreadsheets.import_max_bytes() / 1024 / 1024:g}",
            "max_rows": spreadsheets.MAX_IMPORT_ROWS,
        },
        done=lambda counts: (
            _("Posts imported: %(rows)d for %(accounts)d accounts; their wording is checked in a moment.")
            % {"rows": counts["rows"], "accounts": counts["media_accounts"]}
        ),
    ),
}


def _upload_page(request, flow: Flow, form):
    # Shown again at the job's address when a read upload holds nothing: the form posts to the upload.
    return render(
        request, flow.upload_template, {"form": form, "upload_url": reverse(flow.upload_url), **flow.limits()}
    )


def _check_page(request, flow: Flow, *, sheet, errors, summary, job=None):
    bad_rows = {error.row for error in errors}
    return render(
        request,
        flow.check_template,
        {
            "upload_url": reverse(flow.upload_url),
            "confirm_url": reverse(flow.confirm_url),
            "sheet": sheet,
            "summary": summary,
            "columns": [(name, flow.column_label(name)) for name in sheet.columns],
            "rows": [
                (row["row"], row["row"] in bad_rows, [row.get(name, "") for name in sheet.columns])
                for row in sheet.rows[:PREVIEW_ROWS]
            ],
            "hidden_rows": max(len(sheet.rows) - PREVIEW_ROWS, 0),
            "errors": [(error, flow.column_label(error.field)) for error in errors],
            "confirm_form": ImportConfirmForm(initial={"job": job.pk}) if job else None,
        },
    )


@login_required
def import_upload(request, kind: str):
    """Upload: the file is stored and a worker reads it; the job's page follows it to the check."""
    authorize(request.user, imports.import_permission(kind))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = imports.import_job_create(actor=request.user, kind=kind, name=upload.name, data=upload.read())
        return redirect("import_job_detail", pk=job.pk)
    return _upload_page(request, FLOWS[kind], form)


@require_POST
@login_required
def import_confirm(request, kind: str):
    """Write the checked upload, all or nothing."""
    authorize(request.user, imports.import_permission(kind))
    flow = FLOWS[kind]
    form = ImportConfirmForm(request.POST)
    job = imports.confirmable_job(request.user, kind, form.cleaned_data["job"]) if form.is_valid() else None
    if job is None:
        messages.error(request, _("The uploaded file is no longer here; upload it again."))
        return redirect(flow.upload_url)
    try:
        counts = imports.import_job_confirm(actor=request.user, job=job)
    except services.ImportRejected as rejected:
        messages.error(request, _("The file no longer passes the checks; nothing was imported."))
        return _check_page(
            request, flow, sheet=imports.job_sheet(job), errors=rejected.row_errors, summary={}
        )
    messages.success(request, flow.done(counts))
    return redirect(flow.done_url)


def _job_or_404(request, pk: int) -> ImportJob:
    # An upload is its uploader's alone: anyone else's reads as one that does not exist.
    return get_object_or_404(ImportJob.objects.filter(uploaded_by=request.user).defer("data"), pk=pk)


@login_required
def import_job_detail(request, pk: int):
    """An upload's own page: it follows the worker reading the file, then shows the file's check
    (or, on the upload form, why it was refused)."""
    job = _job_or_404(request, pk)
    flow = FLOWS[job.kind]
    if job.under_way:
        return render(request, "registry/import_job.html", {"job": job, "upload_url": flow.upload_url})
    if job.imported_at:
        messages.info(request, _("This file has been imported already."))
        return redirect(flow.upload_url)
    if job.status == ImportStatus.FAILED:
        # The upload form again, with the reason under the file, as for a file of the wrong type.
        form = ImportUploadForm(data={}, files={})
        form.errors["file"] = form.error_class([job.problem])
        return _upload_page(request, flow, form)
    errors = imports.job_errors(job)
    return _check_page(
        request,
        flow,
        sheet=imports.job_sheet(job),
        errors=errors,
        summary=job.result.get("summary", {}),
        job=None if errors else job,
    )


@login_required
def import_job_status(request, pk: int):
    """The job's status for the page that follows it (static/js/app.js)."""
    job = _job_or_404(request, pk)
    return job_status(job, rows_read=job.rows_read)
