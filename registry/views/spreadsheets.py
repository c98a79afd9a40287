"""Spreadsheets in the browser: export the filtered account list, import a first registration.

An import is two steps: the upload is read and checked by a worker (``registry.imports``; a dry
run of the service) and previewed, then confirmed; between the two the rows wait in the job.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import authorize
from config.downloads import attachment, bad_query, download, xlsx_response
from registry import imports, services, spreadsheets
from registry.choices import ImportKind
from registry.filters import MediaAccountFilter
from registry.forms import ImportConfirmForm, ImportUploadForm
from registry.models import Department, MediaAccount

PREVIEW_ROWS = 200  # rows shown on the preview page; every bad row is listed whatever the count


# Export ------------------------------------------------------------------------------------------


@login_required
@download
def media_accounts_export(request, fmt: str):
    """The account list as a spreadsheet: same query string, same filter, same scope as the list page."""
    filterset = MediaAccountFilter(
        request.GET, queryset=MediaAccount.objects.restrict(request.user, "view"), request=request
    )
    if not filterset.is_valid():
        return bad_query(filterset.errors)
    title = _("Media account register")  # outside the f-string, where makemessages finds it
    filename = f"{title}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(
            spreadsheets.iter_media_accounts_csv(filterset.qs, user=request.user),
            content_type="text/csv; charset=utf-8",
        )
    else:
        return xlsx_response(spreadsheets.media_accounts_xlsx(filterset.qs, user=request.user), filename)
    return attachment(response, filename)


# Import ------------------------------------------------------------------------------------------


def _preview(request, *, sheet, errors, job=None):
    bad_rows = {error.row for error in errors}
    return render(
        request,
        "registry/import_preview.html",
        {
            "upload_url": reverse("media_accounts_import"),
            "confirm_url": reverse("media_accounts_import_confirm"),
            "sheet": sheet,
            "columns": [(name, spreadsheets.column_label(name)) for name in sheet.columns],
            "rows": [
                (row["row"], row["row"] in bad_rows, [row.get(name, "") for name in sheet.columns])
                for row in sheet.rows[:PREVIEW_ROWS]
            ],
            "hidden_rows": max(len(sheet.rows) - PREVIEW_ROWS, 0),
            "errors": [(error, spreadsheets.column_label(error.field)) for error in errors],
            "confirm_form": ImportConfirmForm(initial={"job": job.pk}) if job else None,
        },
    )


def checked(request, job):
    """The check page of a read upload (``registry.views.imports``): its problems, or its rows
    and the button that imports them."""
    errors = imports.job_errors(job)
    return _preview(request, sheet=imports.job_sheet(job), errors=errors, job=None if errors else job)


def upload_page(request, form):
    return render(
        request,
        "registry/import_upload.html",
        {"form": form, "max_size": filesizeformat(spreadsheets.import_max_bytes())},
    )


@login_required
def media_accounts_import(request):
    """Upload: the file is stored and a worker reads it; the job's page follows it to the check."""
    authorize(request.user, "registry.import_accounts")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = imports.import_job_create(
            actor=request.user, kind=ImportKind.MEDIA_ACCOUNTS, name=upload.name, data=upload.read()
        )
        return redirect("import_job_detail", pk=job.pk)
    return upload_page(request, form)


@require_POST
@login_required
def media_accounts_import_confirm(request):
    """Import the checked upload, all or nothing."""
    authorize(request.user, "registry.import_accounts")
    form = ImportConfirmForm(request.POST)
    job = (
        imports.confirmable_job(request.user, ImportKind.MEDIA_ACCOUNTS, form.cleaned_data["job"])
        if form.is_valid()
        else None
    )
    if job is None:
        messages.error(request, _("The uploaded file is no longer here; upload it again."))
        return redirect("media_accounts_import")
    sheet = imports.job_sheet(job)
    # Checked again: the registry may have changed since (an ID registered meanwhile).
    errors = imports.check_media_accounts(request.user, sheet)
    if errors:
        messages.error(request, _("The file no longer passes the checks; nothing was imported."))
        return _preview(request, sheet=sheet, errors=errors)
    try:
        accounts = services.media_accounts_import(actor=request.user, rows=sheet.rows)
    except services.ImportRejected as rejected:
        messages.error(request, _("The file no longer passes the checks; nothing was imported."))
        return _preview(request, sheet=sheet, errors=rejected.row_errors)
    imports.import_job_imported(actor=request.user, job=job)
    messages.success(request, _("%(count)d media accounts imported.") % {"count": len(accounts)})
    return redirect("media_account_list")


@login_required
@download
def media_accounts_import_template(request):
    """The registration form to fill in, with its instructions and the units the user may file for."""
    authorize(request.user, "registry.import_accounts")
    departments = Department.objects.restrict(request.user, "view").filter(is_active=True)
    name = _("Media account import template")  # outside the f-string, where makemessages finds it
    return xlsx_response(spreadsheets.import_template_xlsx(departments), f"{name}.xlsx")
