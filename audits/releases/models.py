"""Coordinated releases (集中发声, docs/design.md §4.10): the office's release tasks, each account's part."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import user_field
from audits.releases.choices import AssignmentStatus, ReleaseMode, ReleaseTaskStatus
from registry.models import ScopedQuerySet


class ReleaseTask(models.Model):
    """The office's order that chosen accounts publish or relay one piece of information within a window.

    Its scope is the live accounts of the chosen units, unit kinds and platforms, or the accounts named;
    none of them chosen is the whole matrix. Starting it gives each account in scope its part
    (``ReleaseAssignment``); the task's scope is not read again after that."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("what to publish"), blank=True)
    link = models.URLField(_("link to the original"), max_length=500, blank=True)
    # An image to publish with it (a poster, a chart), checked as a small raster image on upload.
    image = models.FileField(_("image"), upload_to="release-images/%Y/%m/", blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=ReleaseMode.choices, default=ReleaseMode.RELAY)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("by"))
    departments = models.ManyToManyField(
        "registry.Department", verbose_name=_("units"), blank=True, related_name="+"
    )
    department_kinds = models.JSONField(_("unit kinds"), default=list, blank=True)
    platforms = models.JSONField(_("platforms"), default=list, blank=True)
    media_accounts = models.ManyToManyField(
        "registry.MediaAccount", verbose_name=_("accounts"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReleaseTaskStatus.choices, default=ReleaseTaskStatus.DRAFT
    )
    created_by = user_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_by = user_field(_("started by"))
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)

    class Meta:
        verbose_name = _("release task")
        verbose_name_plural = _("release tasks")
        ordering = ["-window_start", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(window_end__gt=models.F("window_start")), name="release_window_forward"
            )
        ]

    def __str__(self):
        return self.title

    @property
    def is_under_way(self) -> bool:
        return self.status == ReleaseTaskStatus.STARTED and self.window_end >= timezone.now()


class ReleaseAssignmentQuerySet(ScopedQuerySet):
    department_lookup = "department"


class ReleaseAssignment(models.Model):
    """One account's part of a started task: done (with its post), late, missed or excused."""

    # Starting a task writes a part for every account in scope (10,000 in a province's registry): the
    # table keeps only the indexes its reads use. A task's parts are read through the unique
    # (task, account) and (task, status); posts and users are never deleted, so their keys need none.
    task = models.ForeignKey(
        ReleaseTask,
        verbose_name=_("release task"),
        on_delete=models.CASCADE,
        related_name="assignments",
        db_index=False,
    )
    media_account = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("media account"),
        on_delete=models.PROTECT,
        related_name="release_assignments",
    )
    # The account's unit when the task started: the part stays that unit's to report.
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="release_assignments",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING
    )
    post = models.ForeignKey(
        "content.Post",
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    post_url = models.URLField(_("post URL"), max_length=500, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    reported_by = user_field(
        _("reported by"), db_index=False
    )  # empty where the account's post completed it on its own
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    excused_by = user_field(_("excused by"), db_index=False)
    excused_at = models.DateTimeField(_("excused at"), null=True, blank=True)
    excuse_reason = models.TextField(_("reason for the excuse"), blank=True)

    objects = ReleaseAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("release assignment")
        verbose_name_plural = _("release assignments")
        ordering = ["task", "department__order_key", "media_account__name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "media_account"], name="one_part_per_task_and_account")
        ]
        indexes = [models.Index(fields=["task", "status"], name="assignment_by_task_status")]

    def __str__(self):
        return f"{self.task} · {self.media_account_id}"
