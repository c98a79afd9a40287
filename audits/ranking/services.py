"""The weekly activity index (传播力指数, docs/design.md §8; the formula is explained in docs/index.md).

For each account live during a week (Sunday to Saturday; ``MediaAccount.objects.live_during``),
with d the days of the week (7), n the posts, R reads, C comments, L likes and S shares::

    score(per) = 0.70 ln(R/per + 1) + 0.09 ln(10C/per + 1) + 0.06 ln(10L/per + 1) + 0.15 ln(10S/per + 1)
    O = score(d)            the week overall, per day
    A = score(n)            per post
    P = the best day's score(1)
    index = (0.7 O + 0.2 A + 0.1 P)² × 12

An account that did not post in the week scores 0 (O, A, P and the index).
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    FilteredRelation,
    FloatField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Ln, Power
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import authorize
from audits.ranking.models import StaleWeek, WeeklyIndex
from audits.ranking.selectors import WEEK, week_start_of
from audits.ranking.tasks import refresh_stale_weeks
from audits.trail.services import record
from registry.models import MediaAccount, live_during

DAYS = 7
# The weights of reads, comments, likes and shares, and the factor 10 that puts an interaction
# on the scale of reads, as the WCI's published shape has them (version 14).
WEIGHTS = {"reads": (0.70, 1), "comments": (0.09, 10), "likes": (0.06, 10), "shares": (0.15, 10)}
MIX = {"overall": 0.7, "per_post": 0.2, "peak": 0.1}
SCALE = 12
SUMS = ("posts", "reads", "likes", "shares", "comments")
PARTS = ("overall", "per_post", "peak", "index")


def _score_sql(figure, per):
    """The WCI's shape for one period, in SQL: reads and interactions per ``per`` (days or posts);
    ``figure(name)`` gives a figure's expression, as a float."""
    terms = [
        Value(weight) * Ln(figure(name) * Value(float(factor)) / per + Value(1.0))
        for name, (weight, factor) in WEIGHTS.items()
    ]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def week_figures(week_start: datetime.date):
    """Per account live during the week, the week's sums, its best day's score and the index's parts:
    one aggregate query, which the computation inserts as it stands (no account passes through
    Python)."""
    week_end = week_start + WEEK - datetime.timedelta(days=1)
    week_sum = lambda name: Cast(Sum(f"week__{name}"), FloatField())  # noqa: E731
    day = lambda name: Cast(F(f"week__{name}"), FloatField())  # noqa: E731
    overall = _score_sql(week_sum, Value(float(DAYS)))
    per_post = _score_sql(week_sum, Cast(Sum("week__posts"), FloatField()))
    peak = Max(_score_sql(day, Value(1.0)))
    index = Power(
        Value(MIX["overall"]) * overall + Value(MIX["per_post"]) * per_post + Value(MIX["peak"]) * peak,
        Value(2.0),
    ) * Value(float(SCALE))
    # No post in the week: no activity to measure, whatever old articles were still read.
    posted = Q(posts__gt=0)
    return (
        MediaAccount.objects.live_during(week_start, week_end)
        # The condition goes into the JOIN, so accounts without figures that week still appear.
        .annotate(week=FilteredRelation("metrics", condition=Q(metrics__date__range=(week_start, week_end))))
        .values("pk")
        .annotate(
            days=Count("week"),
            **{name: Coalesce(Sum(f"week__{name}"), 0) for name in SUMS},
        )
        .annotate(
            **{
                name: Case(When(posted, then=expression), default=Value(0.0), output_field=FloatField())
                for name, expression in zip(PARTS, (overall, per_post, peak, index), strict=True)
            }
        )
        .order_by()
    )


def _upsert_week(week_start: datetime.date) -> int:
    """One INSERT … SELECT … ON CONFLICT of :func:`week_figures` into the week's rows; how many."""
    columns = ["days", *SUMS, *PARTS]
    aliases = {f"new_{name}": F(name) for name in columns}
    select, params = (
        week_figures(week_start)
        .annotate(new_account=F("pk"), new_week=Value(week_start), **aliases)
        .values("new_account", "new_week", *aliases)
        .query.sql_with_params()
    )
    quote = connection.ops.quote_name
    targets = ["media_account_id", "week_start", *columns]
    sql = (
        f"INSERT INTO {quote(WeeklyIndex._meta.db_table)} ({', '.join(quote(name) for name in targets)}) "
        f"SELECT {', '.join(quote(alias) for alias in ['new_account', 'new_week', *aliases])} "
        # WHERE: SQLite would read ON CONFLICT as the ON of a join without it.
        f"FROM ({select}) AS week_figures WHERE 1 = 1 "
        f"ON CONFLICT ({quote('media_account_id')}, {quote('week_start')}) DO UPDATE SET "
        + ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in columns)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@transaction.atomic
def weekly_index_compute(*, week_start: datetime.date, actor=None) -> int:
    """Compute and store (replacing any earlier result) the index of every account live during the
    week starting on ``week_start`` (a Sunday that has ended); returns how many accounts.

    One INSERT … SELECT computes the week in the database and upserts its rows, one delete drops
    the rows of accounts no longer counted in it (an earlier computation saw an account the office
    has since recorded as closed or merged before the week), and one audit event records it: the
    same statements whatever the accounts, and no account held in memory. Computing the same week again
    is safe and gives the same rows.
    """
    authorize(actor, "audits.compute_ranking")
    if week_start != week_start_of(week_start):
        raise ValidationError({"week": _("A week starts on a Sunday.")})
    if week_start + WEEK > timezone.localdate():
        raise ValidationError(
            {"week": _("The week of %(day)s has not ended yet.") % {"day": week_start.isoformat()}}
        )
    accounts = _upsert_week(week_start)
    week_end = week_start + WEEK - datetime.timedelta(days=1)
    removed, _by_model = (
        WeeklyIndex.objects.filter(week_start=week_start)
        .exclude(live_during(week_start, week_end, prefix="media_account__"))
        .delete()
    )
    record(
        "audits.weekly_index.computed",
        actor=actor,
        changes={"after": {"week_start": week_start.isoformat(), "accounts": accounts, "removed": removed}},
    )
    return accounts


def weeks_touched(days: Iterable[datetime.date]) -> None:
    """Figures of ``days`` were written (new or corrected): mark each of their weeks already
    computed as stale, and refresh them once the write commits (docs/design.md §8).

    Two statements whatever the figures; a week not computed yet is left to its computation.
    The mark is a row, written in the figures' transaction, so it outlives a lost task message:
    the scheduled refresh picks it up.
    """
    weeks = {week_start_of(day) for day in days}
    computed = list(
        WeeklyIndex.objects.filter(week_start__in=weeks)
        .order_by()
        .values_list("week_start", flat=True)
        .distinct()
    )
    if not computed:
        return
    now = timezone.now()
    # DO UPDATE, not DO NOTHING: it locks a mark a refresh is about to delete, so the refresh
    # waits for these figures to commit and then counts them, or this mark comes back after it.
    StaleWeek.objects.bulk_create(
        [StaleWeek(week_start=week, marked_at=now) for week in computed],
        update_conflicts=True,
        unique_fields=["week_start"],
        update_fields=["marked_at"],
    )
    transaction.on_commit(refresh_stale_weeks.delay)


@transaction.atomic
def stale_weeks_refresh() -> list[datetime.date]:
    """Compute again every week marked stale, and clear its mark; returns the weeks.

    The marks are locked and deleted before the weeks are computed, in one transaction: figures
    committed before the lock are counted, and figures still being written either hold the mark
    (the lock waits for them) or mark the week again once this refresh commits.
    """
    weeks = list(
        StaleWeek.objects.select_for_update().order_by("week_start").values_list("week_start", flat=True)
    )
    StaleWeek.objects.filter(week_start__in=weeks).delete()
    for week in weeks:
        weekly_index_compute(week_start=week)
    return weeks
