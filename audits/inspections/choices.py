from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleCode(models.TextChoices):
    NO_UPDATE = "no_update", _("No update")
    LOW_FREQUENCY = "low_frequency", _("Low posting frequency")
    LOW_REACH = "low_reach", _("Low reach")
    UNANSWERED = "unanswered", _("Unanswered messages")
    NO_INTERACTION = "no_interaction", _("No way to interact")
    CLOSURE_OVERDUE = "closure_overdue", _("Closure overdue")
    STALE_RECORD = "stale_record", _("Record not re-confirmed")
    TOWNSHIP_ACCOUNT = "township_account", _("Township account")
    DUPLICATE_PLATFORM = "duplicate_platform", _("Several accounts on one platform")
    NO_RESPONSIBLE_PERSON = "no_responsible_person", _("No responsible person")
    RELEASE_MISSED = "release_missed", _("Release task missed")
    # The wording scan's rules (content/wording.py): their findings name a post and a term.
    WORDING_SERIOUS = "wording_serious", _("Serious wrong wording")
    WORDING_MISUSED = "wording_misused", _("Misused words")
    WORDING_SENSITIVE = "wording_sensitive", _("Sensitive words")
    WORDING_LINK = "wording_link", _("Link to an outside site")


class Severity(models.TextChoices):
    VETO = "veto", _("Veto")
    SERIOUS = "serious", _("Serious")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    FINISHED = "finished", _("Finished")
    FAILED = "failed", _("Failed")


class FindingStatus(models.TextChoices):
    # Not "Open": that msgid is also the filing kind (开设), and one msgid has one translation.
    OPEN = "open", _("Unresolved")
    RESOLVED = "resolved", _("Resolved")
    WAIVED = "waived", _("Waived")
    DISMISSED = "dismissed", _("False positive")


class Grade(models.TextChoices):
    GREEN = "green", _("Green")
    AMBER = "amber", _("Amber")
    RED = "red", _("Red")


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the unit's answer")
    RESPONDED = "responded", _("Answered")
    ACCEPTED = "accepted", _("Accepted")
