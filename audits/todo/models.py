"""The office's reminders (催办) to units with overdue items."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import user_field
from registry.models import ScopedQuerySet


class Reminder(models.Model):
    """The office's recorded reminder (催办) to a unit about its overdue items."""

    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="reminders",
    )
    sent_by = user_field(_("sent by"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    message = models.TextField(_("message"), blank=True)
    # What was overdue when it was sent, per kind: {"self_inspections": n, "closure_orders": n, "notices": n}.
    overdue = models.JSONField(_("overdue items"), default=dict, blank=True)
    recipients = models.PositiveIntegerField(_("people notified"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-pk"]
        indexes = [
            # The to-do page shows each late unit's last reminder; the service refuses a second one
            # too soon after it.
            models.Index(fields=["department", "-sent_at"], name="reminder_last_per_department"),
        ]

    def __str__(self):
        return f"{self.department} · {timezone.localtime(self.sent_at):%Y-%m-%d %H:%M}"
