"""A long export's own page (``registry.exports``): it follows the worker building the file, then
offers it for a day. A job is its requester's alone: anyone else's reads as one that does not exist."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from config.downloads import download, stored_xlsx_response
from config.views import job_status
from registry import exports
from registry.models import ExportJob


def _job_or_404(request, pk: int) -> ExportJob:
    return get_object_or_404(ExportJob.objects.filter(requested_by=request.user), pk=pk)


@login_required
def export_job_detail(request, pk: int):
    """While the worker builds the file, its progress; then the file, or why there is none."""
    job = _job_or_404(request, pk)
    return render(
        request,
        "registry/export_job.html",
        {
            "job": job,
            "filename": exports.export_filename("xlsx", job),
            "kept_until": job.finished_at + exports.KEPT_FOR if job.ready else None,
        },
    )


@login_required
def export_job_status(request, pk: int):
    """The job's status for the page that follows it (static/js/app.js)."""
    job = _job_or_404(request, pk)
    return job_status(job, rows_read=job.rows_done, rows_total=job.rows_total)


@login_required
@download
def export_job_download(request, pk: int):
    """The built file; a job without one (not built yet, failed, or removed after a day) is a 404."""
    job = _job_or_404(request, pk)
    if not job.ready:
        raise Http404
    return stored_xlsx_response(job.file, exports.export_filename("xlsx", job))
