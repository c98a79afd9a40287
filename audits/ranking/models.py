"""The weekly activity index (docs/design.md §8)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from registry.models import ScopedQuerySet


class WeeklyIndexQuerySet(ScopedQuerySet):
    department_lookup = "media_account__department"


class WeeklyIndex(models.Model):
    """An account's activity index (传播力指数) for one week, Sunday to Saturday (docs/design.md §8)."""

    media_account = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("media account"),
        on_delete=models.CASCADE,
        related_name="weekly_indexes",
    )
    week_start = models.DateField(_("week starting"), help_text=_("A Sunday"))
    days = models.PositiveSmallIntegerField(_("days with data"))
    posts = models.PositiveIntegerField(_("posts"))
    reads = models.PositiveBigIntegerField(_("reads"))
    likes = models.PositiveBigIntegerField(_("likes"))
    shares = models.PositiveBigIntegerField(_("shares"))
    comments = models.PositiveBigIntegerField(_("comments"))
    overall = models.FloatField(_("overall (O)"))
    per_post = models.FloatField(_("per post (A)"))
    peak = models.FloatField(_("peak day (P)"))
    index = models.FloatField(_("index"))

    objects = WeeklyIndexQuerySet.as_manager()

    class Meta:
        verbose_name = _("weekly index")
        verbose_name_plural = _("weekly indexes")
        ordering = ["-week_start", "-index", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["media_account", "week_start"], name="one_index_per_account_and_week"
            ),
        ]
        indexes = [models.Index(fields=["week_start", "-index"], name="weekly_index_ranking")]

    def __str__(self):
        return f"{self.media_account.name} {self.week_start}: {self.index:.1f}"


class StaleWeek(models.Model):
    """A computed week whose figures have changed since (new, corrected): its index is computed
    again by ``stale_weeks_refresh``, which deletes the mark (docs/design.md §8)."""

    week_start = models.DateField(_("week starting"), unique=True)
    marked_at = models.DateTimeField(_("marked at"))

    class Meta:
        verbose_name = _("stale week")
        verbose_name_plural = _("stale weeks")
        ordering = ["week_start"]

    def __str__(self):
        return self.week_start.isoformat()
