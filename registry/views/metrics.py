"""Daily figures in the browser: a day entered by hand on the account page, or a spreadsheet
(its template here; its upload is the one import flow, ``registry.views.imports``). The office
and the units enter figures; auditors read.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from accounts.rules import authorize
from config.downloads import download, xlsx_response
from registry import metrics, services
from registry.forms import MetricEntryForm
from registry.models import MediaAccount

# By hand -----------------------------------------------------------------------------------------


@login_required
def metric_entry(request, pk: int):
    """One day's figures for one account; the account page shows the form, errors come back here."""
    account = get_object_or_404(
        MediaAccount.objects.select_related("department").restrict(request.user, "view"), pk=pk
    )
    authorize(request.user, "registry.enter_account_metrics", account)
    form = MetricEntryForm(request.POST or None)
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


@login_required
@download
def metrics_import_template(request):
    """The daily-figures sheet to fill in, with its instructions and the user's accounts."""
    authorize(request.user, "registry.enter_metrics")
    name = _("Daily figures template")  # outside the f-string, where makemessages finds it
    accounts = MediaAccount.objects.restrict(request.user, "change")
    return xlsx_response(metrics.metric_template_xlsx(accounts), f"{name}.xlsx")
