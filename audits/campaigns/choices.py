from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")


class SelfInspectionStatus(models.TextChoices):
    PENDING = "pending", _("Not started")
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    DECIDED = "decided", _("Decided")


class Proposal(models.TextChoices):
    RETAIN = "retain", _("Retain")
    CLOSE = "close", _("Close")
    MERGE = "merge", _("Merge")


class Outcome(models.TextChoices):
    RETAIN = "retain", _("Retain")
    CLOSE = "close", _("Close")
    MERGE = "merge", _("Merge")
    RETURN = "return", _("Return for revision")


class ClosureOrderStatus(models.TextChoices):
    # Words of their own: a bare "Open" reads as 开设 (opening an account) in Chinese.
    OPEN = "open", pgettext_lazy("closure order", "Awaiting the unit")
    CONFIRMED = "confirmed", _("Confirmed by the unit")
    VERIFIED = "verified", pgettext_lazy("closure order", "Verified")
