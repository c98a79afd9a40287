"""Every write of a clean-up campaign, step by step (docs/design.md §1.3, §5.3–§5.6).

单位提出申请: ``campaign_start`` opens one self-inspection per account in scope;
units fill (``self_inspection_save``) and submit (``self_inspection_submit``) them.
集中研究审议: the office records a meeting and decides (``decisions_make``).
限期集中关停: close and merge decisions become closure orders that the unit confirms and
the office verifies; the daily ``closure_orders_mark_overdue`` flags the late ones.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import authorize
from accounts.services import department_admins, notify
from audits.campaigns.choices import (
    CampaignStatus,
    ClosureOrderStatus,
    Outcome,
    Proposal,
    SelfInspectionStatus,
)
from audits.campaigns.models import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.campaigns.states import CAMPAIGN, CLOSURE_ORDER, SELF_INSPECTION
from audits.trail.services import diff, record, record_many, snapshot
from registry import services as registry_services
from registry.choices import MediaAccountStatus
from registry.models import MediaAccount

SCOPE_KEYS = ("department_kinds", "platforms", "departments")
ANSWER_FIELDS = (
    "has_need",
    "need_reason",
    "has_capacity",
    "staff_count",
    "run_by",
    "capacity_note",
    "has_support",
    "support_note",
    "proposal",
    "merge_target",
)


# Step 0: the campaign --------------------------------------------------------------------------


def _validated_scope(scope: Mapping[str, Any] | None) -> dict[str, list]:
    scope = dict(scope or {})
    unknown = set(scope) - set(SCOPE_KEYS)
    if unknown:
        raise ValidationError(
            {"scope": _("Unknown scope keys: %(keys)s") % {"keys": ", ".join(sorted(unknown))}}
        )
    return {key: list(value) for key, value in scope.items() if value}


def accounts_in_scope(scope: Mapping[str, Any]):
    """The live accounts a campaign with this scope covers."""
    accounts = MediaAccount.objects.filter(status=MediaAccountStatus.ACTIVE)
    if scope.get("department_kinds"):
        accounts = accounts.filter(department__kind__in=scope["department_kinds"])
    if scope.get("platforms"):
        accounts = accounts.filter(platform__in=scope["platforms"])
    if scope.get("departments"):
        accounts = accounts.filter(department_id__in=scope["departments"])
    return accounts


@transaction.atomic
def campaign_create(
    *,
    actor,
    name: str,
    self_inspection_due: datetime.date,
    closure_due: datetime.date,
    scope: Mapping[str, Any] | None = None,
    description: str = "",
) -> ReviewCampaign:
    """The office sets up a campaign: its scope and its two deadlines."""
    authorize(actor, "audits.create_campaign")
    campaign = ReviewCampaign(
        name=name,
        description=description,
        scope=_validated_scope(scope),
        self_inspection_due=self_inspection_due,
        closure_due=closure_due,
        created_by=actor,
    )
    if closure_due and self_inspection_due and closure_due < self_inspection_due:
        raise ValidationError(
            {"closure_due": _("The closure deadline cannot come before the self-inspection one.")}
        )
    campaign.full_clean()
    campaign.save()
    record(
        "audits.campaign.created",
        actor=actor,
        target=campaign,
        changes={"after": snapshot(campaign, ("name", "scope", "self_inspection_due", "closure_due"))},
    )
    return campaign


@transaction.atomic
def campaign_start(*, actor, campaign: ReviewCampaign) -> int:
    """Open one self-inspection per account in scope and tell each unit; returns how many."""
    authorize(actor, "audits.start_campaign")
    campaign = ReviewCampaign.objects.select_for_update().get(pk=campaign.pk)
    CAMPAIGN.check(campaign, "start")
    accounts = list(accounts_in_scope(campaign.scope).values_list("pk", "department_id"))
    if not accounts:
        raise ValidationError({"scope": _("No live account is in this campaign's scope.")})
    SelfInspection.objects.bulk_create(
        (SelfInspection(campaign=campaign, media_account_id=pk) for pk, _department in accounts),
        batch_size=500,
    )
    campaign.status = CampaignStatus.RUNNING
    campaign.started_at = timezone.now()
    campaign.save(update_fields=["status", "started_at"])
    record(
        "audits.campaign.started",
        actor=actor,
        target=campaign,
        changes={"after": {"accounts": len(accounts)}},
    )
    notify(
        users=department_admins({department for _pk, department in accounts}),
        subject=_("Self-inspection: %(campaign)s") % {"campaign": campaign.name},
        body=_(
            "Check each of your unit's accounts against the three haves (need, capacity, support) "
            "and submit your proposal by %(due)s."
        )
        % {"due": campaign.self_inspection_due},
        url=reverse("self_inspection_list") + f"?campaign={campaign.pk}",
    )
    return len(accounts)


# Step 1: 单位提出申请 ---------------------------------------------------------------------------


def _locked_self_inspection(self_inspection: SelfInspection) -> SelfInspection:
    return (
        SelfInspection.objects.select_for_update()
        .select_related("campaign", "media_account")
        .get(pk=self_inspection.pk)
    )


def _check_merge_target(
    target: MediaAccount | None, account: MediaAccount, field: str = "merge_target"
) -> None:
    if target is not None and (target.pk == account.pk or target.status != MediaAccountStatus.ACTIVE):
        raise ValidationError({field: _("Merge into another live account of the district.")})


@transaction.atomic
def self_inspection_save(*, actor, self_inspection: SelfInspection, **answers: Any) -> SelfInspection:
    """The unit records (part of) its answers; the application stays a draft until submitted."""
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"self_inspection_save() got unknown fields {', '.join(sorted(unknown))}")
    inspection = _locked_self_inspection(self_inspection)
    authorize(actor, "audits.answer_self_inspection", inspection)
    SELF_INSPECTION.check(inspection, "save")
    before = snapshot(inspection, ANSWER_FIELDS)
    for name, value in answers.items():
        setattr(inspection, name, value)
    _check_merge_target(inspection.merge_target, inspection.media_account)
    inspection.status = SelfInspectionStatus.DRAFT
    inspection.full_clean()
    inspection.save()
    changes = diff(before, snapshot(inspection, ANSWER_FIELDS))
    if changes["after"]:
        record("audits.self_inspection.saved", actor=actor, target=inspection, changes=changes)
    return inspection


def _submission_errors(inspection: SelfInspection) -> dict[str, str]:
    errors = {}
    for field in ("has_need", "has_capacity", "has_support"):
        if getattr(inspection, field) is None:
            errors[field] = _("Answer yes or no.")
    if inspection.has_need and not inspection.need_reason.strip():
        errors["need_reason"] = _("Describe the need.")
    if inspection.has_capacity and not inspection.staff_count:
        errors["staff_count"] = _("Say how many people run the account.")
    if not inspection.proposal:
        errors["proposal"] = _("Propose to retain, close or merge the account.")
    elif inspection.proposal == Proposal.RETAIN and not inspection.has_all_three:
        # 三有原则: without all three haves, "该关停的关停，该整合的整合".
        errors["proposal"] = _(
            "An account may be retained only with a need, the capacity and the support; "
            "otherwise propose to close or merge it."
        )
    elif inspection.proposal == Proposal.MERGE and inspection.merge_target_id is None:
        errors["merge_target"] = _("Name the account to merge into.")
    return errors


@transaction.atomic
def self_inspection_submit(*, actor, self_inspection: SelfInspection) -> SelfInspection:
    """Submit the application for review; it is locked until the office returns it."""
    inspection = _locked_self_inspection(self_inspection)
    authorize(actor, "audits.answer_self_inspection", inspection)
    SELF_INSPECTION.check(inspection, "submit")
    errors = _submission_errors(inspection)
    if errors:
        raise ValidationError(errors)
    _check_merge_target(inspection.merge_target, inspection.media_account)
    inspection.status = SelfInspectionStatus.SUBMITTED
    inspection.submitted_by = actor
    inspection.submitted_at = timezone.now()
    inspection.return_note = ""
    inspection.save(update_fields=["status", "submitted_by", "submitted_at", "return_note", "updated_at"])
    record(
        "audits.self_inspection.submitted",
        actor=actor,
        target=inspection,
        changes={"after": snapshot(inspection, ANSWER_FIELDS)},
    )
    return inspection


# Step 2: 集中研究审议 ---------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, actor, campaign: ReviewCampaign, held_on: datetime.date, attendees: str, minutes: str = ""
) -> ReviewMeeting:
    """Record the office's review meeting."""
    authorize(actor, "audits.record_meeting")
    campaign = ReviewCampaign.objects.get(pk=campaign.pk)  # the caller's copy may predate the start
    CAMPAIGN.check(campaign, "record_meeting")
    meeting = ReviewMeeting(
        campaign=campaign, held_on=held_on, attendees=attendees, minutes=minutes, created_by=actor
    )
    meeting.full_clean()
    meeting.save()
    record(
        "audits.meeting.created",
        actor=actor,
        target=meeting,
        changes={"after": snapshot(meeting, ("campaign", "held_on", "attendees", "minutes"))},
    )
    return meeting


@transaction.atomic
def meeting_update(*, actor, meeting: ReviewMeeting, **fields: Any) -> ReviewMeeting:
    """Correct a meeting's date, attendees or minutes."""
    authorize(actor, "audits.record_meeting")
    meeting = ReviewMeeting.objects.select_for_update().get(pk=meeting.pk)
    before = snapshot(meeting, ("held_on", "attendees", "minutes"))
    for name, value in fields.items():
        if name not in ("held_on", "attendees", "minutes"):
            raise TypeError(f"meeting_update() cannot change {name}")
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    changes = diff(before, snapshot(meeting, ("held_on", "attendees", "minutes")))
    if changes["after"]:
        record("audits.meeting.updated", actor=actor, target=meeting, changes=changes)
    return meeting


def _decide_one(
    *, actor, meeting: ReviewMeeting, item: Mapping[str, Any], recommended: str
) -> ReviewDecision:
    inspection = _locked_self_inspection(item["self_inspection"])
    if inspection.campaign_id != meeting.campaign_id:
        raise ValidationError({"meeting": _("The meeting belongs to another campaign.")})
    SELF_INSPECTION.check(inspection, "decide")
    outcome = item["outcome"]
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose retain, close, merge or return.")})
    deadline = item.get("deadline")
    merge_target = item.get("merge_target")
    if outcome in (Outcome.CLOSE, Outcome.MERGE):
        deadline = deadline or inspection.campaign.closure_due
    else:
        deadline = None
    if outcome == Outcome.MERGE:
        merge_target = merge_target or inspection.merge_target
        if merge_target is None:
            raise ValidationError({"merge_target": _("Name the account to merge into.")})
        _check_merge_target(merge_target, inspection.media_account)
    else:
        merge_target = None
    if outcome == Outcome.RETURN and not (item.get("note") or "").strip():
        raise ValidationError({"note": _("Say what the unit must revise.")})

    decision = ReviewDecision.objects.create(
        self_inspection=inspection,
        meeting=meeting,
        outcome=outcome,
        recommended=recommended,
        deadline=deadline,
        merge_target=merge_target,
        note=item.get("note") or "",
        decided_by=actor,
    )
    if outcome == Outcome.RETURN:
        inspection.status = SelfInspectionStatus.DRAFT
        inspection.return_note = decision.note
    else:
        inspection.status = SelfInspectionStatus.DECIDED
    inspection.save(update_fields=["status", "return_note", "updated_at"])
    record(
        "audits.decision.made",
        actor=actor,
        target=decision,
        department_id=inspection.media_account.department_id,
        changes={
            "after": snapshot(
                decision,
                ("self_inspection", "meeting", "outcome", "recommended", "deadline", "merge_target", "note"),
            )
        },
    )
    if outcome in (Outcome.CLOSE, Outcome.MERGE):
        _order_closure(decision, inspection, actor=actor)
    return decision


def _order_closure(decision: ReviewDecision, inspection: SelfInspection, *, actor) -> ClosureOrder | None:
    # The registry owns the account's states: it makes the account closing (merging), or says it
    # has ended meanwhile through its own filing, when the decision stands and nothing is ordered.
    account = registry_services.media_account_order_closure(
        actor=actor, media_account=inspection.media_account, merge_target=decision.merge_target
    )
    if account is None:
        return None
    order = ClosureOrder.objects.create(
        decision=decision,
        campaign_id=inspection.campaign_id,
        media_account=account,
        merge_target=decision.merge_target,
        deadline=decision.deadline,
    )
    record(
        "audits.closure_order.created",
        actor=actor,
        target=order,
        changes={"after": snapshot(order, ("media_account", "merge_target", "deadline"))},
    )
    return order


@transaction.atomic
def decisions_make(
    *, actor, meeting: ReviewMeeting, items: Iterable[Mapping[str, Any]]
) -> list[ReviewDecision]:
    """Decide one or many applications in one action: all are recorded, or (on any error) none.

    Each item has ``self_inspection``, ``outcome`` and optionally ``deadline`` (default: the
    campaign's closure deadline), ``merge_target`` (default: the unit's proposal) and ``note``.
    With several items, bad input names the item: ``items[3].merge_target``.
    """
    authorize(actor, "audits.decide_application")
    items = list(items)
    if not items:
        raise ValidationError(_("Choose at least one application to decide."))
    from audits.campaigns.selectors import recommendations_for  # reads metrics; kept out of import time

    # The recommendation is recorded beside each decision; computed for all of them at once.
    inspections = SelfInspection.objects.filter(
        pk__in=[item["self_inspection"].pk for item in items]
    ).select_related("merge_target")
    recommended = {pk: rec.outcome for pk, rec in recommendations_for(inspections).items()}
    decisions = []
    for index, item in enumerate(items):
        try:
            decisions.append(
                _decide_one(
                    actor=actor,
                    meeting=meeting,
                    item=item,
                    recommended=recommended.get(item["self_inspection"].pk, ""),
                )
            )
        except ValidationError as error:
            if len(items) == 1:
                raise
            # Among many, name the item at fault, as an import names its row (docs/design.md §13).
            fields = (
                error.message_dict if hasattr(error, "error_dict") else {NON_FIELD_ERRORS: error.messages}
            )
            raise ValidationError(
                {
                    f"items[{index}]" if field == NON_FIELD_ERRORS else f"items[{index}].{field}": messages
                    for field, messages in fields.items()
                }
            ) from None
    by_department: dict[int, list[ReviewDecision]] = {}
    for decision in decisions:
        by_department.setdefault(decision.self_inspection.media_account.department_id, []).append(decision)
    for department_id, decided in by_department.items():
        notify(
            users=department_admins([department_id]),
            subject=_("Review decisions: %(campaign)s") % {"campaign": meeting.campaign.name},
            body="\n".join(_decision_line(decision) for decision in decided),
            url=reverse("self_inspection_list") + f"?campaign={meeting.campaign_id}",
        )
    return decisions


def _decision_line(decision: ReviewDecision) -> str:
    # Translated as a whole, so the Chinese reads with its own punctuation (：，), not ": (…)".
    values = {
        "account": decision.self_inspection.media_account.name,
        "outcome": decision.get_outcome_display(),
        "deadline": decision.deadline,
    }
    if decision.deadline:
        return _("%(account)s: %(outcome)s, by %(deadline)s") % values
    return _("%(account)s: %(outcome)s") % values


def decision_make(
    *, actor, self_inspection: SelfInspection, meeting: ReviewMeeting, **item: Any
) -> ReviewDecision:
    """Decide one application (see :func:`decisions_make`)."""
    return decisions_make(actor=actor, meeting=meeting, items=[{"self_inspection": self_inspection, **item}])[
        0
    ]


# Step 3: 限期集中关停 ---------------------------------------------------------------------------


def _locked_order(order: ClosureOrder) -> ClosureOrder:
    # Lock the order's row only: PostgreSQL cannot lock the nullable side of the outer join to
    # merge_target, and verification locks the account itself when it changes it.
    return (
        ClosureOrder.objects.select_for_update(of=("self",))
        .select_related("media_account", "campaign", "merge_target")
        .get(pk=order.pk)
    )


@transaction.atomic
def closure_order_confirm(
    *,
    actor,
    order: ClosureOrder,
    evidence_url: str = "",
    evidence_file=None,
    note: str = "",
    merge_target: MediaAccount | None = None,
) -> ClosureOrder:
    """The unit says the closure or merger is done, with its evidence."""
    order = _locked_order(order)
    authorize(actor, "audits.confirm_closure_order", order)
    CLOSURE_ORDER.check(order, "confirm")
    if not (evidence_url or evidence_file or note.strip()):
        raise ValidationError({"evidence_url": _("Give the notice URL, a screenshot or a note as evidence.")})
    if order.is_merger and merge_target is not None:
        _check_merge_target(merge_target, order.media_account)
        order.merge_target = merge_target
    order.status = ClosureOrderStatus.CONFIRMED
    order.evidence_url = evidence_url
    if evidence_file is not None:
        order.evidence_file = evidence_file
    order.evidence_note = note
    order.confirmed_by = actor
    order.confirmed_at = timezone.now()
    order.full_clean(exclude=["decision", "campaign", "media_account"])
    order.save()
    record(
        "audits.closure_order.confirmed",
        actor=actor,
        target=order,
        changes={
            "after": {
                "evidence_url": evidence_url,
                "note": note,
                "evidence_file": order.evidence_file.name or None,
                "merge_target": order.merge_target_id,
            }
        },
    )
    return order


@transaction.atomic
def closure_order_verify(*, actor, order: ClosureOrder, note: str = "") -> ClosureOrder:
    """The office checks the closure: the registry closes (or merges) the account, withdrawing its
    pending filings and recording an approved close filing (``media_account_close``)."""
    authorize(actor, "audits.verify_closure_order", order)
    order = _locked_order(order)
    CLOSURE_ORDER.check(order, "verify")
    registry_services.media_account_close(
        actor=actor,
        media_account=order.media_account,
        merge_target=order.merge_target,
        reason=_("Decided in the campaign “%(campaign)s”") % {"campaign": order.campaign.name},
        notice_url=order.evidence_url,
        submitted_by=order.confirmed_by,
        submitted_at=order.confirmed_at,
        note=note,
    )
    order.status = ClosureOrderStatus.VERIFIED
    order.verified_by = actor
    order.verified_at = timezone.now()
    order.save(update_fields=["status", "verified_by", "verified_at"])
    record("audits.closure_order.verified", actor=actor, target=order, changes={"after": {"note": note}})
    return order


@transaction.atomic
def closure_order_reject(*, actor, order: ClosureOrder, note: str) -> ClosureOrder:
    """The office finds the closure not done: the order is open again, with the reason."""
    authorize(actor, "audits.reject_closure_order", order)
    order = _locked_order(order)
    CLOSURE_ORDER.check(order, "reject")
    if not note.strip():
        raise ValidationError({"note": _("Say what is still missing.")})
    order.status = ClosureOrderStatus.OPEN
    order.rejection_note = note
    order.save(update_fields=["status", "rejection_note"])
    record("audits.closure_order.rejected", actor=actor, target=order, changes={"after": {"note": note}})
    notify(
        users=department_admins([order.media_account.department_id]),
        subject=_("Closure not accepted: %(account)s") % {"account": order.media_account.name},
        body=note,
        url=reverse("closure_order_detail", args=[order.pk]),
    )
    return order


@transaction.atomic
def closure_orders_mark_overdue(*, today: datetime.date | None = None) -> int:
    """Flag the open orders past their deadline (the daily job); safe to run again the same day."""
    today = today or timezone.localdate()
    due = list(
        ClosureOrder.objects.overdue(today)
        .filter(overdue_since__isnull=True)
        .select_for_update(skip_locked=True)
        .select_related("media_account")
    )
    if not due:
        return 0
    ClosureOrder.objects.filter(pk__in=[order.pk for order in due]).update(overdue_since=today)
    record_many(
        "audits.closure_order.overdue", items=((order, {"after": {"overdue_since": today}}) for order in due)
    )
    for department_id in {order.media_account.department_id for order in due}:
        names = [
            order.media_account.name for order in due if order.media_account.department_id == department_id
        ]
        notify(
            users=department_admins([department_id]),
            subject=_("Closure overdue"),
            body=_("Past the deadline and not yet confirmed: %(accounts)s") % {"accounts": "、".join(names)},
            url=reverse("closure_order_list"),
        )
    return len(due)
