"""A release task's report as an .xlsx workbook: its progress per unit and each account's part, in the
user's scope (``config.xlsx`` writes every text as plain text)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from audits.releases.models import ReleaseTask
from audits.releases.selectors import Progress
from config.xlsx import Sheet, write_xlsx


def _percent(rate: float | None):
    return "" if rate is None else round(rate * 100, 1)


def release_task_xlsx(task: ReleaseTask, progress: Progress, parts) -> bytes:
    start, end = timezone.localtime(task.window_start), timezone.localtime(task.window_end)
    window = f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M}"
    heading = [
        task.title,
        window,
        _("Relay rate (done in time / required): %(rate)s%%") % {"rate": _percent(progress.rate)},
    ]
    counts = [
        pgettext("relay", "Required"),
        _("Done in time"),
        _("Done late"),
        _("Missed"),
        _("Not done yet"),
        _("Excused"),
    ]
    return write_xlsx(
        Sheet(
            _("By unit"),
            [_("Department"), *counts, _("Relay rate (%)")],
            [
                [
                    unit["department_name"],
                    unit["required"],
                    unit["done"],
                    unit["late"],
                    unit["missed"],
                    unit["pending"],
                    unit["excused"],
                    _percent(unit["rate"]),
                ]
                for unit in progress.by_department
            ],
            [28, 10, 10, 10, 10, 10, 10, 12],
            heading=heading,
        ),
        Sheet(
            _("By account"),
            [
                _("Account"),
                _("Platform"),
                _("Department"),
                _("Status"),
                _("Post"),
                _("Done at"),
                _("Reason for the excuse"),
            ],
            (
                [
                    part.media_account.name,
                    part.media_account.get_platform_display(),
                    part.department.name,
                    part.get_status_display(),
                    part.post_url,
                    timezone.localtime(part.done_at).strftime("%Y-%m-%d %H:%M") if part.done_at else "",
                    part.excuse_reason,
                ]
                for part in parts
            ),
            [24, 12, 24, 10, 40, 16, 30],
            heading=heading,
        ),
    )
