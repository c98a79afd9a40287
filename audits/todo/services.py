"""The office's reminders (催办) to units with overdue items: recorded, and sent to the unit's
administrators in the app and by e-mail."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import authorize
from accounts.services import department_admins, notify
from audits.campaigns.models import ClosureOrder, SelfInspection
from audits.inspections.models import RectificationNotice
from audits.todo.models import Reminder
from audits.trail.services import record
from config.errors import InvalidTransition
from registry.models import Department

# A second reminder this soon after the first is a double click or two colleagues at once, not news
# for the unit.
REMINDER_INTERVAL = datetime.timedelta(hours=1)
MESSAGE_MAX_LENGTH = 500
# Names listed per kind in the message; a unit late with more reads the rest on its to-do page.
NAMES_LISTED = 20


def _listed(names: list[str]) -> str:
    shown = "、".join(names[:NAMES_LISTED])
    if len(names) > NAMES_LISTED:
        shown = _("%(names)s and %(count)d more") % {"names": shown, "count": len(names) - NAMES_LISTED}
    return shown


def _dated(name: str, day: datetime.date) -> str:
    return _("%(name)s (%(day)s)") % {"name": name, "day": day}


def _overdue_lines(department: Department, today: datetime.date) -> tuple[dict[str, int], list[str]]:
    """What the unit has overdue, counted per kind and told in lines of the message."""
    inspections = list(
        SelfInspection.objects.overdue(today)
        .filter(media_account__department=department)
        .order_by("campaign__self_inspection_due", "media_account__name")
        .values_list("media_account__name", "campaign__self_inspection_due")
    )
    orders = list(
        ClosureOrder.objects.overdue(today)
        .filter(media_account__department=department)
        .order_by("deadline", "media_account__name")
        .values_list("media_account__name", "deadline")
    )
    notices = list(
        RectificationNotice.objects.overdue(today)
        .filter(department=department)
        .order_by("deadline", "pk")
        .values_list("run__inspection_date", "deadline")
    )
    counts = {"self_inspections": len(inspections), "closure_orders": len(orders), "notices": len(notices)}
    lines = []
    if inspections:
        lines.append(
            _("Self-inspections not submitted by their due date: %(items)s")
            % {"items": _listed([_dated(name, due) for name, due in inspections])}
        )
    if orders:
        lines.append(
            _("Closure orders not carried out by their deadline: %(items)s")
            % {"items": _listed([_dated(name, deadline) for name, deadline in orders])}
        )
    if notices:
        lines.append(
            _("Rectification notices not answered by their deadline: %(items)s")
            % {
                "items": _listed(
                    [_dated(_("inspection of %(day)s") % {"day": day}, deadline) for day, deadline in notices]
                )
            }
        )
    return counts, lines


@transaction.atomic
def reminder_send(*, actor, department: Department, message: str = "") -> Reminder:
    """The office reminds a late unit (催办): the unit's administrators are told what is overdue,
    with the office's message. Refused for a unit with nothing overdue, and within an hour of the
    unit's last reminder."""
    authorize(actor, "audits.remind_unit", department)
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"message": _("At most %(limit)d characters.") % {"limit": MESSAGE_MAX_LENGTH}})
    # The unit's row is the lock two colleagues reminding it at once queue on, so one of them is told.
    department = Department.objects.select_for_update().get(pk=department.pk)
    now = timezone.now()
    last = Reminder.objects.filter(department=department).order_by("-sent_at", "-pk").first()
    if last is not None and now - last.sent_at < REMINDER_INTERVAL:
        raise InvalidTransition(
            _("%(unit)s was reminded at %(time)s; remind it again after an hour.")
            % {"unit": department.name, "time": timezone.localtime(last.sent_at).strftime("%H:%M")}
        )
    counts, lines = _overdue_lines(department, timezone.localdate())
    if not lines:
        raise InvalidTransition(_("%(unit)s has nothing overdue.") % {"unit": department.name})
    admins = department_admins([department.pk])
    reminder = Reminder.objects.create(
        department=department,
        sent_by=actor,
        sent_at=now,
        message=message,
        overdue=counts,
        recipients=len(admins),
    )
    record(
        "audits.reminder.sent",
        actor=actor,
        target=reminder,
        changes={"after": {"message": message, **counts, "recipients": reminder.recipients}},
    )
    notify(
        users=admins,
        subject=_("Reminder from the office: overdue items of %(unit)s") % {"unit": department.name},
        body="\n".join([message, *lines] if message else lines),
        url=reverse("todo"),
    )
    return reminder
