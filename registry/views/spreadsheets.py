"""Spreadsheets in the browser: export the filtered account list, import a first registration.

An import is two steps: the upload is checked and previewed (a dry run of the service), then
confirmed; between the two the file waits in ``registry.uploads``.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from config.downloads import attachment, bad_query, download, xlsx_response
from registry import services, spreadsheets, uploads
from registry.filters import MediaAccountFilter
from registry.forms import ImportConfirmForm, ImportUploadForm
from registry.models import Department, MediaAccount

PREVIEW_ROWS = 200  # rows shown on the preview page; every bad row is listed whatever the count
UPLOAD_KIND = "accounts"


# Export ------------------------------------------------------------------------------------------


@login_required
@download
def media_accounts_export(request, fmt: str):
    """The account list as a spreadsheet: same query string, same filter, same scope as the list page."""
    filterset = MediaAccountFilter(
        request.GET, queryset=MediaAccount.objects.visible_to(request.user), request=request
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


def _require_office(user) -> None:
    if not permissions.is_office_admin(user):
        raise PermissionDenied


def _check(user, data: bytes, extension: str):
    """Read the file and dry-run the import: (sheet or None, file problem, row errors)."""
    try:
        sheet = spreadsheets.read_import(data, extension=extension)
    except spreadsheets.SpreadsheetRejected as rejected:
        return None, str(rejected.message), []
    errors = list(sheet.errors)
    try:
        services.media_accounts_import(actor=user, rows=sheet.rows, dry_run=True)
    except services.ImportRejected as rejected:
        # A formula cell is reported once, not again as whatever its text fails.
        formula_cells = {(error.row, error.field) for error in sheet.errors}
        errors += [error for error in rejected.row_errors if (error.row, error.field) not in formula_cells]
    return sheet, "", sorted(errors, key=lambda error: error.row)


def _preview(request, *, sheet, errors, token=""):
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
            "confirm_form": ImportConfirmForm(initial={"token": token}) if token else None,
        },
    )


@login_required
def media_accounts_import(request):
    """Upload → preview: every bad row listed by row and column, nothing written."""
    _require_office(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        sheet, problem, errors = _check(request.user, data, form.extension)
        if problem:
            form.add_error("file", problem)
        elif errors:
            return _preview(request, sheet=sheet, errors=errors)
        else:
            token = uploads.keep(request.user, data, kind=UPLOAD_KIND, extension=form.extension)
            return _preview(request, sheet=sheet, errors=[], token=token)
    return render(
        request,
        "registry/import_upload.html",
        {"form": form, "max_size": filesizeformat(spreadsheets.import_max_bytes())},
    )


@require_POST
@login_required
def media_accounts_import_confirm(request):
    """Import the previewed file, all or nothing, then delete it."""
    _require_office(request.user)
    form = ImportConfirmForm(request.POST)
    path = (
        uploads.kept(request.user, form.cleaned_data["token"], kind=UPLOAD_KIND) if form.is_valid() else None
    )
    if path is None:
        messages.error(request, _("The uploaded file is no longer here; upload it again."))
        return redirect("media_accounts_import")
    try:
        sheet, problem, errors = _check(request.user, path.read_bytes(), path.suffix)
        if problem or errors:
            # The registry changed since the preview (e.g. an ID was registered meanwhile).
            messages.error(
                request, problem or _("The file no longer passes the checks; nothing was imported.")
            )
            return (
                _preview(request, sheet=sheet, errors=errors) if sheet else redirect("media_accounts_import")
            )
        try:
            accounts = services.media_accounts_import(actor=request.user, rows=sheet.rows)
        except services.ImportRejected as rejected:
            messages.error(request, _("The file no longer passes the checks; nothing was imported."))
            return _preview(request, sheet=sheet, errors=rejected.row_errors)
    finally:
        path.unlink(missing_ok=True)
    messages.success(request, _("%(count)d media accounts imported.") % {"count": len(accounts)})
    return redirect("media_account_list")


@login_required
@download
def media_accounts_import_template(request):
    """The registration form to fill in, with its instructions and the units the user may file for."""
    _require_office(request.user)
    departments = Department.objects.visible_to(request.user).filter(is_active=True)
    name = _("Media account import template")  # outside the f-string, where makemessages finds it
    return xlsx_response(spreadsheets.import_template_xlsx(departments), f"{name}.xlsx")
