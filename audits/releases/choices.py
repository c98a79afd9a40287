from django.db import models
from django.utils.translation import gettext_lazy as _


class ReleaseMode(models.TextChoices):
    ORIGINAL = "original", _("Publish as its own post")
    RELAY = "relay", _("Relay the original")


class ReleaseTaskStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    STARTED = "started", _("Started")


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Not done yet")
    DONE = "done", _("Done in time")
    LATE = "late", _("Done late")
    MISSED = "missed", _("Missed")
    EXCUSED = "excused", _("Excused")
