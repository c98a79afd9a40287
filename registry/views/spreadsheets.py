"""Spreadsheets in the browser: export the filtered account list; the template of a first
registration, whose import is the one import flow (``registry.views.imports``)."""

import functools

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.rules import authorize
from config.downloads import attachment, bad_query, download, xlsx_file_response, xlsx_response
from registry import exports, spreadsheets
from registry.choices import ExportKind
from registry.models import Department

# Export ------------------------------------------------------------------------------------------


@login_required
@download
def media_accounts_export(request, fmt: str):
    """The account list as a spreadsheet: same query string, same filter, same scope as the list page.
    The CSV streams as it is written; an .xlsx too long to build at once is a worker's job, whose
    page follows it (``registry.exports``)."""
    filterset = exports.media_account_filter(request.user, request.GET, request)
    if not filterset.is_valid():
        return bad_query(filterset.errors)
    filename = exports.export_filename(fmt)
    if fmt == "csv":
        response = StreamingHttpResponse(
            spreadsheets.iter_media_accounts_csv(filterset.qs, user=request.user),
            content_type="text/csv; charset=utf-8",
        )
        return attachment(response, filename)
    rows = filterset.qs.count()
    if rows > exports.xlsx_sync_max_rows():
        job = exports.export_job_create(
            actor=request.user, kind=ExportKind.MEDIA_ACCOUNTS, query=request.GET.urlencode(), rows_total=rows
        )
        return redirect("export_job_detail", pk=job.pk)
    write = functools.partial(spreadsheets.write_media_accounts_xlsx, filterset.qs, user=request.user)
    return xlsx_file_response(write, filename)


# Import ------------------------------------------------------------------------------------------


@login_required
@download
def media_accounts_import_template(request):
    """The registration form to fill in, with its instructions and the units the user may file for."""
    authorize(request.user, "registry.import_accounts")
    departments = Department.objects.restrict(request.user, "view").filter(is_active=True)
    name = _("Media account import template")  # outside the f-string, where makemessages finds it
    return xlsx_response(spreadsheets.import_template_xlsx(departments), f"{name}.xlsx")
