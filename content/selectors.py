"""What the posts' pages read: a post with its hits, an account's posts, its posting calendar and the
figures of its updates (last original post, days since, longest gap, posts per week)."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from audits.inspections.choices import FindingStatus
from audits.inspections.models import Finding
from content.choices import PostKind
from content.models import Post
from registry.models import AccountMetric, MediaAccount

CALENDAR_WEEKS = 53
UPDATE_WINDOW_DAYS = 30  # the check window of the update figures, as the low-frequency rule's


@dataclass(frozen=True)
class PostDetail:
    post: Post
    findings: list[Finding]


def post_detail(user, pk: int) -> PostDetail:
    post = get_object_or_404(
        Post.objects.restrict(user, "view").select_related("media_account__department"), pk=pk
    )
    findings = list(post.findings.select_related("rule").order_by("status", "pk"))
    return PostDetail(post=post, findings=findings)


def account_posts(account: MediaAccount) -> QuerySet:
    """The account's posts, newest first, each with its standing hits counted."""
    return (
        Post.objects.filter(media_account=account)
        .annotate(open_hits=Count("findings", filter=Q(findings__status=FindingStatus.OPEN)))
        .order_by("-published_at", "-pk")
    )


def _local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def posting_days(account: MediaAccount, since: datetime.date, until: datetime.date) -> tuple[dict, str]:
    """Posts per day from ``since`` to ``until``, and where they were read from: the account's posts
    when it has any (``"posts"``), else its daily figures (``"figures"``)."""
    if Post.objects.filter(media_account=account).exists():
        start = timezone.make_aware(datetime.datetime.combine(since, datetime.time.min))
        end = timezone.make_aware(
            datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
        )
        rows = (
            Post.objects.filter(media_account=account, published_at__gte=start, published_at__lt=end)
            .annotate(day=TruncDate("published_at"))
            .order_by()
            .values("day")
            .annotate(count=Count("pk"))
            .values_list("day", "count")
        )
        return dict(rows), "posts"
    rows = AccountMetric.objects.filter(
        media_account=account, date__gte=since, date__lte=until, posts__gt=0
    ).values_list("date", "posts")
    return dict(rows), "figures"


def posting_calendar(account: MediaAccount, *, today: datetime.date | None = None) -> dict[str, Any]:
    """A year of posting days as weeks of seven cells (Monday first), each with its count and a level
    of 0–4 for its shade, and the months' first weeks for their labels."""
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=today.weekday() + 7 * (CALENDAR_WEEKS - 1))
    counts, source = posting_days(account, first, today)
    busiest = max(counts.values(), default=0)
    weeks, months = [], []
    for week in range(CALENDAR_WEEKS):
        monday = first + datetime.timedelta(weeks=week)
        if monday.day <= 7:
            months.append({"week": week, "day": monday})
        cells = []
        for offset in range(7):
            day = monday + datetime.timedelta(days=offset)
            if day > today:
                cells.append(None)
                continue
            count = counts.get(day, 0)
            level = 0 if not count else min(4, 1 + (4 * count - 1) // max(busiest, 1))
            cells.append({"day": day, "count": count, "level": level})
        weeks.append(cells)
    return {"weeks": weeks, "months": months, "source": source, "total": sum(counts.values()), "first": first}


@dataclass(frozen=True)
class Updates:
    """How an account keeps updated, over the check window: from its posts where it has any."""

    source: str  # "posts" or "figures"
    last_update: datetime.date | None
    days_since: int | None
    longest_gap: int  # the most days in a row without a post inside the window
    posts_per_week: float
    window_days: int


def updates(
    account: MediaAccount, *, today: datetime.date | None = None, window: int = UPDATE_WINDOW_DAYS
) -> Updates:
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=window)
    counts, source = posting_days(account, since, today - datetime.timedelta(days=1))
    if source == "posts":
        newest = (
            Post.objects.filter(
                media_account=account, kind=PostKind.ORIGINAL, published_at__lte=timezone.now()
            )
            .order_by("-published_at")
            .values_list("published_at", flat=True)
            .first()
        )
        last = _local_day(newest) if newest else None
    else:
        last = account.last_post_on
    gap, longest = 0, 0
    for offset in range(window):
        day = since + datetime.timedelta(days=offset)
        gap = 0 if counts.get(day) else gap + 1
        longest = max(longest, gap)
    return Updates(
        source=source,
        last_update=last,
        days_since=(today - last).days if last else None,
        longest_gap=longest,
        posts_per_week=round(sum(counts.values()) * 7 / window, 1),
        window_days=window,
    )
