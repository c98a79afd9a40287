"""Reads of a campaign: the recommended outcome of each application, and the campaign's progress."""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import permissions
from audits.campaigns.choices import (
    CampaignStatus,
    ClosureOrderStatus,
    Outcome,
    Proposal,
    SelfInspectionStatus,
)
from audits.campaigns.models import ClosureOrder, ReviewCampaign, ReviewDecision, SelfInspection
from audits.inspections.selectors import open_findings, with_grade
from registry.choices import ENDED_STATUSES, Employment, MediaAccountStatus, Platform
from registry.models import AccountMetric, Department, MediaAccount

# The thresholds behind a recommendation. The model case closed accounts "with fewer than 100
# followers and under one post a day"; the national indicators call an account silent after two
# weeks; a month of silence, or less than a post a week, leaves no doubt. An account live for less
# than the window has not had the month its figures are judged over (issue 10: one approved that
# day was proposed for closure for its 0 followers and no posts).
SILENT_DAYS = 30
MIN_FOLLOWERS = 100
MIN_POSTS_IN_30_DAYS = 4
WINDOW_DAYS = 30


@dataclass(frozen=True)
class Facts:
    followers: int
    posts_30_days: int
    days_since_last_post: int | None
    sibling: MediaAccount | None  # the unit's strongest other live account on the same platform
    days_live: int | None = None  # None: registered as already running, its start unknown

    @property
    def posts_per_day(self) -> float:
        return self.posts_30_days / WINDOW_DAYS

    @property
    def too_new(self) -> bool:
        return self.days_live is not None and self.days_live < WINDOW_DAYS


@dataclass(frozen=True)
class Recommendation:
    outcome: str
    reasons: list[str] = field(default_factory=list)
    merge_target: MediaAccount | None = None
    facts: Facts | None = None

    def get_outcome_display(self) -> str:
        return str(Outcome(self.outcome).label)


def _weaknesses(inspection: SelfInspection, facts: Facts) -> list[str]:
    reasons = []
    if inspection.has_need is False:
        reasons.append(_("no real need"))
    if inspection.has_capacity is False:
        reasons.append(_("no capacity to run it"))
    if inspection.has_support is False:
        reasons.append(_("no support"))
    if facts.too_new:
        return reasons
    if facts.days_since_last_post is None:
        reasons.append(_("never posted"))
    elif facts.days_since_last_post >= SILENT_DAYS:
        reasons.append(_("silent %(days)d days") % {"days": facts.days_since_last_post})
    elif facts.posts_30_days < MIN_POSTS_IN_30_DAYS:
        reasons.append(_("%(posts)d posts in 30 days") % {"posts": facts.posts_30_days})
    if facts.followers < MIN_FOLLOWERS:
        reasons.append(_("%(followers)d followers") % {"followers": facts.followers})
    return reasons


def recommend(inspection: SelfInspection, facts: Facts) -> Recommendation:
    """The outcome the figures and the answers point to, with the reasons a reviewer reads."""
    reasons = _weaknesses(inspection, facts)
    if reasons and not (inspection.run_by == Employment.STAFF and inspection.staff_count):
        reasons.append(_("no dedicated staff"))
    if inspection.proposal == Proposal.MERGE and inspection.merge_target_id:
        return Recommendation(
            Outcome.MERGE, [_("the unit proposes the merger"), *reasons], inspection.merge_target, facts
        )
    if facts.sibling is not None and (reasons or inspection.proposal != Proposal.RETAIN):
        reasons.append(
            _("the unit has another live account on this platform: %(name)s") % {"name": facts.sibling.name}
        )
        return Recommendation(Outcome.MERGE, reasons, facts.sibling, facts)
    if inspection.proposal == Proposal.CLOSE:
        return Recommendation(Outcome.CLOSE, [_("the unit proposes the closure"), *reasons], None, facts)
    if reasons:
        return Recommendation(Outcome.CLOSE, reasons, None, facts)
    if facts.too_new:
        reason = _(
            "needed, staffed and supported; live for %(days)d days, too new to judge by its figures "
            "(%(window)d days)"
        ) % {"days": facts.days_live, "window": WINDOW_DAYS}
        return Recommendation(Outcome.RETAIN, [reason], None, facts)
    return Recommendation(Outcome.RETAIN, [_("needed, staffed, supported and active")], None, facts)


def with_account_findings(inspections: QuerySet) -> QuerySet:
    """Applications with what a review looks at beside the answers: their account's grade
    (``grade``) and its open findings (``media_account.open_findings``, gravest first), one query
    more for the whole page."""
    return with_grade(inspections, via="media_account").prefetch_related(open_findings(via="media_account"))


def facts_for(inspections: list[SelfInspection], today: datetime.date | None = None) -> dict[int, Facts]:
    """The figures behind each application's recommendation, in two queries however many there are."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=WINDOW_DAYS)
    account_ids = [inspection.media_account_id for inspection in inspections]
    posts = AccountMetric.objects.filter(media_account=OuterRef("pk"), date__gt=since, date__lte=today)
    # Each account's strongest other live account of its unit on its platform, found by the database
    # (the unit-and-platform index) rather than by loading every account of the units concerned.
    strongest_sibling = (
        MediaAccount.objects.filter(
            department=OuterRef("department"), platform=OuterRef("platform"), status=MediaAccountStatus.ACTIVE
        )
        .exclude(pk=OuterRef("pk"))
        .order_by("-followers", "pk")
        .values("pk")[:1]
    )
    accounts = MediaAccount.objects.filter(pk__in=account_ids).annotate(
        posts_30_days=Coalesce(
            Subquery(posts.values("media_account").annotate(total=Sum("posts")).values("total")[:1]),
            0,
            output_field=IntegerField(),
        ),
        sibling_id=Subquery(strongest_sibling),
    )
    by_id = {account.pk: account for account in accounts}
    siblings = MediaAccount.objects.in_bulk({account.sibling_id for account in by_id.values()} - {None})
    facts = {}
    for inspection in inspections:
        account = by_id[inspection.media_account_id]
        facts[inspection.pk] = Facts(
            followers=account.followers,
            posts_30_days=account.posts_30_days,
            days_since_last_post=(today - account.last_post_on).days if account.last_post_on else None,
            sibling=siblings.get(account.sibling_id),
            days_live=(today - account.activated_on).days if account.activated_on else None,
        )
    return facts


def recommendations_for(inspections, today: datetime.date | None = None) -> dict[int, Recommendation]:
    inspections = list(inspections)
    facts = facts_for(inspections, today)
    return {inspection.pk: recommend(inspection, facts[inspection.pk]) for inspection in inspections}


def recommendation_for(inspection: SelfInspection) -> Recommendation:
    return recommendations_for([inspection])[inspection.pk]


# The way on --------------------------------------------------------------------------------------


def still_to_do(inspection: SelfInspection, user) -> tuple[SelfInspection | None, int]:
    """The next self-inspection ``user`` still has to fill in the same campaign, after ``inspection``
    in the list's order (unit, then account) or else the first, and how many there are besides
    ``inspection``: a unit answering its accounts one after another (two queries)."""
    todo = (
        SelfInspection.objects.restrict(user, "view")
        .filter(
            campaign_id=inspection.campaign_id,
            status__in=[SelfInspectionStatus.PENDING, SelfInspectionStatus.DRAFT],
        )
        .exclude(pk=inspection.pk)
    )
    code, name = inspection.media_account.department.code, inspection.media_account.name
    after = (
        Q(media_account__department__code__gt=code)
        | Q(media_account__department__code=code, media_account__name__gt=name)
        | Q(media_account__department__code=code, media_account__name=name, pk__gt=inspection.pk)
    )
    following = (
        todo.select_related("media_account")
        .annotate(wraps=Case(When(after, then=Value(0)), default=Value(1)))
        .order_by("wraps", "media_account__department__order_key", "media_account__name", "pk")
        .first()
    )
    return following, todo.count()


# Merge targets -----------------------------------------------------------------------------------

MERGE_TARGETS_SHOWN = 20


def merge_targets(
    query: str, *, account: MediaAccount | None = None, limit: int = MERGE_TARGETS_SHOWN
) -> tuple[list[tuple[Department, list[MediaAccount]]], bool]:
    """The live accounts a merger may go to that match every word of ``query`` (in the name, the
    unit, the platform or the filing number), grouped by unit, with whether there are more than
    ``limit``. Never ``account`` itself; its own unit comes first, where its likeliest successor is.
    Any unit's account may be the target (often the district's main one), so the list is not
    narrowed to the user's units. One query."""
    accounts = MediaAccount.objects.filter(status=MediaAccountStatus.ACTIVE).select_related("department")
    for word in query.split():
        platforms = [code for code, label in Platform.choices if word.casefold() in str(label).casefold()]
        accounts = accounts.filter(
            Q(name__icontains=word)
            | Q(department__name__icontains=word)
            | Q(filing_number__icontains=word)
            | Q(platform__in=platforms)
        )
    own_unit_first = Value(0)
    if account is not None:
        accounts = accounts.exclude(pk=account.pk)
        own_unit_first = Case(When(department_id=account.department_id, then=Value(0)), default=Value(1))
    found = list(
        accounts.order_by(own_unit_first, "department__order_key", "platform", "name", "pk")[: limit + 1]
    )
    groups: dict[int, tuple[Department, list[MediaAccount]]] = {}
    for target in found[:limit]:
        groups.setdefault(target.department_id, (target.department, []))[1].append(target)
    return list(groups.values()), len(found) > limit


# Progress ----------------------------------------------------------------------------------------


# (key, Progress attribute, label): only the last step is a closed account.
CLOSURE_FUNNEL = (
    ("decided", "decided_to_close_or_merge", gettext_lazy("Decided to close or merge")),
    ("confirmed", "confirmed", gettext_lazy("Confirmed done by the unit")),
    ("verified", "verified", gettext_lazy("Verified by the office")),
)


@dataclass(frozen=True)
class Progress:
    """A campaign's applications at each step. ``closed`` and ``merged`` are what the meetings
    decided; ``confirmed`` and ``verified`` follow those decisions to the end: the unit says it is
    done, then the office verifies it and the account is closed or merged in the registry."""

    in_scope: int
    submitted: int
    decided: int
    retained: int
    closed: int
    merged: int
    returned: int
    overdue: int
    confirmed: int
    verified: int

    def percent(self, count: int) -> float:
        return round(100 * count / self.in_scope, 1) if self.in_scope else 0.0

    @property
    def decided_to_close_or_merge(self) -> int:
        return self.closed + self.merged

    @property
    def closed_or_merged(self) -> int:
        """The share a district reports upward (docs/design.md §9.4): only what the office has verified."""
        return self.verified

    @property
    def closed_or_merged_percent(self) -> float:
        return self.percent(self.closed_or_merged)

    @property
    def closure_funnel(self) -> list[dict]:
        """What became of the decisions to close or merge, step by step, for the pages."""
        return [
            {"key": key, "label": label, "count": getattr(self, name)} for key, name, label in CLOSURE_FUNNEL
        ]

    def as_dict(self) -> dict:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        return {
            **data,
            "decided_to_close_or_merge": self.decided_to_close_or_merge,
            "closed_or_merged": self.closed_or_merged,
            "closed_or_merged_percent": self.closed_or_merged_percent,
        }


_CLOSING = Q(decisions__outcome__in=[Outcome.CLOSE, Outcome.MERGE])
# The account itself says whether the closure happened: verifying an order closes (or merges) it,
# and so does the office approving the unit's own close filing, for which no order was left to give.
_ENDED = Q(media_account__status__in=ENDED_STATUSES)


def _progress_counts() -> dict:
    today = timezone.localdate()
    return {
        "in_scope": Count("pk", distinct=True),
        "submitted": Count(
            "pk",
            filter=Q(status__in=[SelfInspectionStatus.SUBMITTED, SelfInspectionStatus.DECIDED]),
            distinct=True,
        ),
        "decided": Count("pk", filter=Q(status=SelfInspectionStatus.DECIDED), distinct=True),
        "retained": Count("decisions", filter=Q(decisions__outcome=Outcome.RETAIN), distinct=True),
        "closed": Count("decisions", filter=Q(decisions__outcome=Outcome.CLOSE), distinct=True),
        "merged": Count("decisions", filter=Q(decisions__outcome=Outcome.MERGE), distinct=True),
        "returned": Count(
            "pk", filter=Q(status=SelfInspectionStatus.DRAFT) & ~Q(return_note=""), distinct=True
        ),
        "overdue": Count(
            "decisions__closure_order",
            distinct=True,
            filter=Q(
                decisions__closure_order__status=ClosureOrderStatus.OPEN,
                decisions__closure_order__deadline__lt=today,
            ),
        ),
        # An order sent back is open again: the unit's word no longer counts until it confirms anew.
        "confirmed": Count(
            "decisions",
            distinct=True,
            filter=_CLOSING
            & (
                Q(
                    decisions__closure_order__status__in=[
                        ClosureOrderStatus.CONFIRMED,
                        ClosureOrderStatus.VERIFIED,
                    ]
                )
                | _ENDED
            ),
        ),
        "verified": Count("decisions", distinct=True, filter=_CLOSING & _ENDED),
    }


def campaign_progress(campaign: ReviewCampaign, user) -> Progress:
    """The campaign's counts per step, within what ``user`` may see (one query)."""
    inspections = SelfInspection.objects.restrict(user, "view").filter(campaign=campaign)
    return Progress(**inspections.aggregate(**_progress_counts()))


def campaign_progress_by_department(campaign: ReviewCampaign, user) -> list[tuple[Department, Progress]]:
    """The same counts per unit, units in the registry's order (two queries)."""
    inspections = SelfInspection.objects.restrict(user, "view").filter(campaign=campaign)
    rows = inspections.values("media_account__department").annotate(**_progress_counts()).order_by()
    departments = Department.objects.in_bulk([row["media_account__department"] for row in rows])
    result = [(departments[row.pop("media_account__department")], Progress(**row)) for row in rows]
    return sorted(result, key=lambda pair: (pair[0].order_key, pair[0].pk))


def running_campaigns_progress(user) -> list[tuple[ReviewCampaign, Progress]]:
    """The campaigns under way that cover what ``user`` may see, newest first, each with its counts
    within that scope (two queries however many there are): the dashboard's view of them."""
    rows = (
        SelfInspection.objects.restrict(user, "view")
        .filter(campaign__status=CampaignStatus.RUNNING)
        .values("campaign")
        .annotate(**_progress_counts())
        .order_by()
    )
    campaigns = ReviewCampaign.objects.in_bulk([row["campaign"] for row in rows])
    result = [(campaigns[row.pop("campaign")], Progress(**row)) for row in rows]
    return sorted(result, key=lambda pair: (pair[0].created_at, pair[0].pk), reverse=True)


def decisions_of_meeting(meeting):
    """The meeting's decision list (the annex to its minutes), in the order a reader expects."""
    return (
        ReviewDecision.objects.filter(meeting=meeting)
        .select_related("self_inspection__media_account__department", "merge_target", "decided_by")
        .order_by(
            "self_inspection__media_account__department__order_key",
            "self_inspection__media_account__name",
            "pk",
        )
    )


def overdue_orders(user):
    return (
        ClosureOrder.objects.restrict(user, "view")
        .overdue()
        .select_related("media_account__department", "campaign")
    )


def visible_campaigns(user):
    """Every campaign for the office and auditors; for a unit, the campaigns that cover one of its
    accounts (a draft campaign covers nothing yet, so units never see drafts)."""
    campaigns = ReviewCampaign.objects.all()
    if permissions.sees_everything(user):
        return campaigns
    mine = SelfInspection.objects.restrict(user, "view").filter(campaign=OuterRef("pk"))
    return campaigns.filter(Exists(mine))
