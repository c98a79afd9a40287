"""What the release pages and the API read: the tasks a user sees, a task's progress and its parts, and
the relay rate (done in time / required) per task, per unit and per period."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts import permissions
from audits.releases.choices import AssignmentStatus, ReleaseTaskStatus
from audits.releases.models import ReleaseAssignment, ReleaseTask

STATUSES = [status.value for status in AssignmentStatus]


def task_list(user) -> QuerySet:
    """The tasks ``user`` sees: every one for the office and auditors; for a unit, the started tasks
    that gave one of its accounts a part."""
    tasks = ReleaseTask.objects.select_related("created_by")
    if permissions.sees_everything(user):
        return tasks
    mine = ReleaseAssignment.objects.restrict(user, "view").filter(task=OuterRef("pk"))
    return tasks.filter(Exists(mine), status=ReleaseTaskStatus.STARTED)


def part_list(user) -> QuerySet:
    return ReleaseAssignment.objects.restrict(user, "view").select_related(
        "task", "media_account", "department", "post"
    )


WINDOW_POSTS = 5  # an account's posts offered to choose from when its unit reports its part


def window_posts(task: ReleaseTask, account_ids: list[int]) -> dict[int, list[Any]]:
    """The newest posts of these accounts since the task's window opened, by account, for their
    units to pick the one that did the task: one query for the page's accounts."""
    from content.models import Post

    if not account_ids:
        return {}
    found: dict[int, list[Any]] = {}
    posts = (
        Post.objects.filter(media_account__in=account_ids, published_at__gte=task.window_start)
        .only("pk", "media_account_id", "title", "text", "platform_post_id", "published_at")
        .order_by("media_account_id", "-published_at")
    )
    for post in posts:
        listed = found.setdefault(post.media_account_id, [])
        if len(listed) < WINDOW_POSTS:
            listed.append(post)
    return found


def _rate(done: int, required: int) -> float | None:
    return round(done / required, 4) if required else None


@dataclass(frozen=True)
class Progress:
    """A task's parts by status, within the user's scope: required excludes the excused; the rate is
    done in time / required."""

    counts: dict[str, int]
    by_department: list[dict[str, Any]] = field(default_factory=list)

    @property
    def required(self) -> int:
        return sum(self.counts.values()) - self.counts.get(AssignmentStatus.EXCUSED, 0)

    @property
    def rate(self) -> float | None:
        return _rate(self.counts.get(AssignmentStatus.DONE, 0), self.required)

    def as_dict(self) -> dict[str, Any]:
        return {
            "required": self.required,
            **{status: self.counts.get(status, 0) for status in STATUSES},
            "rate": self.rate,
            "by_department": self.by_department,
        }


def progress(user, task: ReleaseTask) -> Progress:
    """One query: the task's parts in ``user``'s scope, counted by unit and status."""
    rows = (
        ReleaseAssignment.objects.restrict(user, "view")
        .filter(task=task)
        .order_by()
        .values("department", "department__name", "department__order_key")
        .annotate(**{status: Count("pk", filter=Q(status=status)) for status in STATUSES})
        .order_by("department__order_key")
    )
    totals = dict.fromkeys(STATUSES, 0)
    units = []
    for row in rows:
        counts = {status: row[status] for status in STATUSES}
        for status, number in counts.items():
            totals[status] += number
        unit = Progress(counts)
        units.append(
            {
                "department": row["department"],
                "department_name": row["department__name"],
                "required": unit.required,
                **counts,
                "rate": unit.rate,
            }
        )
    return Progress(totals, units)


def rate_by_unit(user, *, since: datetime.datetime, until: datetime.datetime) -> list[dict[str, Any]]:
    """Per unit in ``user``'s scope, the relay rate of the tasks whose window ended in the period."""
    rows = (
        ReleaseAssignment.objects.restrict(user, "view")
        .filter(task__window_end__gte=since, task__window_end__lt=until)
        .exclude(status=AssignmentStatus.EXCUSED)
        .order_by()
        .values("department", "department__name", "department__order_key")
        .annotate(required=Count("pk"), done=Count("pk", filter=Q(status=AssignmentStatus.DONE)))
        .order_by("department__order_key")
    )
    return [
        {
            "department": row["department"],
            "department_name": row["department__name"],
            "required": row["required"],
            "done": row["done"],
            "rate": _rate(row["done"], row["required"]),
        }
        for row in rows
    ]


# The command view (指挥中心) -------------------------------------------------------------------

COMMAND_LIST = 10  # rows of each list on the large screen


@dataclass(frozen=True)
class CommandView:
    tasks: list[tuple[ReleaseTask, Progress]]
    silent: list[Any]  # open no_update findings, the longest silent first
    silent_count: int
    serious: list[Any]  # open veto and serious findings, the newest first
    serious_count: int
    top: list[Any]  # this week's top accounts (WeeklyIndex rows with their rank)
    week: datetime.date
    matrix: Any  # registry.selectors.Matrix, counted by grade


def command_view(user) -> CommandView:
    """What the large screen shows, within ``user``'s scope: the tasks under way (or ended within the
    day) with their progress, the accounts silent for two weeks, the open serious findings, the week's
    top accounts and the matrix of units × platforms by grade."""
    from audits.inspections.choices import FindingStatus, RuleCode, Severity
    from audits.inspections.models import Finding
    from audits.ranking.selectors import latest_complete_week, ranking
    from registry.selectors import matrix

    now = timezone.now()
    tasks = list(
        task_list(user)
        .filter(
            status=ReleaseTaskStatus.STARTED,
            window_start__lte=now,
            window_end__gte=now - datetime.timedelta(days=1),
        )
        .order_by("window_end")[:COMMAND_LIST]
    )
    open_findings = Finding.objects.restrict(user, "view").filter(status=FindingStatus.OPEN)
    silent = open_findings.filter(rule__code=RuleCode.NO_UPDATE).select_related("media_account__department")
    serious = open_findings.filter(severity__in=(Severity.VETO, Severity.SERIOUS)).select_related(
        "rule", "media_account__department"
    )
    week = latest_complete_week()
    return CommandView(
        tasks=[(task, progress(user, task)) for task in tasks],
        silent=list(silent.order_by("first_seen", "pk")[:COMMAND_LIST]),
        silent_count=silent.count(),
        serious=list(serious.order_by("-first_seen", "-pk")[:COMMAND_LIST]),
        serious_count=serious.count(),
        top=list(ranking(user, week_start=week)[:COMMAND_LIST]),
        week=week,
        matrix=matrix(user),
    )


RATE_DAYS = 30  # the dashboard's period


@dataclass(frozen=True)
class ReleaseDashboard:
    under_way: list[tuple[ReleaseTask, Progress]]
    rate: float | None  # the period's relay rate in the user's scope
    required: int
    done: int
    units: list[dict[str, Any]]  # the period's rate per unit, the lowest first
    days: int = RATE_DAYS


def dashboard(user, *, days: int = RATE_DAYS) -> ReleaseDashboard:
    """The overview's card: the tasks under way, and the relay rate of the tasks whose window ended in
    the last ``days`` days, overall and per unit (the lowest first)."""
    now = timezone.now()
    units = rate_by_unit(user, since=now - datetime.timedelta(days=days), until=now)
    required = sum(unit["required"] for unit in units)
    done = sum(unit["done"] for unit in units)
    under_way = list(
        task_list(user)
        .filter(status=ReleaseTaskStatus.STARTED, window_start__lte=now, window_end__gte=now)
        .order_by("window_end")[:5]
    )
    return ReleaseDashboard(
        under_way=[(task, progress(user, task)) for task in under_way],
        rate=_rate(done, required),
        required=required,
        done=done,
        units=sorted(units, key=lambda unit: (unit["rate"] is None, unit["rate"] or 0))[:10],
        days=days,
    )
