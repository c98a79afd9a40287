"""An upload's own page: it follows the worker reading the file, then shows the file's check (or
why it was refused) in the page of its kind of import."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from registry.choices import ImportKind, ImportStatus
from registry.forms import ImportUploadForm
from registry.models import ImportJob
from registry.views import metrics, spreadsheets

PAGES = {ImportKind.MEDIA_ACCOUNTS: spreadsheets, ImportKind.METRICS: metrics}
UPLOAD_URLS = {ImportKind.MEDIA_ACCOUNTS: "media_accounts_import", ImportKind.METRICS: "metrics_import"}


def _job_or_404(request, pk: int) -> ImportJob:
    # An upload is its uploader's alone: anyone else's reads as one that does not exist.
    return get_object_or_404(ImportJob.objects.filter(uploaded_by=request.user).defer("data"), pk=pk)


@login_required
def import_job_detail(request, pk: int):
    job = _job_or_404(request, pk)
    page = PAGES[job.kind]
    if job.under_way:
        return render(request, "registry/import_job.html", {"job": job, "upload_url": UPLOAD_URLS[job.kind]})
    if job.imported_at:
        messages.info(request, _("This file has been imported already."))
        return redirect(UPLOAD_URLS[job.kind])
    if job.status == ImportStatus.FAILED:
        # The upload form again, with the reason under the file, as for a file of the wrong type.
        form = ImportUploadForm(data={}, files={})
        form.errors["file"] = form.error_class([job.problem])
        return page.upload_page(request, form)
    return page.checked(request, job)


@login_required
def import_job_status(request, pk: int):
    """The job's status for the page that follows it (static/js/app.js)."""
    job = _job_or_404(request, pk)
    return JsonResponse(
        {
            "id": job.pk,
            "status": job.status,
            "label": str(job.get_status_display()),
            "under_way": job.under_way,
            "rows_read": job.rows_read,
        }
    )
