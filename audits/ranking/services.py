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
import math

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F, FilteredRelation, FloatField, Max, Q, Sum, Value
from django.db.models.functions import Cast, Coalesce, Ln
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import authorize
from audits.ranking.models import WeeklyIndex
from audits.ranking.selectors import WEEK, week_start_of
from audits.trail.services import record
from registry.models import MediaAccount, live_during

DAYS = 7
# The weights of reads, comments, likes and shares, and the factor 10 that puts an interaction
# on the scale of reads, as the WCI's published shape has them (version 14).
WEIGHTS = {"reads": (0.70, 1), "comments": (0.09, 10), "likes": (0.06, 10), "shares": (0.15, 10)}
MIX = {"overall": 0.7, "per_post": 0.2, "peak": 0.1}
SCALE = 12
SUMS = ("posts", "reads", "likes", "shares", "comments")
BATCH = 1000  # rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement


def score(*, reads: float, comments: float, likes: float, shares: float, per: float) -> float:
    """The WCI's shape for one period: reads and interactions per ``per`` (days or posts)."""
    figures = {"reads": reads, "comments": comments, "likes": likes, "shares": shares}
    return sum(
        weight * math.log(factor * figures[name] / per + 1) for name, (weight, factor) in WEIGHTS.items()
    )


def index_of(*, overall: float, per_post: float, peak: float) -> float:
    return (MIX["overall"] * overall + MIX["per_post"] * per_post + MIX["peak"] * peak) ** 2 * SCALE


def _day_score(prefix: str):
    """``score(per=1)`` of one day's row, in SQL, so the best day is found by the database."""
    terms = [
        Value(weight) * Ln(Cast(F(f"{prefix}{name}"), FloatField()) * Value(float(factor)) + Value(1.0))
        for name, (weight, factor) in WEIGHTS.items()
    ]
    total = terms[0]
    for term in terms[1:]:
        total = total + term
    return total


def week_figures(week_start: datetime.date):
    """Per account live during the week, the week's sums and its best day's score: one aggregate query."""
    week_end = week_start + WEEK - datetime.timedelta(days=1)
    return (
        MediaAccount.objects.live_during(week_start, week_end)
        # The condition goes into the JOIN, so accounts without figures that week still appear.
        .annotate(week=FilteredRelation("metrics", condition=Q(metrics__date__range=(week_start, week_end))))
        .values("pk")
        .annotate(
            days=Count("week"),
            **{name: Coalesce(Sum(f"week__{name}"), 0) for name in SUMS},
            peak=Coalesce(Max(_day_score("week__")), Value(0.0)),
        )
        .order_by("pk")
    )


def weekly_index_of(
    *, media_account_id: int, week_start: datetime.date, days: int, peak: float, **sums
) -> WeeklyIndex:
    """One account's index from its week's sums and best day's score."""
    row = WeeklyIndex(media_account_id=media_account_id, week_start=week_start, days=days, **sums)
    if row.posts:
        figures = {name: sums[name] for name in WEIGHTS}
        row.overall = score(**figures, per=DAYS)
        row.per_post = score(**figures, per=row.posts)
        row.peak = peak
        row.index = index_of(overall=row.overall, per_post=row.per_post, peak=row.peak)
    else:
        # No post in the week: no activity to measure, whatever old articles were still read.
        row.overall = row.per_post = row.peak = row.index = 0.0
    return row


@transaction.atomic
def weekly_index_compute(*, week_start: datetime.date, actor=None) -> int:
    """Compute and store (replacing any earlier result) the index of every account live during the
    week starting on ``week_start`` (a Sunday that has ended); returns how many accounts.

    One aggregate query reads the week, one upsert per thousand accounts writes it, one delete drops
    the rows of accounts no longer counted in it (an earlier computation saw an account the office
    has since recorded as closed or merged before the week), and one audit event records it, so
    computing the same week again is safe and gives the same rows.
    """
    authorize(actor, "audits.compute_ranking")
    if week_start != week_start_of(week_start):
        raise ValidationError({"week": _("A week starts on a Sunday.")})
    if week_start + WEEK > timezone.localdate():
        raise ValidationError(
            {"week": _("The week of %(day)s has not ended yet.") % {"day": week_start.isoformat()}}
        )
    rows = [
        weekly_index_of(media_account_id=row.pop("pk"), week_start=week_start, **row)
        for row in week_figures(week_start)
    ]
    WeeklyIndex.objects.bulk_create(
        rows,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=["media_account", "week_start"],
        update_fields=["days", *SUMS, "overall", "per_post", "peak", "index"],
    )
    week_end = week_start + WEEK - datetime.timedelta(days=1)
    removed, _by_model = (
        WeeklyIndex.objects.filter(week_start=week_start)
        .exclude(live_during(week_start, week_end, prefix="media_account__"))
        .delete()
    )
    record(
        "audits.weekly_index.computed",
        actor=actor,
        changes={"after": {"week_start": week_start.isoformat(), "accounts": len(rows), "removed": removed}},
    )
    return len(rows)
