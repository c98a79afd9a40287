"""The audit trail page (操作日志): every event the user may see, filtered, with readable changes,
and the same list as .xlsx or .csv.

The office and auditors see every event; a department administrator the events of its own units
(``AuditEvent.objects.restrict(user, "view")``). The filters are ``AuditEventFilter``, shared with the API.
"""

import csv
import io
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from audits.trail.filters import TRAIL_ZONE, AuditEventFilter
from audits.trail.selectors import ChangeLine, trail_rows, visible_events
from config.downloads import XLSX_CONTENT_TYPE, attachment, bad_query, download
from config.xlsx import Sheet, write_xlsx
from registry import spreadsheets

PAGE_SIZE = 50
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most ``COUNT_CAP`` events. The trail grows by an event per account and day of
    figures; counting millions of them to print a total took a second on every page."""

    @cached_property
    def count(self) -> int:
        return self.object_list[: COUNT_CAP + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > COUNT_CAP


EXPORT_HEADERS = (
    pgettext_lazy("audit trail export", "Time"),
    pgettext_lazy("audit trail export", "Actor"),
    pgettext_lazy("audit trail export", "Action"),
    pgettext_lazy("audit trail export", "Object type"),
    pgettext_lazy("audit trail export", "Object ID"),
    pgettext_lazy("audit trail export", "Object"),
    pgettext_lazy("audit trail export", "Department"),
    pgettext_lazy("audit trail export", "Changes"),
    pgettext_lazy("audit trail export", "IP"),
    pgettext_lazy("audit trail export", "Request ID"),
)
COLUMN_WIDTHS = (20, 14, 24, 22, 10, 30, 24, 60, 16, 34)


def _filterset(request) -> AuditEventFilter:
    return AuditEventFilter(request.GET or None, queryset=visible_events(request.user), request=request)


@login_required
def audit_event_list(request):
    filterset = _filterset(request)
    # A refused filter (a unit outside the scope, a bad date) lists nothing rather than everything.
    events = filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()
    page = CappedPaginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audits/trail_list.html",
        {
            "filter": filterset,
            "page": page,
            "rows": trail_rows(request.user, page.object_list),
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
            "cap": f"{COUNT_CAP:,}",
        },
    )


def _change_text(lines: list[ChangeLine]) -> str:
    return "\n".join(
        f"{line.label}：{line.before} → {line.after}"
        if line.before is not None
        else f"{line.label}：{line.after}"
        for line in lines
    )


def _export_rows(user, queryset, chunk: int = 500) -> Iterator[list]:
    events = queryset.iterator(chunk_size=chunk)
    while True:
        batch = [event for _index, event in zip(range(chunk), events, strict=False)]
        if not batch:
            return
        for row in trail_rows(user, batch):
            event = row.event
            yield [
                timezone.localtime(event.at, TRAIL_ZONE).strftime("%Y-%m-%d %H:%M:%S"),
                event.actor_name or _("System"),
                row.label,
                row.kind,
                event.object_id,
                row.object_name,
                event.department.name if event.department else "",
                _change_text(row.changes),
                event.ip or "",
                event.request_id,
            ]


def _csv(rows: Iterable[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> bytes:
        data = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return data.encode()

    writer.writerow([str(header) for header in EXPORT_HEADERS])
    yield "\ufeff".encode() + flush()
    for count, row in enumerate(rows, start=1):
        writer.writerow([spreadsheets.csv_cell(value) for value in row])
        if count % 500 == 0:
            yield flush()
    yield flush()


@login_required
@download
def audit_event_export(request, fmt: str):
    """The filtered trail as a spreadsheet: same query string, same filter, same scope as the page."""
    filterset = AuditEventFilter(request.GET, queryset=visible_events(request.user), request=request)
    if not filterset.is_valid():
        return bad_query(filterset.errors)
    rows = _export_rows(request.user, filterset.qs)
    title = _("Audit trail")  # outside the f-string, where makemessages finds it
    filename = f"{title}-{timezone.localdate():%Y%m%d}.{fmt}"
    if fmt == "csv":
        response = StreamingHttpResponse(_csv(rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            write_xlsx(Sheet(_("Audit trail"), EXPORT_HEADERS, rows, COLUMN_WIDTHS, freeze_header=True)),
            content_type=XLSX_CONTENT_TYPE,
        )
    return attachment(response, filename)
