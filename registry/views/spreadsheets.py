"""Spreadsheets in the browser: export the filtered account list; the template of a first
registration, whose import is the one import flow (``registry.views.imports``)."""

from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import authorize
from config.downloads import attachment, bad_query, download, xlsx_response
from registry import spreadsheets
from registry.filters import MediaAccountFilter
from registry.models import Department, MediaAccount

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


@login_required
@download
def media_accounts_import_template(request):
    """The registration form to fill in, with its instructions and the units the user may file for."""
    authorize(request.user, "registry.import_accounts")
    departments = Department.objects.restrict(request.user, "view").filter(is_active=True)
    name = _("Media account import template")  # outside the f-string, where makemessages finds it
    return xlsx_response(spreadsheets.import_template_xlsx(departments), f"{name}.xlsx")
