"""Reads of the weekly activity index (传播力指数, docs/design.md §8): weeks, the ranking, an account's trend.

Weeks run Sunday to Saturday, as the WeChat index the offices know counts them; a week is named
by its Sunday (``week_start``).
"""

import datetime
from collections.abc import Iterator

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audits.ranking.models import WeeklyIndex
from registry.choices import MediaAccountStatus
from registry.models import MediaAccount, live_during

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


def ranked_week(week_start: datetime.date, platform: str | None = None) -> QuerySet:
    """The week's indexes of the district's accounts live during the week (of one platform, if
    given): the one definition of who is ranked, which the computation also follows. A row an
    earlier computation left for an account since recorded as closed or merged before the week
    is not ranked, even before the week is computed again."""
    week_end = week_start + WEEK - datetime.timedelta(days=1)
    live = live_during(week_start, week_end, prefix="media_account__")
    week = WeeklyIndex.objects.filter(live, week_start=week_start)
    return week.filter(media_account__platform=platform) if platform else week


def ranking(user, *, week_start: datetime.date, platform: str | None = None) -> QuerySet:
    """The week's indexes, highest first, each with its rank in the district (among all accounts of
    the platform, if one is given), narrowed to what ``user`` may see.

    The rank is counted over every account, not only the visible ones, so a unit sees where its
    accounts stand in the district: 1 + the number of accounts with a higher index (ties share a
    rank). It is a correlated count on the ``weekly_index_ranking`` index, computed for the rows
    of the page only.
    """
    week = ranked_week(week_start, platform)
    higher = (
        week.filter(index__gt=OuterRef("index"))
        .order_by()
        .values("week_start")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        week.restrict(user, "view")
        .select_related("media_account__department")
        .annotate(rank=Coalesce(Subquery(higher, output_field=IntegerField()), Value(0)) + 1)
        .order_by("-index", F("media_account__name").asc(), "pk")
    )


def ranking_rows(user, *, week_start: datetime.date, platform: str | None = None) -> Iterator[tuple]:
    """Every ``(rank, row)`` of the week's ranking that ``user`` may see, highest first, for an
    export: the whole week is read once, in chunks, and the ranks counted on the way (1 + the rows
    with a higher index, as :func:`ranking` counts them), so memory stays flat and a unit still
    reads its accounts' ranks in the district."""
    visible = permissions.visible_department_ids(user)
    rows = (
        ranked_week(week_start, platform)
        .select_related("media_account__department")
        .order_by("-index", F("media_account__name").asc(), "pk")
    )
    rank, previous = 0, None
    for position, row in enumerate(rows.iterator(chunk_size=2000), start=1):
        if row.index != previous:
            rank, previous = position, row.index
        if visible is permissions.ALL or row.media_account.department_id in visible:
            yield rank, row


def gone_since(account: MediaAccount) -> str:
    """What became of a ranked account that is no longer live, for the ranking's readers: it
    was live during the week, and has been closed or merged since."""
    if account.status == MediaAccountStatus.CLOSED:
        return _("closed on %(day)s") % {"day": account.closed_on.isoformat() if account.closed_on else "—"}
    if account.status == MediaAccountStatus.MERGED:
        return _("merged on %(day)s") % {"day": account.closed_on.isoformat() if account.closed_on else "—"}
    return ""


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
