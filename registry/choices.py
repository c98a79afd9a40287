from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DepartmentKind(models.TextChoices):
    DISTRICT_GOVERNMENT = "district_government", _("District government")
    DISTRICT_DEPARTMENT = "district_department", _("District department")
    TOWNSHIP = "township", _("Township or street office")
    OTHER = "other", _("Other unit")


class Platform(models.TextChoices):
    WECHAT_OFFICIAL = "wechat_official", _("WeChat official account")
    WECHAT_CHANNELS = "wechat_channels", _("WeChat Channels")
    WEIBO = "weibo", _("Weibo")
    DOUYIN = "douyin", _("Douyin")
    KUAISHOU = "kuaishou", _("Kuaishou")
    TOUTIAO = "toutiao", _("Toutiao")
    BILIBILI = "bilibili", _("Bilibili")
    APP = "app", _("Mobile app")
    MINI_PROGRAM = "mini_program", _("Mini program")
    OTHER = "other", _("Other platform")


class MediaAccountStatus(models.TextChoices):
    PENDING = "pending", _("Pending approval")
    ACTIVE = "active", _("Active")
    CLOSING = "closing", _("Closing")
    CLOSED = "closed", _("Closed")
    MERGING = "merging", _("Merging")
    MERGED = "merged", _("Merged")
    REJECTED = "rejected", _("Rejected")


# Accounts that exist on the platform and are the registry's concern day to day.
LIVE_STATUSES = (MediaAccountStatus.ACTIVE, MediaAccountStatus.CLOSING, MediaAccountStatus.MERGING)
# Accounts whose closure or merger the office has approved or verified: gone from the platform.
ENDED_STATUSES = (MediaAccountStatus.CLOSED, MediaAccountStatus.MERGED)


class AccountFunction(models.TextChoices):
    INFORMATION = "information", _("Information release")
    SERVICE = "service", _("Government services")
    INTERACTION = "interaction", _("Public interaction")


class Employment(models.TextChoices):
    STAFF = "staff", _("Staff")
    PART_TIME = "part_time", _("Part-time")
    OUTSOURCED = "outsourced", _("Outsourced")


class FilingKind(models.TextChoices):
    OPEN = "open", _("Open")
    CHANGE = "change", _("Change")
    CLOSE = "close", _("Close")


class FilingStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ImportKind(models.TextChoices):
    MEDIA_ACCOUNTS = "accounts", _("Media accounts")
    METRICS = "metrics", _("Daily figures")
    POSTS = "posts", pgettext_lazy("content", "Posts")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Reading")
    DONE = "done", _("Read")
    FAILED = "failed", _("Refused")


class ExportKind(models.TextChoices):
    MEDIA_ACCOUNTS = "accounts", _("Media account register")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Building")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired")
