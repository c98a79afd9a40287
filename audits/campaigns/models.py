"""The three-step clean-up campaign (清理整顿专项行动, docs/design.md §1.3).

单位提出申请 (SelfInspection) → 集中研究审议 (ReviewMeeting, ReviewDecision)
→ 限期集中关停 (ClosureOrder).
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import user_field
from audits.campaigns.choices import (
    CampaignStatus,
    ClosureOrderStatus,
    Outcome,
    Proposal,
    SelfInspectionStatus,
)
from registry.choices import Employment
from registry.models import ScopedQuerySet


class ReviewCampaign(models.Model):
    """One clean-up campaign over the accounts in its scope."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    # Which live accounts the campaign covers: {"department_kinds": [...], "platforms": [...],
    # "departments": [ids]}; an empty scope covers every live account.
    scope = models.JSONField(_("scope"), default=dict, blank=True)
    self_inspection_due = models.DateField(_("self-inspection due"))
    closure_due = models.DateField(_("closure due"))
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    created_by = user_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)

    class Meta:
        verbose_name = _("review campaign")
        verbose_name_plural = _("review campaigns")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closure_due__gte=models.F("self_inspection_due")),
                name="campaign_closure_after_self_inspection",
            ),
        ]

    def __str__(self):
        return self.name


class SelfInspectionQuerySet(ScopedQuerySet):
    department_lookup = "media_account__department"

    def awaiting_unit(self):
        # Not yet submitted (or returned for revision) while the campaign runs: the unit's to do.
        return self.filter(
            campaign__status=CampaignStatus.RUNNING,
            status__in=(SelfInspectionStatus.PENDING, SelfInspectionStatus.DRAFT),
        )

    def overdue(self, today=None):
        return self.awaiting_unit().filter(campaign__self_inspection_due__lt=today or timezone.localdate())


class SelfInspection(models.Model):
    """A unit's three-have answers and proposal for one account in one campaign (自查申请)."""

    campaign = models.ForeignKey(
        ReviewCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="self_inspections"
    )
    media_account = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("media account"),
        on_delete=models.PROTECT,
        related_name="self_inspections",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=SelfInspectionStatus.choices, default=SelfInspectionStatus.PENDING
    )
    has_need = models.BooleanField(_("has a real need"), null=True, blank=True)
    need_reason = models.TextField(_("the need"), blank=True)
    has_capacity = models.BooleanField(_("has the capacity to run it"), null=True, blank=True)
    staff_count = models.PositiveSmallIntegerField(_("staff running it"), null=True, blank=True)
    run_by = models.CharField(_("run by"), max_length=20, choices=Employment.choices, blank=True)
    capacity_note = models.TextField(_("capacity note"), blank=True)
    has_support = models.BooleanField(_("has support (budget, rules)"), null=True, blank=True)
    support_note = models.TextField(_("support note"), blank=True, help_text=_("Budget and rules"))
    proposal = models.CharField(_("proposal"), max_length=10, choices=Proposal.choices, blank=True)
    merge_target = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("merge into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_by = user_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    return_note = models.TextField(_("returned with"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = SelfInspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-inspection")
        verbose_name_plural = _("self-inspections")
        ordering = ["campaign", "media_account__department__order_key", "media_account__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "media_account"], name="one_self_inspection_per_account"
            ),
            models.CheckConstraint(
                condition=~Q(merge_target=models.F("media_account")),
                name="self_inspection_not_merged_into_itself",
            ),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.media_account}"

    @property
    def has_all_three(self) -> bool:
        return bool(self.has_need and self.has_capacity and self.has_support)

    @property
    def is_editable(self) -> bool:
        return self.status in (SelfInspectionStatus.PENDING, SelfInspectionStatus.DRAFT)

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_editable
            and self.campaign.status == CampaignStatus.RUNNING
            and self.campaign.self_inspection_due < timezone.localdate()
        )


class ReviewMeeting(models.Model):
    """The office's meeting that reviews applications together (集中审议会)."""

    campaign = models.ForeignKey(
        ReviewCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="meetings"
    )
    held_on = models.DateField(_("held on"))
    attendees = models.TextField(_("attendees"))
    minutes = models.TextField(_("minutes"), blank=True)
    created_by = user_field(_("recorded by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return _("%(campaign)s: meeting of %(day)s") % {"campaign": self.campaign, "day": self.held_on}


class ReviewDecisionQuerySet(ScopedQuerySet):
    department_lookup = "self_inspection__media_account__department"


class ReviewDecision(models.Model):
    """What the meeting decided for one application (审议结论)."""

    self_inspection = models.ForeignKey(
        SelfInspection, verbose_name=_("self-inspection"), on_delete=models.PROTECT, related_name="decisions"
    )
    meeting = models.ForeignKey(
        ReviewMeeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="decisions"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    recommended = models.CharField(
        _("recommended outcome"), max_length=10, choices=Outcome.choices, blank=True
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    merge_target = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("merge into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    decided_by = user_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), default=timezone.now)

    objects = ReviewDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("review decision")
        verbose_name_plural = _("review decisions")
        ordering = ["-decided_at", "-pk"]
        constraints = [
            # A returned application comes back for another decision; any other outcome is final.
            models.UniqueConstraint(
                fields=["self_inspection"],
                condition=~Q(outcome=Outcome.RETURN),
                name="one_final_decision_per_self_inspection",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=[Outcome.CLOSE, Outcome.MERGE]) | Q(deadline__isnull=False),
                name="closing_decision_has_deadline",
            ),
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.MERGE) | Q(merge_target__isnull=False),
                name="merge_decision_has_target",
            ),
        ]

    def __str__(self):
        return f"{self.self_inspection} → {self.get_outcome_display()}"


class ClosureOrderQuerySet(ScopedQuerySet):
    department_lookup = "media_account__department"

    def overdue(self, today=None):
        # Orders the unit has not yet confirmed, past their deadline: used by the daily task.
        return self.filter(status=ClosureOrderStatus.OPEN, deadline__lt=today or timezone.localdate())


class ClosureOrder(models.Model):
    """A decided closure or merger, to be carried out by a deadline (限期关停(整合)令)."""

    decision = models.OneToOneField(
        ReviewDecision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="closure_order"
    )
    campaign = models.ForeignKey(
        ReviewCampaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="closure_orders"
    )
    media_account = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("media account"),
        on_delete=models.PROTECT,
        related_name="closure_orders",
    )
    merge_target = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("merge into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=ClosureOrderStatus.choices, default=ClosureOrderStatus.OPEN
    )
    overdue_since = models.DateField(_("overdue since"), null=True, blank=True)
    evidence_url = models.URLField(_("notice URL"), max_length=500, blank=True)
    evidence_file = models.FileField(_("screenshot"), upload_to="closure-evidence/%Y/%m/", blank=True)
    evidence_note = models.TextField(_("note from the unit"), blank=True)
    confirmed_by = user_field(_("confirmed by"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    verified_by = user_field(_("verified by"))
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    rejection_note = models.TextField(_("confirmation rejected with"), blank=True)

    objects = ClosureOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("closure order")
        verbose_name_plural = _("closure orders")
        ordering = ["deadline", "pk"]
        indexes = [
            # The daily overdue sweep looks only at open orders.
            models.Index(fields=["deadline"], condition=Q(status="open"), name="closure_order_open_deadline"),
        ]

    def __str__(self):
        return _("%(account)s, by %(deadline)s") % {"account": self.media_account, "deadline": self.deadline}

    @property
    def is_merger(self) -> bool:
        return self.merge_target_id is not None

    @property
    def is_overdue(self) -> bool:
        return self.status == ClosureOrderStatus.OPEN and self.deadline < timezone.localdate()
