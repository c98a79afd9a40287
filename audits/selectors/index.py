"""Reads of the weekly activity index (传播力指数, DESIGN.md §7a): weeks, the ranking, an account's trend.

Weeks run Sunday to Saturday, as the WeChat index the offices know counts them; a week is named
by its Sunday (``week_start``).
"""

import datetime

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from audits.models import WeeklyIndex
from registry.models import MediaAccount

WEEK = datetime.timedelta(days=7)
TREND_WEEKS = 12
CHART_TOP = 20


def week_start_of(day: datetime.date) -> datetime.date:
    """The Sunday that starts ``day``'s week."""
    # Python counts Monday as 0 and Sunday as 6: Sunday is 0 days into its week, Monday 1, …
    return day - datetime.timedelta(days=(day.weekday() + 1) % 7)


def is_calendar_week(day: datetime.date) -> bool:
    """Whether ``day``'s week and the weeks either side of it (the pages link to them) are within the
    calendar: one beyond it cannot be counted, only overflow."""
    return datetime.date.min + 2 * WEEK <= day <= datetime.date.max - 2 * WEEK


def latest_complete_week(today: datetime.date | None = None) -> datetime.date:
    """The Sunday of the last week that has ended (its Saturday is before ``today``)."""
    return week_start_of(today or timezone.localdate()) - WEEK


def ranking(user, *, week_start: datetime.date, platform: str | None = None) -> QuerySet:
    """The week's indexes, highest first, each with its rank in the district (among all accounts of
    the platform, if one is given), narrowed to what ``user`` may see.

    The rank is counted over every account, not only the visible ones, so a unit sees where its
    accounts stand in the district: 1 + the number of accounts with a higher index (ties share a
    rank). It is a correlated count on the ``weekly_index_ranking`` index, computed for the rows
    of the page only.
    """
    week = WeeklyIndex.objects.filter(week_start=week_start)
    if platform:
        week = week.filter(media_account__platform=platform)
    higher = (
        week.filter(index__gt=OuterRef("index"))
        .order_by()
        .values("week_start")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        week.visible_to(user)
        .select_related("media_account__department")
        .annotate(rank=Coalesce(Subquery(higher, output_field=IntegerField()), Value(0)) + 1)
        .order_by("-index", F("media_account__name").asc(), "pk")
    )


def ranking_chart(rows: list[WeeklyIndex]) -> dict:
    """The bar chart of the top accounts (``rows`` already ranked, highest first)."""
    top = rows[:CHART_TOP]
    return {
        "names": [row.media_account.name for row in top],
        "values": [round(row.index, 2) for row in top],
    }


def account_trend(account: MediaAccount, *, today: datetime.date | None = None) -> dict:
    """The account's index over the last ``TREND_WEEKS`` complete weeks (a missing week is null)."""
    last = latest_complete_week(today)
    weeks = [last - WEEK * n for n in range(TREND_WEEKS - 1, -1, -1)]
    found = dict(
        WeeklyIndex.objects.filter(
            media_account=account, week_start__gte=weeks[0], week_start__lte=last
        ).values_list("week_start", "index")
    )
    values = [round(found[week], 2) if week in found else None for week in weeks]
    return {
        "weeks": [week.isoformat() for week in weeks],
        "values": values,
        "rows": list(zip([week.isoformat() for week in weeks], values, strict=True)),
        "empty": not found,
    }


def computed_weeks(limit: int = 26) -> list[datetime.date]:
    """The weeks that have indexes, newest first, for the ranking page's week picker."""
    return list(
        WeeklyIndex.objects.order_by("-week_start").values_list("week_start", flat=True).distinct()[:limit]
    )
