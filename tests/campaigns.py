"""Builders for campaign tests: each step done through the services, as a user would.

Plain functions rather than fixtures, so a test reads as the steps it needs.
"""

import datetime
import itertools

from django.utils import timezone

from audits.campaigns import services
from audits.campaigns.choices import Outcome, Proposal
from audits.campaigns.models import ClosureOrder, ReviewCampaign, ReviewMeeting, SelfInspection

_names = itertools.count(1)

# The answers of a unit that has everything an account needs (三有).
THREE_HAVES = {
    "has_need": True,
    "need_reason": "发布本单位政策解读和办事指南",
    "has_capacity": True,
    "staff_count": 2,
    "run_by": "staff",
    "has_support": True,
    "support_note": "年度运维经费，内容审核制度",
}
# The answers of a unit that has none of it.
NO_HAVES = {"has_need": False, "has_capacity": False, "has_support": False}


def days_from_now(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def campaign(office, *, start: bool = True, **scope) -> ReviewCampaign:
    """A campaign over the active accounts in ``scope`` (all of them by default), started."""
    created = services.campaign_create(
        actor=office,
        name=f"政务新媒体清理整顿{next(_names)}",
        self_inspection_due=days_from_now(14),
        closure_due=days_from_now(45),
        scope=scope,
    )
    if start:
        services.campaign_start(actor=office, campaign=created)
        created.refresh_from_db()
    return created


def inspection_of(campaign: ReviewCampaign, account) -> SelfInspection:
    return SelfInspection.objects.get(campaign=campaign, media_account=account)


def submitted(actor, inspection: SelfInspection, proposal: str = Proposal.RETAIN, **answers):
    """The unit's answers, saved and submitted: three haves to retain, none otherwise."""
    answers = {**(THREE_HAVES if proposal == Proposal.RETAIN else NO_HAVES), **answers}
    services.self_inspection_save(actor=actor, self_inspection=inspection, proposal=proposal, **answers)
    return services.self_inspection_submit(actor=actor, self_inspection=inspection)


def meeting(office, campaign: ReviewCampaign) -> ReviewMeeting:
    return services.meeting_create(
        actor=office, campaign=campaign, held_on=timezone.localdate(), attendees="宣传部、网信办", minutes=""
    )


def ordered(office, unit_admin, campaign, account, *, merge_target=None, **decision) -> ClosureOrder:
    """An account the unit proposed to close (or merge) and the office decided so: its order."""
    proposal = Proposal.MERGE if merge_target else Proposal.CLOSE
    inspection = submitted(unit_admin, inspection_of(campaign, account), proposal, merge_target=merge_target)
    made = services.decision_make(
        actor=office,
        self_inspection=inspection,
        meeting=meeting(office, campaign),
        outcome=Outcome.MERGE if merge_target else Outcome.CLOSE,
        merge_target=merge_target,
        **decision,
    )
    return made.closure_order
