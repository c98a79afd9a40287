"""Scheduled inspections (定期巡查, docs/design.md §7): rules, runs, findings, rectification notices."""

from django.db import models
from django.db.models import Case, F, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import user_field
from audits.inspections.choices import FindingStatus, NoticeStatus, RuleCode, RunStatus, Severity
from registry.models import ScopedQuerySet


class InspectionRule(models.Model):
    """One rule of the inspection, with the thresholds the office may edit."""

    code = models.CharField(_("code"), max_length=30, choices=RuleCode.choices, unique=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    thresholds = models.JSONField(_("thresholds"), default=dict, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("inspection rule")
        verbose_name_plural = _("inspection rules")
        ordering = ["pk"]

    def __str__(self):
        # Not get_code_display(): Django rebuilds the choices dict on every call, and pages name a
        # rule for each finding they list.
        return str(RuleCode(self.code).label) if self.code in RuleCode.values else self.code


class InspectionRunQuerySet(models.QuerySet):
    def finished_latest_first(self):
        return self.filter(status=RunStatus.FINISHED).order_by("-finished_at", "-pk")


class InspectionRun(models.Model):
    """One run of the enabled rules over every live account, for one inspection day."""

    inspection_date = models.DateField(_("inspection day"))
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = user_field(_("requested by"))
    created_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    accounts = models.PositiveIntegerField(_("accounts inspected"), default=0)
    # Per rule code: {"open": n, "opened": n, "resolved": n}.
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    objects = InspectionRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection run")
        verbose_name_plural = _("inspection runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return _("Inspection of %(day)s") % {"day": self.inspection_date}


class RunStanding(models.Model):
    """What stood after a finished run in one unit: its findings by severity and its red accounts.

    Written once, as the run finishes (what stood after a run never changes: a finding resolved or
    waived later still stood then), so the dashboard's trend reads one row per run and unit instead
    of counting the findings of thirty runs. A unit is the account's unit at the run.
    """

    run = models.ForeignKey(InspectionRun, on_delete=models.CASCADE, related_name="standings")
    department = models.ForeignKey("registry.Department", on_delete=models.CASCADE, related_name="+")
    veto = models.PositiveIntegerField(default=0)
    serious = models.PositiveIntegerField(default=0)
    warning = models.PositiveIntegerField(default=0)
    info = models.PositiveIntegerField(default=0)
    red_accounts = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("run standing")
        verbose_name_plural = _("run standings")
        constraints = [
            models.UniqueConstraint(fields=["run", "department"], name="one_standing_per_run_and_unit")
        ]

    def __str__(self):
        return f"{self.run} · {self.department_id}"


class FindingQuerySet(ScopedQuerySet):
    department_lookup = "media_account__department"

    def with_last_seen(self):
        """Each finding's last day seen (``seen_until``) and the run that saw it then (``seen_in_run``).

        An open finding's are the latest run's: every run since it opened saw it (one that did not
        would have resolved it), and the run does not write that into each open finding, so that a
        steady run writes only what changed (docs/design.md §7.2). A finding that stops being open
        keeps its own (``last_seen``, ``last_run``)."""
        latest = InspectionRun.objects.finished_latest_first()
        return self.annotate(
            seen_until=Coalesce("last_seen", Subquery(latest.values("inspection_date")[:1])),
            seen_in_run=Case(
                When(status=FindingStatus.OPEN, then=Subquery(latest.values("pk")[:1])),
                default=F("last_run"),
            ),
        )


class Finding(models.Model):
    """One rule broken by one account; open while it holds, resolved when it clears (巡查问题)."""

    rule = models.ForeignKey(
        InspectionRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="findings"
    )
    media_account = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("media account"),
        on_delete=models.PROTECT,
        related_name="findings",
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    first_seen = models.DateField(_("first seen"))
    # Written when the finding stops being open; an open one's is the latest run's (with_last_seen).
    last_seen = models.DateField(_("last seen"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    last_run = models.ForeignKey(
        InspectionRun,
        verbose_name=_("last run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    waived_by = user_field(_("waived by"))
    waived_at = models.DateTimeField(_("waived at"), null=True, blank=True)
    waive_reason = models.TextField(_("waive reason"), blank=True)
    notice = models.ForeignKey(
        "RectificationNotice",
        verbose_name=_("rectification notice"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="findings",
    )
    # A wording hit (RuleCode.WORDING_*) names its post and the term or outside site it found
    # there; the office confirms it or marks it a false positive, which stays: the same term in the
    # same post is not flagged again.
    post = models.ForeignKey(
        "content.Post",
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    term = models.CharField(_("term"), max_length=200, blank=True)
    confirmed_by = user_field(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    dismissed_by = user_field(_("marked a false positive by"))
    dismissed_at = models.DateTimeField(_("marked a false positive at"), null=True, blank=True)
    dismiss_reason = models.TextField(_("why it is a false positive"), blank=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = [F("last_seen").desc(nulls_first=True), "pk"]
        constraints = [
            # A rerun or a retried run must never open a second finding for the same problem.
            models.UniqueConstraint(
                fields=["rule", "media_account"],
                condition=Q(status=FindingStatus.OPEN, post__isnull=True),
                name="one_open_finding_per_rule_and_account",
            ),
            # Nor a scan for the same term in the same post, while a finding of it stands: open,
            # waived or a false positive.
            models.UniqueConstraint(
                fields=["rule", "post", "term"],
                condition=Q(post__isnull=False) & ~Q(status=FindingStatus.RESOLVED),
                name="one_standing_finding_per_post_and_term",
            ),
        ]
        indexes = [
            # Grades and lists read the open findings of an account.
            models.Index(
                fields=["media_account", "severity"],
                condition=Q(status=FindingStatus.OPEN),
                name="finding_open_by_account",
            ),
            # A run sends a notice for the veto and serious findings not yet under one.
            models.Index(
                fields=["media_account"],
                condition=Q(
                    status=FindingStatus.OPEN,
                    severity__in=[Severity.VETO, Severity.SERIOUS],
                    notice__isnull=True,
                ),
                name="finding_unsent",
            ),
        ]

    def __str__(self):
        return f"{self.rule} · {self.media_account}"


class RectificationNoticeQuerySet(ScopedQuerySet):
    def overdue(self, today=None):
        return self.filter(status=NoticeStatus.OPEN, deadline__lt=today or timezone.localdate())


class RectificationNotice(models.Model):
    """A unit's veto and serious findings of one run, sent back with a deadline (整改通知)."""

    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="rectification_notices",
    )
    run = models.ForeignKey(
        InspectionRun, verbose_name=_("inspection run"), on_delete=models.PROTECT, related_name="notices"
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN
    )
    response = models.TextField(_("the unit's answer"), blank=True)
    responded_by = user_field(_("answered by"))
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    decided_by = user_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    return_note = models.TextField(_("sent back with"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RectificationNoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["department", "run"], name="one_notice_per_department_and_run"),
        ]

    def __str__(self):
        return _("%(department)s, reply by %(deadline)s") % {
            "department": self.department,
            "deadline": self.deadline,
        }

    @property
    def is_overdue(self) -> bool:
        return self.status == NoticeStatus.OPEN and self.deadline < timezone.localdate()
