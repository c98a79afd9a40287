"""Daily figures in the browser: a day entered by hand on the account page, or a spreadsheet.

The upload is the account import's two steps (``registry.views.spreadsheets``): the file is
checked and previewed with nothing written, waits on the server under a random token, and is
written all or nothing on confirmation. The office and the units enter figures; auditors read.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from config.downloads import download, xlsx_response
from registry import forms_metrics, services, spreadsheets, uploads
from registry.forms import ImportConfirmForm, ImportUploadForm
from registry.models import MediaAccount
from registry.views.spreadsheets import PREVIEW_ROWS

UPLOAD_KIND = "metrics"


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# By hand -----------------------------------------------------------------------------------------


@login_required
def metric_entry(request, pk: int):
    """One day's figures for one account; the account page shows the form, errors come back here."""
    account = permissions.get_visible_or_404(
        MediaAccount.objects.select_related("department"), request.user, pk=pk
    )
    _require(permissions.can_act_for_department(request.user, account.department_id))
    form = forms_metrics.MetricEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.metrics_record(actor=request.user, rows=[{"media_account": account.pk, **form.cleaned_data}])
        messages.success(
            request,
            _("Figures of %(date)s saved for %(account)s.")
            % {"date": form.cleaned_data["date"].isoformat(), "account": account.name},
        )
        return redirect("media_account_detail", pk=account.pk)
    return render(
        request,
        "registry/metric_entry.html",
        {"account": account, "form": form},
    )


# From a spreadsheet ----------------------------------------------------------------------------


def _check(user, data: bytes, extension: str):
    """Read the file and check every row: (sheet or None, file problem, checked rows)."""
    try:
        sheet = forms_metrics.read_metric_sheet(data, extension=extension)
    except spreadsheets.SpreadsheetRejected as rejected:
        return None, str(rejected.message), None
    return sheet, "", forms_metrics.check_metric_sheet(user, sheet)


def _preview(request, *, sheet, checked, token=""):
    bad_rows = {error.row for error in checked.errors}
    return render(
        request,
        "registry/metric_import_preview.html",
        {
            "upload_url": reverse("metrics_import"),
            "confirm_url": reverse("metrics_import_confirm"),
            "checked": checked,
            "columns": [(name, forms_metrics.column_label(name)) for name in sheet.columns],
            "rows": [
                (row["row"], row["row"] in bad_rows, [row.get(name, "") for name in sheet.columns])
                for row in sheet.rows[:PREVIEW_ROWS]
            ],
            "row_count": len(sheet.rows),
            "hidden_rows": max(len(sheet.rows) - PREVIEW_ROWS, 0),
            "errors": [(error, forms_metrics.column_label(error.field)) for error in checked.errors],
            "confirm_form": ImportConfirmForm(initial={"token": token}) if token else None,
        },
    )


@login_required
def metrics_import(request):
    """Upload → preview: every bad row listed by row and column, nothing written."""
    _require(forms_metrics.may_enter_metrics(request.user))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        sheet, problem, checked = _check(request.user, data, form.extension)
        if problem:
            form.add_error("file", problem)
        elif checked.errors:
            return _preview(request, sheet=sheet, checked=checked)
        else:
            token = uploads.keep(request.user, data, kind=UPLOAD_KIND, extension=form.extension)
            return _preview(request, sheet=sheet, checked=checked, token=token)
    return render(
        request,
        "registry/metric_import_upload.html",
        {
            "form": form,
            "max_mb": f"{spreadsheets.import_max_bytes() / 1024 / 1024:g}",
            "max_rows": forms_metrics.MAX_ROWS,
        },
    )


@require_POST
@login_required
def metrics_import_confirm(request):
    """Write the previewed file, all or nothing, then delete it."""
    _require(forms_metrics.may_enter_metrics(request.user))
    form = ImportConfirmForm(request.POST)
    path = (
        uploads.kept(request.user, form.cleaned_data["token"], kind=UPLOAD_KIND) if form.is_valid() else None
    )
    if path is None:
        messages.error(request, _("The uploaded file is no longer here; upload it again."))
        return redirect("metrics_import")
    try:
        # Checked again: an account may have moved out of the user's scope since the preview.
        sheet, problem, checked = _check(request.user, path.read_bytes(), path.suffix)
        if problem or checked.errors:
            messages.error(
                request, problem or _("The file no longer passes the checks; nothing was imported.")
            )
            if sheet is None:
                return redirect("metrics_import")
            return _preview(request, sheet=sheet, checked=checked)
        services.metrics_record(actor=request.user, rows=checked.rows)
    finally:
        path.unlink(missing_ok=True)
    messages.success(
        request,
        _("Daily figures imported: %(rows)d rows for %(accounts)d accounts (%(replaced)d days replaced).")
        % {"rows": len(checked.rows), "accounts": checked.media_accounts, "replaced": checked.replaced},
    )
    return redirect("metrics_import")


@login_required
@download
def metrics_import_template(request):
    """The daily-figures sheet to fill in, with its instructions and the user's accounts."""
    _require(forms_metrics.may_enter_metrics(request.user))
    name = _("Daily figures template")  # outside the f-string, where makemessages finds it
    accounts = forms_metrics.writable_accounts(request.user)
    return xlsx_response(forms_metrics.metric_template_xlsx(accounts), f"{name}.xlsx")
