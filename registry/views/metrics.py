"""Daily figures in the browser: a day entered by hand on the account page, or a spreadsheet.

The upload is the account import's two steps (``registry.views.spreadsheets``): a worker reads
and checks the file (``registry.imports``) and it is previewed with nothing written, then written
all or nothing on confirmation. The office and the units enter figures; auditors read.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import authorize
from config.downloads import download, xlsx_response
from registry import forms_metrics, imports, services, spreadsheets
from registry.choices import ImportKind
from registry.forms import ImportConfirmForm, ImportUploadForm
from registry.models import MediaAccount
from registry.views.spreadsheets import PREVIEW_ROWS

# By hand -----------------------------------------------------------------------------------------


@login_required
def metric_entry(request, pk: int):
    """One day's figures for one account; the account page shows the form, errors come back here."""
    account = get_object_or_404(
        MediaAccount.objects.select_related("department").restrict(request.user, "view"), pk=pk
    )
    authorize(request.user, "registry.enter_account_metrics", account)
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


def _preview(request, *, sheet, errors, summary, job=None):
    bad_rows = {error.row for error in errors}
    return render(
        request,
        "registry/metric_import_preview.html",
        {
            "upload_url": reverse("metrics_import"),
            "confirm_url": reverse("metrics_import_confirm"),
            "checked": {"rows": sheet.rows, **summary},
            "columns": [(name, forms_metrics.column_label(name)) for name in sheet.columns],
            "rows": [
                (row["row"], row["row"] in bad_rows, [row.get(name, "") for name in sheet.columns])
                for row in sheet.rows[:PREVIEW_ROWS]
            ],
            "row_count": len(sheet.rows),
            "hidden_rows": max(len(sheet.rows) - PREVIEW_ROWS, 0),
            "errors": [(error, forms_metrics.column_label(error.field)) for error in errors],
            "confirm_form": ImportConfirmForm(initial={"job": job.pk}) if job else None,
        },
    )


def checked(request, job):
    """The check page of a read upload (``registry.views.imports``): its problems, or its rows
    and the button that saves them."""
    errors = imports.job_errors(job)
    return _preview(
        request,
        sheet=imports.job_sheet(job),
        errors=errors,
        summary=job.result.get("summary", {}),
        job=None if errors else job,
    )


def upload_page(request, form):
    return render(
        request,
        "registry/metric_import_upload.html",
        {
            "form": form,
            "max_mb": f"{spreadsheets.import_max_bytes() / 1024 / 1024:g}",
            "max_rows": forms_metrics.MAX_ROWS,
        },
    )


@login_required
def metrics_import(request):
    """Upload: the file is stored and a worker reads it; the job's page follows it to the check."""
    authorize(request.user, "registry.enter_metrics")
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = imports.import_job_create(
            actor=request.user, kind=ImportKind.METRICS, name=upload.name, data=upload.read()
        )
        return redirect("import_job_detail", pk=job.pk)
    return upload_page(request, form)


@require_POST
@login_required
def metrics_import_confirm(request):
    """Write the checked upload, all or nothing."""
    authorize(request.user, "registry.enter_metrics")
    form = ImportConfirmForm(request.POST)
    job = (
        imports.confirmable_job(request.user, ImportKind.METRICS, form.cleaned_data["job"])
        if form.is_valid()
        else None
    )
    if job is None:
        messages.error(request, _("The uploaded file is no longer here; upload it again."))
        return redirect("metrics_import")
    sheet = imports.job_sheet(job)
    # Checked again: an account may have moved out of the user's scope since the check.
    checked_rows = forms_metrics.check_metric_sheet(request.user, sheet)
    if checked_rows.errors:
        messages.error(request, _("The file no longer passes the checks; nothing was imported."))
        summary = {"media_accounts": 0, "replaced": 0}
        return _preview(request, sheet=sheet, errors=checked_rows.errors, summary=summary)
    services.metrics_record(actor=request.user, rows=checked_rows.rows)
    imports.import_job_imported(actor=request.user, job=job)
    messages.success(
        request,
        _("Daily figures imported: %(rows)d rows for %(accounts)d accounts (%(replaced)d days replaced).")
        % {
            "rows": len(checked_rows.rows),
            "accounts": checked_rows.media_accounts,
            "replaced": checked_rows.replaced,
        },
    )
    return redirect("metrics_import")


@login_required
@download
def metrics_import_template(request):
    """The daily-figures sheet to fill in, with its instructions and the user's accounts."""
    authorize(request.user, "registry.enter_metrics")
    name = _("Daily figures template")  # outside the f-string, where makemessages finds it
    accounts = MediaAccount.objects.restrict(request.user, "change")
    return xlsx_response(forms_metrics.metric_template_xlsx(accounts), f"{name}.xlsx")
