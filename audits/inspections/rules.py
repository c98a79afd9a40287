"""The inspection rules (docs/design.md §7.1), each a set-based query over the live accounts.

A rule is a function ``(accounts, today, thresholds) -> queryset`` that keeps the accounts
breaking it, annotated with the figures a reader needs (its ``detail``); a rule that reads an
account's posts where it has them and its daily figures where it has none gives one queryset of
each. The run evaluates each one with a fixed number of queries, whatever the number of accounts.
"""

import datetime

from django.db.models import (
    Case,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.campaigns.choices import ClosureOrderStatus
from audits.campaigns.models import ClosureOrder
from audits.inspections.choices import RuleCode, Severity
from audits.releases.choices import AssignmentStatus
from audits.releases.models import ReleaseAssignment
from content.choices import PostKind
from content.models import Post
from registry.choices import LIVE_STATUSES, DepartmentKind
from registry.models import AccountMetric, MediaAccount, Operator


def _days_before(today: datetime.date, days: int) -> datetime.date:
    return today - datetime.timedelta(days=days)


class DaysSince(Func):
    """The whole days from a date column to ``day``, in SQL: Django's date subtraction yields a
    duration, which SQLite cannot compare with a number."""

    arg_joiner = " - "
    template = "(%(expressions)s)"  # PostgreSQL: a date minus a date is a number of days
    output_field = IntegerField()

    def __init__(self, column: str, day: datetime.date):
        super().__init__(Value(day, output_field=DateField()), F(column))

    def as_sqlite(self, compiler, connection, **extra_context):
        (day, day_params), (column, column_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return f"CAST(julianday({day}) - julianday({column}) AS INTEGER)", [*day_params, *column_params]


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _posts_of_account():
    return Post.objects.filter(media_account=OuterRef("pk"))


def no_update(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    # "检查时间点前2周内无更新": no post on any of the `days` days before the inspection day. Where the
    # account's posts are received, its last original post says (a repost is no update of its own);
    # else its daily figures' last post day (docs/design.md §7.1).
    originals = _posts_of_account().filter(kind=PostKind.ORIGINAL, published_at__lt=_start_of(today))
    last_original = Subquery(originals.order_by("-published_at").values("published_at")[:1])
    return accounts.annotate(
        detail_last_post_on=Case(
            When(Exists(_posts_of_account()), then=TruncDate(last_original)),
            default=F("last_post_on"),
            output_field=DateField(),
        )
    ).filter(Q(detail_last_post_on__isnull=True) | Q(detail_last_post_on__lt=_days_before(today, t["days"])))


def low_frequency(accounts: QuerySet, today: datetime.date, t: dict) -> tuple[QuerySet, QuerySet]:
    window = t["window_days"]
    start = _days_before(today, window)
    # One join and GROUP BY over the window's figures rather than a subquery per account: on
    # PostgreSQL the correlated subquery ran twice per account (in SELECT and WHERE), each time
    # joining the account and its unit for the ordering of MediaAccount (394 ms against 130 ms
    # for 9,800 accounts and 300,000 daily figures, docs/benchmarks.md). The window is in the
    # join's ON, not in the sum's FILTER: the join then reads the window's days through the index
    # on (account, date), not every day ever kept (a year of figures is 12 windows, issue 13).
    window_metrics = FilteredRelation(
        "metrics", condition=Q(metrics__date__gte=start, metrics__date__lt=today)
    )
    # An account that went live within the window (its grace passed) is held to the rate over the
    # days it has been live, not over days it did not exist. The same on each of its rows, taken as an
    # aggregate so that the rows group by the account alone (a grouping by the expression too took
    # twice as long, issue 13).
    days = Max(
        Case(
            When(activated_on__gt=start, then=DaysSince("activated_on", today)),
            default=Value(window),
            output_field=IntegerField(),
        )
    )
    # posts / days < rate, kept as posts < rate × days so the boundary is exact: 27 of 30 days is 0.9.
    allowed = ExpressionWrapper(Value(t["posts_per_day"]) * F("detail_days"), output_field=FloatField())
    # Where the account's posts are received, they are counted (every post, a repost too); else its
    # daily figures'. Two queries, each grouping by the account alone over its own rows.
    from_figures = (
        accounts.filter(~Exists(_posts_of_account()))
        .annotate(window_metrics=window_metrics)
        .annotate(
            detail_posts=Coalesce(Sum("window_metrics__posts"), Value(0), output_field=IntegerField()),
            detail_days=days,
        )
    )
    window_posts = FilteredRelation(
        "posts",
        condition=Q(posts__published_at__gte=_start_of(start), posts__published_at__lt=_start_of(today)),
    )
    from_posts = (
        accounts.filter(Exists(_posts_of_account()))
        .annotate(window_posts=window_posts)
        .annotate(detail_posts=Count("window_posts"), detail_days=days)
    )
    return from_figures.filter(detail_posts__lt=allowed), from_posts.filter(detail_posts__lt=allowed)


def low_reach(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    return accounts.filter(followers__lt=t["followers"]).annotate(detail_followers=F("followers"))


def unanswered(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    # The collectors report, per day, the messages still unanswered past the allowed time
    # (5 working days by default); the newest day in the window is the current backlog.
    newest = AccountMetric.objects.filter(
        media_account=OuterRef("pk"), date__gte=_days_before(today, t["window_days"]), date__lte=today
    ).order_by("-date")
    return accounts.annotate(detail_messages_overdue=Subquery(newest.values("messages_overdue")[:1])).filter(
        detail_messages_overdue__gte=t["messages"]
    )


def no_interaction(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    return accounts.filter(has_interaction=False)


def closure_overdue(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    late = ClosureOrder.objects.filter(
        media_account=OuterRef("pk"), status=ClosureOrderStatus.OPEN, deadline__lt=today
    )
    return accounts.filter(Exists(late)).annotate(detail_deadline=Subquery(late.values("deadline")[:1]))


def stale_record(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    # Filing the account counts as its first confirmation.
    return accounts.annotate(detail_confirmed_on=Coalesce("last_confirmed_on", "opened_on")).filter(
        Q(detail_confirmed_on__isnull=True) | Q(detail_confirmed_on__lt=_days_before(today, t["days"]))
    )


def township_account(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    return accounts.filter(department__kind=DepartmentKind.TOWNSHIP, exception_reason="")


def duplicate_platform(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    sibling = MediaAccount.objects.filter(
        department=OuterRef("department"), platform=OuterRef("platform"), status__in=LIVE_STATUSES
    ).exclude(pk=OuterRef("pk"))
    return accounts.filter(Exists(sibling))


def no_responsible_person(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    operators = Operator.objects.filter(media_account=OuterRef("pk"))
    return accounts.filter(
        Q(responsible_person="") | Q(department__first_responsible_person="") | ~Exists(operators)
    )


def release_missed(accounts: QuerySet, today: datetime.date, t: dict) -> QuerySet:
    # 集中发声: a part of a release task not done by the end of its window (nor excused since), of a
    # task whose window ended within the `window_days` before the inspection day.
    missed = ReleaseAssignment.objects.filter(
        media_account=OuterRef("pk"),
        status=AssignmentStatus.MISSED,
        task__window_end__gte=_start_of(_days_before(today, t["window_days"])),
        task__window_end__lt=_start_of(today),
    )
    count = missed.order_by().values("media_account").annotate(missed=Count("pk")).values("missed")
    return accounts.filter(Exists(missed)).annotate(detail_missed=Subquery(count[:1]))


# The threshold of the rules that judge an account by its own activity: an account that went live
# fewer than this many days before the inspection day is not flagged by them (see violations()).
GRACE = "grace_days"

# Where a threshold shared by several rules comes from, shown beside it as each rule's source is.
THRESHOLD_SOURCES = {
    GRACE: _(
        "This registry's rule for new accounts: judged from the day the account went live, by default "
        "after as many days as the rule's own window (a month where it has none)"
    ),
}

# No threshold of any rule is meaningful beyond this; the rules' day windows must also stay within
# the calendar (a date minus more days than that overflows).
THRESHOLD_MAX = 100_000

# The wording scan's window: when a lexicon, the allowed sites or the rule change, the posts
# published within this many days are scanned again (older ones keep their findings).
SCAN_WINDOW = "window_days"

# code: (query, default severity, default thresholds, source). A rule without a query is the
# wording scan's (content/wording.py): a post is checked as it arrives, not by the run; for a
# lexicon's rule the severity is that of the lexicon's new entries (each hit has its entry's).
RULES = {
    RuleCode.NO_UPDATE: (
        no_update,
        Severity.VETO,
        {"days": 14, GRACE: 14},
        _("National checking indicators (2019): no update in the two weeks before the check"),
    ),
    RuleCode.LOW_FREQUENCY: (
        low_frequency,
        Severity.WARNING,
        {"posts_per_day": 1, "window_days": 30, GRACE: 30},
        _("The model case: under one post a day"),
    ),
    RuleCode.LOW_REACH: (
        low_reach,
        Severity.WARNING,
        {"followers": 100, GRACE: 30},
        _("The model case: under 100 followers"),
    ),
    RuleCode.UNANSWERED: (
        unanswered,
        Severity.SERIOUS,
        {"messages": 1, "window_days": 7, "allowed_working_days": 5},
        _("National checking indicators: poor response to the public"),
    ),
    RuleCode.NO_INTERACTION: (
        no_interaction,
        Severity.SERIOUS,
        {},
        _("National checking indicators: no working way for the public to write"),
    ),
    RuleCode.CLOSURE_OVERDUE: (
        closure_overdue,
        Severity.SERIOUS,
        {},
        _("The three steps: closure or merger by the deadline"),
    ),
    RuleCode.STALE_RECORD: (
        stale_record,
        Severity.WARNING,
        {"days": 365},
        _("Annual review: the record re-confirmed every 12 months"),
    ),
    RuleCode.TOWNSHIP_ACCOUNT: (
        township_account,
        Severity.INFO,
        {},
        _("Townships in principle open no account"),
    ),
    RuleCode.DUPLICATE_PLATFORM: (
        duplicate_platform,
        Severity.INFO,
        {},
        _("One account per unit per platform"),
    ),
    RuleCode.NO_RESPONSIBLE_PERSON: (
        no_responsible_person,
        Severity.WARNING,
        {},
        _("First responsibility: a responsible person and operators on file"),
    ),
    RuleCode.RELEASE_MISSED: (
        release_missed,
        Severity.SERIOUS,
        {"window_days": 30},
        _("Provinces: important information relayed in time by every account concerned (集中发声)"),
    ),
    RuleCode.WORDING_SERIOUS: (
        None,
        Severity.VETO,
        {SCAN_WINDOW: 30},
        _("National checking indicators: a serious wrong statement is a veto"),
    ),
    RuleCode.WORDING_MISUSED: (
        None,
        Severity.WARNING,
        {SCAN_WINDOW: 30},
        _("National checking indicators: wrongly written or misused words"),
    ),
    RuleCode.WORDING_SENSITIVE: (
        None,
        Severity.SERIOUS,
        {SCAN_WINDOW: 30},
        _("National checking indicators: sensitive words"),
    ),
    RuleCode.WORDING_LINK: (
        None,
        Severity.WARNING,
        {SCAN_WINDOW: 30},
        _("Content security: links only to sites the office allows"),
    ),
}

SCANNED = frozenset(code for code, (query, *_rest) in RULES.items() if query is None)


def violations(code: str, today: datetime.date, thresholds: dict) -> QuerySet | tuple[QuerySet, ...]:
    """The live accounts breaking rule ``code`` on ``today``, with the rule's defaults under
    whatever thresholds the office has set: one queryset, or several whose accounts do not overlap
    (a rule that reads posts where an account has them and daily figures where it has none)."""
    query, _severity, defaults, _source = RULES[code]
    thresholds = {**defaults, **thresholds}
    live = MediaAccount.objects.filter(status__in=LIVE_STATUSES)
    if GRACE in thresholds:
        # A new account has had no chance yet to post or find followers. An account registered as
        # already running (no activation day) has had every chance.
        live = live.exclude(activated_on__gt=_days_before(today, thresholds[GRACE]))
    return query(live, today, thresholds)


def broken_accounts(code: str, today: datetime.date, thresholds: dict) -> QuerySet:
    """The accounts of ``violations``, as one queryset of accounts (for a page or a test to read)."""
    found = violations(code, today, thresholds)
    parts = found if isinstance(found, tuple) else (found,)
    anywhere = Q()
    for part in parts:
        anywhere |= Q(pk__in=part.order_by().values("pk"))
    return MediaAccount.objects.filter(anywhere)


def detail_fields(queryset: QuerySet) -> list[str]:
    return [name for name in queryset.query.annotations if name.startswith("detail_")]
