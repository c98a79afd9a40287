"""When the daily inspection runs: django-celery-beat's periodic task, set by the office.

The beat process uses the ``DatabaseScheduler``, so a change made here is picked up by the
running scheduler without a restart. Migration ``0005_inspection_schedule`` installs the default
(02:00 Asia/Shanghai); :func:`inspection_schedule_set` creates it again if it was deleted.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from accounts.rules import authorize
from audits.inspections.selectors import TASK_NAME, TIMEZONE
from audits.trail.services import diff, record

TASK = "audits.tasks.scheduled_inspection_run"


def _state(task: PeriodicTask | None) -> dict:
    if task is None or task.crontab is None:
        return {}
    return {"time": f"{int(task.crontab.hour):02d}:{int(task.crontab.minute):02d}", "enabled": task.enabled}


def _daily_crontab(hour: int, minute: int) -> CrontabSchedule:
    # A crontab row may be shared by other periodic tasks: find or add the one for this time,
    # never edit a row in place, or another job would move with the inspection.
    fields = {
        "minute": str(minute),
        "hour": str(hour),
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": TIMEZONE,
    }
    crontab = CrontabSchedule.objects.filter(**fields).order_by("pk").first()
    return crontab or CrontabSchedule.objects.create(**fields)


@transaction.atomic
def scheduled_job_switch(*, actor, task: PeriodicTask, enabled: bool) -> PeriodicTask:
    """The office switches a scheduled job on or off (in the admin); a switched-off job stays off
    across beat's restarts, which rewrite the settings' jobs but not their ``enabled``."""
    authorize(actor, "audits.manage_schedule")
    task = PeriodicTask.objects.select_for_update().get(pk=task.pk)
    if task.enabled != enabled:
        task.enabled = enabled
        task.save()  # PeriodicTask.save() also tells the running beat that its schedule changed
        record(
            "audits.scheduled_job.switched",
            actor=actor,
            target=task,
            changes={"before": {"enabled": not enabled}, "after": {"enabled": enabled}},
        )
    return task


@transaction.atomic
def inspection_schedule_set(*, actor, hour: int, minute: int, enabled: bool) -> PeriodicTask:
    """The office sets the daily run's time (Asia/Shanghai) and turns it on or off; idempotent."""
    authorize(actor, "audits.manage_schedule")
    errors = {}
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        errors["hour"] = _("The hour must be a whole number from 0 to 23.")
    if isinstance(minute, bool) or not isinstance(minute, int) or not 0 <= minute <= 59:
        errors["minute"] = _("The minute must be a whole number from 0 to 59.")
    if errors:
        raise ValidationError(errors)
    task = PeriodicTask.objects.select_for_update().filter(name=TASK_NAME).first()
    before = _state(task)
    crontab = _daily_crontab(hour, minute)
    if task is None:
        task = PeriodicTask(name=TASK_NAME, task=TASK)
    task.crontab = crontab
    task.enabled = enabled
    task.full_clean()
    task.save()  # PeriodicTask.save() also tells the running beat that its schedule changed
    changes = diff(before, _state(task))
    if changes["after"]:
        record("audits.inspection_schedule.updated", actor=actor, target=task, changes=changes)
    return task
