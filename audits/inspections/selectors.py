"""Reads of the scheduled inspections: grades, run reports, the schedule and the dashboard.

Every read takes a fixed number of queries whatever the number of accounts and findings
(docs/design.md §13); the pages built on them are tested for that.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from audits.inspections.choices import FindingStatus, Grade, NoticeStatus, RuleCode, RunStatus, Severity
from audits.inspections.models import (
    Finding,
    InspectionRule,
    InspectionRun,
    RectificationNotice,
    RunStanding,
)
from registry.choices import LIVE_STATUSES, Platform
from registry.models import MediaAccount

# docs/design.md §7.4: any serious or veto finding makes an account red, warnings alone amber;
# info findings (a township account, a second account on a platform) do not change the grade.
RED_SEVERITIES = (Severity.VETO, Severity.SERIOUS)
SEVERITY_ORDER = [Severity.VETO, Severity.SERIOUS, Severity.WARNING, Severity.INFO]

# A run that has not finished after this long is taken to have died with its worker.
STALE_RUN = datetime.timedelta(minutes=30)


# Grades ----------------------------------------------------------------------------------------


def grade_expression(via: str = "") -> Case:
    """The grade of each account row, from its open findings: one CASE over two EXISTS.

    ``via`` is the lookup from the queryset's model to the account (``"media_account"`` for an
    application), empty for ``MediaAccount`` itself.
    """
    prefix = f"{via}__" if via else ""
    open_findings = Finding.objects.filter(media_account=OuterRef(f"{prefix}pk"), status=FindingStatus.OPEN)
    return Case(
        # Only live accounts are inspected; a pending or closed one has no grade.
        When(~Q(**{f"{prefix}status__in": LIVE_STATUSES}), then=Value(None)),
        When(Exists(open_findings.filter(severity__in=RED_SEVERITIES)), then=Value(Grade.RED.value)),
        When(Exists(open_findings.filter(severity=Severity.WARNING)), then=Value(Grade.AMBER.value)),
        default=Value(Grade.GREEN.value),
        output_field=CharField(),
    )


def with_grade(queryset: QuerySet, via: str = "") -> QuerySet:
    """Rows annotated with their account's ``grade`` (green/amber/red, ``None`` when not live)."""
    return queryset.annotate(grade=grade_expression(via))


def open_findings(via: str = "") -> Prefetch:
    """Each account's open findings, gravest first, as its ``open_findings`` list: one query for all
    the rows of a page. ``via`` as for :func:`grade_expression`."""
    return Prefetch(
        f"{via}__findings" if via else "findings",
        queryset=Finding.objects.filter(status=FindingStatus.OPEN)
        .select_related("rule")
        .order_by(gravest_first(), "rule_id"),
        to_attr="open_findings",
    )


def gravest_first() -> Case:
    """A finding's rank by severity, veto first: for ``order_by``."""
    return Case(
        *(When(severity=severity, then=Value(rank)) for rank, severity in enumerate(SEVERITY_ORDER)),
        output_field=IntegerField(),
    )


def grade_counts(user) -> dict[str, int]:
    """How many of the live accounts ``user`` may see are green, amber and red: one query."""
    rows = (
        with_grade(MediaAccount.objects.restrict(user, "view").filter(status__in=LIVE_STATUSES))
        .order_by()
        .values("grade")
        .annotate(n=Count("pk"))
    )
    counts = {row["grade"]: row["n"] for row in rows}
    return {grade: counts.get(grade, 0) for grade in Grade.values}


# Runs and their reports ------------------------------------------------------------------------


def _standing(findings: QuerySet, day, finished_at) -> QuerySet:
    """The findings that stood after a run of ``day`` that finished at ``finished_at`` (values or
    ``OuterRef`` expressions).

    A finding keeps the first and last day a run saw it, so one resolved later (by a later run, or
    by the office accepting a notice) still counts for the runs that saw it; so does a waived one,
    for the runs that finished before the waiver. One still open stood after every run since its
    first (its last day is written when it stops being open).
    """
    return findings.filter(first_seen__lte=day).filter(
        Q(status=FindingStatus.OPEN)
        | Q(status=FindingStatus.WAIVED, last_seen__gte=day, waived_at__gt=finished_at)
        | Q(status=FindingStatus.RESOLVED, last_seen__gte=day, resolved_at__gt=finished_at)
    )


def run_findings(run: InspectionRun) -> QuerySet:
    """The findings that stood after ``run`` (see :func:`_standing`)."""
    return _standing(Finding.objects.all(), run.inspection_date, run.finished_at or timezone.now())


def previous_run(run: InspectionRun) -> InspectionRun | None:
    return (
        InspectionRun.objects.filter(status=RunStatus.FINISHED, created_at__lt=run.created_at)
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class RuleRow:
    """One rule in a run: what stood after it, what it found new and what it saw cleared."""

    code: str
    label: str
    severity: str
    severity_label: str
    open: int
    opened: int
    resolved: int

    @property
    def carried_over(self) -> int:
        return self.open - self.opened


@dataclass(frozen=True)
class GroupRow:
    """Findings of one department or platform, by severity, and its red accounts."""

    key: Any
    label: str
    veto: int
    serious: int
    warning: int
    info: int
    accounts: int
    red_accounts: int
    wording: int = 0  # of the findings, the wording scan's hits (docs/design.md §7.6)

    @property
    def findings(self) -> int:
        return self.veto + self.serious + self.warning + self.info


@dataclass(frozen=True)
class RedAccount:
    media_account: MediaAccount
    findings: list[Finding]


@dataclass(frozen=True)
class RunReport:
    run: InspectionRun
    previous: InspectionRun | None
    by_rule: list[RuleRow]
    by_department: list[GroupRow]
    by_platform: list[GroupRow]
    red_accounts: list[RedAccount]
    charts: dict[str, Any] = field(default_factory=dict)

    @property
    def findings(self) -> int:
        return sum(row.open for row in self.by_rule)

    @property
    def opened(self) -> int:
        return sum(row.opened for row in self.by_rule)

    @property
    def resolved(self) -> int:
        return sum(row.resolved for row in self.by_rule)

    @property
    def carried_over(self) -> int:
        return self.findings - self.opened


def _by_rule(run: InspectionRun, rules: list[InspectionRule]) -> list[RuleRow]:
    # The run's own counts, written when it finished: exact, and no query over the findings.
    severities = dict(Severity.choices)
    rows = []
    for rule in rules:
        counts = run.counts.get(rule.code, {})
        rows.append(
            RuleRow(
                code=rule.code,
                label=str(rule.get_code_display()),
                severity=rule.severity,
                severity_label=str(severities.get(rule.severity, rule.severity)),
                open=counts.get("open", 0),
                opened=counts.get("opened", 0),
                resolved=counts.get("resolved", 0),
            )
        )
    return rows


def _severity_counts() -> dict[str, Count]:
    return {
        **{severity: Count("pk", filter=Q(severity=severity)) for severity in Severity.values},
        "accounts": Count("media_account", distinct=True),
        "red_accounts": Count("media_account", distinct=True, filter=Q(severity__in=RED_SEVERITIES)),
        "wording": Count("pk", filter=Q(post__isnull=False)),
    }


def _group_row(row: dict, key: Any, label: str) -> GroupRow:
    return GroupRow(
        key=key,
        label=label,
        veto=row[Severity.VETO],
        serious=row[Severity.SERIOUS],
        warning=row[Severity.WARNING],
        info=row[Severity.INFO],
        accounts=row["accounts"],
        red_accounts=row["red_accounts"],
        wording=row["wording"],
    )


def _by_department(findings: QuerySet) -> list[GroupRow]:
    rows = [
        _group_row(row, row["media_account__department"], row["media_account__department__name"])
        for row in findings.order_by()
        .values("media_account__department", "media_account__department__name")
        .annotate(**_severity_counts())
        .order_by("media_account__department__order_key")
    ]
    # The worst units first; the sort is stable, so units alike stay in the official order.
    return sorted(rows, key=lambda row: (-row.red_accounts, -row.findings))


def _by_platform(findings: QuerySet) -> list[GroupRow]:
    counted = {
        row["media_account__platform"]: row
        for row in findings.order_by().values("media_account__platform").annotate(**_severity_counts())
    }
    return [
        _group_row(counted[code], code, str(label)) for code, label in Platform.choices if code in counted
    ]


def _red_accounts(findings: QuerySet) -> list[RedAccount]:
    red = (
        findings.filter(severity__in=RED_SEVERITIES)
        .select_related("rule", "media_account__department")
        .order_by(
            "media_account__department__order_key", "media_account__name", "media_account_id", "rule_id"
        )
    )
    grouped: dict[int, RedAccount] = {}
    for finding in red:
        entry = grouped.setdefault(finding.media_account_id, RedAccount(finding.media_account, []))
        entry.findings.append(finding)
    return list(grouped.values())


CHART_DEPARTMENTS = 15  # the units with the most problems; the table lists every one


def _severity_series(rows: list[GroupRow]) -> list[dict[str, Any]]:
    labels = dict(Severity.choices)
    return [
        {"key": severity, "name": str(labels[severity]), "data": [getattr(row, severity) for row in rows]}
        for severity in SEVERITY_ORDER
        if any(getattr(row, severity) for row in rows)
    ]


def report_charts(report: RunReport) -> dict[str, Any]:
    """The report's charts as plain data for ``json_script`` (drawn by static/js/inspections.js)."""
    departments = report.by_department[:CHART_DEPARTMENTS]
    return {
        "rules": {
            "categories": [row.label for row in report.by_rule],
            "items": [{"value": row.open, "key": row.severity} for row in report.by_rule],
        },
        "departments": {
            "categories": [row.label for row in departments],
            "series": _severity_series(departments),
        },
        "platforms": {
            "categories": [row.label for row in report.by_platform],
            "series": _severity_series(report.by_platform),
        },
    }


def run_report(run: InspectionRun) -> RunReport:
    """The inspection report of a finished run (district-wide: the office's and auditors' page)."""
    findings = run_findings(run)
    report = RunReport(
        run=run,
        previous=previous_run(run),
        by_rule=_by_rule(run, list(InspectionRule.objects.order_by("pk"))),
        by_department=_by_department(findings),
        by_platform=_by_platform(findings),
        red_accounts=_red_accounts(findings),
    )
    report.charts.update(report_charts(report))
    return report


@dataclass(frozen=True)
class WordingRow:
    """One unit's wording hits in the posts of a period, by rule, and how many were false positives."""

    department_id: int
    department: str
    serious: int
    misused: int
    sensitive: int
    link: int
    dismissed: int

    @property
    def hits(self) -> int:
        return self.serious + self.misused + self.sensitive + self.link


def wording_by_unit(user, *, since: datetime.datetime, until: datetime.datetime) -> list[WordingRow]:
    """Per unit in ``user``'s scope, the wording hits found in the posts published from ``since`` to
    ``until`` (the weekly report's table), the units with the most serious ones first; one query."""
    hits = Finding.objects.restrict(user, "view").filter(
        post__published_at__gte=since, post__published_at__lt=until
    )
    counted = {
        f"{code.removeprefix('wording_')}": Count(
            "pk", filter=Q(rule__code=code) & ~Q(status=FindingStatus.DISMISSED)
        )
        for code in (
            RuleCode.WORDING_SERIOUS,
            RuleCode.WORDING_MISUSED,
            RuleCode.WORDING_SENSITIVE,
            RuleCode.WORDING_LINK,
        )
    }
    rows = (
        hits.order_by()
        .values("media_account__department", "media_account__department__name")
        .annotate(**counted, dismissed=Count("pk", filter=Q(status=FindingStatus.DISMISSED)))
        .order_by("media_account__department__order_key")
    )
    found = [
        WordingRow(
            department_id=row["media_account__department"],
            department=row["media_account__department__name"],
            serious=row["serious"],
            misused=row["misused"],
            sensitive=row["sensitive"],
            link=row["link"],
            dismissed=row["dismissed"],
        )
        for row in rows
    ]
    return sorted(found, key=lambda row: (-row.serious, -row.hits))


def run_list(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("requested_by").order_by("-created_at", "-pk")


def unfinished_run() -> InspectionRun | None:
    """A run queued or running in the last half hour: "run now" points to it instead of queuing another."""
    return (
        InspectionRun.objects.filter(
            status__in=(RunStatus.QUEUED, RunStatus.RUNNING), created_at__gt=timezone.now() - STALE_RUN
        )
        .order_by("-created_at")
        .first()
    )


# Findings and notices --------------------------------------------------------------------------


def finding_list(user) -> QuerySet:
    """The queryset behind the findings page, before ``FindingFilter`` narrows it."""
    return (
        Finding.objects.restrict(user, "view")
        .select_related("rule", "media_account__department", "notice")
        .with_last_seen()
        .order_by(gravest_first(), "-seen_until", "pk")
    )


# The figures a rule keeps on its finding (``rules.py``, the ``detail_`` annotations).
DETAIL_LABELS = {
    "last_post_on": _("Last post on"),
    "posts": _("Posts in the window"),
    "days": _("Days in the window"),
    "followers": _("Followers"),
    "messages_overdue": _("Overdue messages"),
    "deadline": _("Closure deadline"),
    "confirmed_on": _("Last confirmed on"),
    "missed": _("Release tasks missed"),
}


# What a wording hit's detail holds (content.services): shown as the hit, not as figures.
WORDING_DETAIL = {"lexicon", "count", "excerpt", "entry", "correct_form", "category"}


def finding_detail_lines(finding: Finding) -> list[tuple[str, Any]]:
    hidden = WORDING_DETAIL if finding.post_id else ()
    return [
        (str(DETAIL_LABELS.get(key, key)), value)
        for key, value in finding.detail.items()
        if key not in hidden
    ]


def wording_hit(finding: Finding) -> dict[str, Any] | None:
    """A wording hit's term, where it was found (the excerpt, its first place marked) and what it
    should read; ``None`` for any other finding."""
    if not finding.post_id:
        return None
    detail = finding.detail
    return {
        "post": finding.post,
        "term": finding.term,
        "excerpt": detail.get("excerpt") or {},
        "count": detail.get("count", 1),
        "correct_form": detail.get("correct_form", ""),
        "category": detail.get("category", ""),
    }


def notice_list(user) -> QuerySet:
    """The notices ``user`` may see, each with its number of findings, the newest first."""
    return (
        RectificationNotice.objects.restrict(user, "view")
        .select_related("department", "run")
        .annotate(finding_count=Count("findings"))
        .order_by("-created_at", "-pk")
    )


# The dashboard ---------------------------------------------------------------------------------

TREND_RUNS = 30


def standing_per_run(user) -> list[dict[str, Any]]:
    """For each of the last finished runs, oldest first, the findings that stood after it by
    severity and its red accounts, within ``user``'s scope: one query over the runs' standings
    (``RunStanding``, one row per run and unit), whatever the volume of findings."""
    standings = RunStanding.objects.restrict(user, "view").filter(run=OuterRef("pk")).order_by().values("run")

    def total(column: str) -> Coalesce:
        summed = standings.annotate(n=Sum(column)).values("n")
        return Coalesce(Subquery(summed, output_field=IntegerField()), 0)

    runs = (
        InspectionRun.objects.filter(status=RunStatus.FINISHED)
        .order_by("-created_at", "-pk")
        .annotate(**{column: total(column) for column in (*SEVERITY_ORDER, "red_accounts")})
        .values("pk", "inspection_date", "red_accounts", *SEVERITY_ORDER)
    )
    return list(runs[:TREND_RUNS])[::-1]


def trend_chart(runs: list[dict[str, Any]]) -> dict[str, Any]:
    labels = dict(Severity.choices)
    return {
        "categories": [run["inspection_date"].isoformat() for run in runs],
        "series": [
            {"key": severity, "name": str(labels[severity]), "data": [run[severity] for run in runs]}
            for severity in SEVERITY_ORDER
        ],
        "empty": not runs,
    }


@dataclass(frozen=True)
class InspectionDashboard:
    run: dict[str, Any] | None  # the latest finished run: pk, inspection_date and its figures
    by_severity: list[tuple[str, str, int]]  # (severity, label, findings)
    red_accounts: int
    grades: list[tuple[str, str, int]]  # (grade, label, accounts)
    notices_open: int
    notices_overdue: int
    charts: dict[str, Any]

    @property
    def graded(self) -> int:
        return sum(count for _grade, _label, count in self.grades)


def dashboard(user, *, grades: dict[str, int] | None = None) -> InspectionDashboard:
    """The home page's inspection figures within ``user``'s scope: three queries, two when the page
    has counted the grades already (``grades``, as ``grade_counts`` gives them)."""
    runs = standing_per_run(user)
    latest = runs[-1] if runs else {}
    severities = dict(Severity.choices)
    counts = grade_counts(user) if grades is None else grades
    grades = [(grade, str(label), counts[grade]) for grade, label in Grade.choices]
    notices = RectificationNotice.objects.restrict(user, "view").aggregate(
        open=Count("pk", filter=Q(status=NoticeStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=NoticeStatus.OPEN, deadline__lt=timezone.localdate())),
    )
    return InspectionDashboard(
        run=latest or None,
        by_severity=[(s, str(severities[s]), latest.get(s, 0)) for s in SEVERITY_ORDER],
        red_accounts=latest.get("red_accounts", 0),
        grades=grades,
        notices_open=notices["open"],
        notices_overdue=notices["overdue"],
        charts={
            "grades": {
                "items": [{"key": grade, "name": label, "value": n} for grade, label, n in grades if n]
            },
            "trend": trend_chart(runs),
        },
    )


# The schedule ----------------------------------------------------------------------------------

TASK_NAME = "Daily inspection run"  # the PeriodicTask's unique name; the migration uses it too
TIMEZONE = "Asia/Shanghai"
DEFAULT_HOUR, DEFAULT_MINUTE = 2, 0


def schedule_task() -> PeriodicTask | None:
    return PeriodicTask.objects.select_related("crontab").filter(name=TASK_NAME).first()


@dataclass(frozen=True)
class Schedule:
    hour: int
    minute: int
    enabled: bool
    timezone: str
    next_run: datetime.datetime | None


def inspection_schedule(now: datetime.datetime | None = None) -> Schedule:
    """The daily run's time (django-celery-beat's periodic task) and when it next fires."""
    task = schedule_task()
    if task is None:
        hour, minute, enabled, zone = DEFAULT_HOUR, DEFAULT_MINUTE, False, TIMEZONE
    else:
        hour, minute = int(task.crontab.hour), int(task.crontab.minute)
        enabled, zone = task.enabled, str(task.crontab.timezone)
    return Schedule(
        hour=hour,
        minute=minute,
        enabled=enabled,
        timezone=zone,
        next_run=next_daily_run(hour, minute, zone, now) if enabled else None,
    )


def next_daily_run(
    hour: int, minute: int, zone: str, now: datetime.datetime | None = None
) -> datetime.datetime:
    """The next ``hour:minute`` in ``zone`` after ``now``."""
    from zoneinfo import ZoneInfo

    local_now = (now or timezone.now()).astimezone(ZoneInfo(zone))
    candidate = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if candidate <= local_now:
        candidate += datetime.timedelta(days=1)
    return candidate
