"""Reads of the registry that are more than one line.

Every function takes the user and reads only within the user's scope
(``restrict(user, "view")``); each reads in a fixed number of queries whatever the volume, because the
pages built on them are tested for that (docs/design.md §13).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from audits.inspections.selectors import with_grade
from registry.choices import (
    ENDED_STATUSES,
    LIVE_STATUSES,
    AccountFunction,
    DepartmentKind,
    FilingStatus,
    MediaAccountStatus,
    Platform,
)
from registry.models import AccountMetric, Department, Filing, MediaAccount, Operator, in_official_order

# Platforms in the order of ``Platform`` (the big ones first), not alphabetically by code.
PLATFORM_ORDER = {code: index for index, code in enumerate(Platform.values)}


@dataclass(frozen=True)
class CountRow:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class StateRow:
    """Accounts of one platform (or department kind), split by where they stand."""

    code: str
    label: str
    live: int
    pending: int
    ended: int
    rejected: int

    @property
    def total(self) -> int:
        return self.live + self.pending + self.ended + self.rejected


@dataclass(frozen=True)
class RegistryOverview:
    departments: int
    media_accounts: int
    live_media_accounts: int
    pending_filings: int
    by_status: list[CountRow]
    by_platform: list[CountRow]
    platform_states: list[StateRow] = field(default_factory=list)
    department_kind_states: list[StateRow] = field(default_factory=list)


def _counted(queryset, field: str, choices) -> list[CountRow]:
    counts = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
    return [CountRow(code=value, label=label, count=counts.get(value, 0)) for value, label in choices]


def _state_of(status: str) -> str:
    if status in LIVE_STATUSES:
        return "live"
    if status in ENDED_STATUSES:
        return "ended"
    return status  # "pending" or "rejected"


def _states(queryset, field: str, choices) -> list[StateRow]:
    """Counts by ``field`` and status in one grouped query, folded into the four states."""
    counts: dict[str, dict[str, int]] = {}
    for value, status, n in queryset.order_by().values_list(field, "status").annotate(n=Count("pk")):
        row = counts.setdefault(value, {"live": 0, "pending": 0, "ended": 0, "rejected": 0})
        row[_state_of(status)] += n
    return [StateRow(code=value, label=label, **counts[value]) for value, label in choices if value in counts]


def registry_overview(user) -> RegistryOverview:
    """The home page's figures, within what ``user`` may see: five queries whatever the volume."""
    accounts = MediaAccount.objects.restrict(user, "view")
    by_status = _counted(accounts, "status", MediaAccountStatus.choices)
    platform_states = _states(accounts, "platform", Platform.choices)
    return RegistryOverview(
        departments=Department.objects.restrict(user, "view").filter(is_active=True).count(),
        media_accounts=sum(row.count for row in by_status),
        live_media_accounts=sum(row.count for row in by_status if row.code in LIVE_STATUSES),
        pending_filings=Filing.objects.restrict(user, "view").filter(status=FilingStatus.SUBMITTED).count(),
        by_status=by_status,
        by_platform=[CountRow(code=row.code, label=row.label, count=row.total) for row in platform_states],
        platform_states=platform_states,
        department_kind_states=_states(accounts, "department__kind", DepartmentKind.choices),
    )


STATE_LABELS = {
    "live": _("Live"),
    "pending": _("Pending approval"),
    "ended": _("Closed or merged"),
    "rejected": _("Rejected"),
}


def _stacked(rows: list[StateRow]) -> dict[str, Any]:
    return {
        "categories": [str(row.label) for row in rows],
        "series": [
            {"key": key, "name": str(label), "data": [getattr(row, key) for row in rows]}
            for key, label in STATE_LABELS.items()
            if any(getattr(row, key) for row in rows)  # no empty entry in the legend
        ],
    }


def overview_charts(overview: RegistryOverview) -> dict[str, Any]:
    """The home page's charts as plain data for ``json_script`` (drawn by static/js/charts.js)."""
    return {
        "status": {
            "items": [
                {"key": row.code, "name": str(row.label), "value": row.count}
                for row in overview.by_status
                if row.count
            ]
        },
        "platform": _stacked(overview.platform_states),
        "department_kind": _stacked(overview.department_kind_states),
    }


# Departments ---------------------------------------------------------------------------------


def _with_account_counts(departments):
    return departments.annotate(
        live_count=Count("media_accounts", filter=Q(media_accounts__status__in=LIVE_STATUSES)),
        pending_count=Count("media_accounts", filter=Q(media_accounts__status=MediaAccountStatus.PENDING)),
        ended_count=Count("media_accounts", filter=Q(media_accounts__status__in=ENDED_STATUSES)),
        account_count=Count("media_accounts"),
    )


@dataclass(frozen=True)
class DepartmentRow:
    department: Department
    depth: int
    # First or last among the units of its kind at its level: it cannot move further that way.
    first: bool = False
    last: bool = False


@dataclass(frozen=True)
class DepartmentGroup:
    kind: str
    label: str
    rows: list[DepartmentRow]

    @property
    def live_count(self) -> int:
        return sum(row.department.live_count for row in self.rows)

    @property
    def account_count(self) -> int:
        return sum(row.department.account_count for row in self.rows)


def _grouped_by_kind(departments: list[Department]) -> list[tuple[str, str, list[tuple[Department, int]]]]:
    """The units in the official order, in one group per kind of the units heading each tree:
    a sub-unit stays below its parent, whatever its own kind."""
    labels = dict(DepartmentKind.choices)
    groups: list[tuple[str, str, list[tuple[Department, int]]]] = []
    for department, depth in in_official_order(departments):
        if depth == 0 and (not groups or groups[-1][0] != department.kind):
            groups.append((department.kind, labels.get(department.kind, department.kind), []))
        groups[-1][2].append((department, depth))
    return groups


def department_tree(user) -> list[DepartmentGroup]:
    """Every department ``user`` may see, grouped by kind, with its own accounts counted."""
    departments = list(
        _with_account_counts(Department.objects.restrict(user, "view").select_related("parent")).order_by()
    )
    siblings: dict[tuple[int | None, str], list[int]] = {}
    for department, _depth in in_official_order(departments):
        siblings.setdefault((department.parent_id, department.kind), []).append(department.pk)

    def row(department: Department, depth: int) -> DepartmentRow:
        group = siblings[(department.parent_id, department.kind)]
        return DepartmentRow(
            department, depth, first=group[0] == department.pk, last=group[-1] == department.pk
        )

    return [
        DepartmentGroup(kind, label, [row(department, depth) for department, depth in rows])
        for kind, label, rows in _grouped_by_kind(departments)
    ]


@dataclass(frozen=True)
class DepartmentDetail:
    department: Department
    parent_visible: bool
    children: list[Department]
    media_accounts: list[MediaAccount]


def department_detail(user, pk: int) -> DepartmentDetail:
    """One department with its parent, its child units and its accounts; 404 outside the scope."""
    department = get_object_or_404(Department.objects.select_related("parent").restrict(user, "view"), pk=pk)
    children = list(
        _with_account_counts(Department.objects.restrict(user, "view").filter(parent=department)).order_by(
            "order_key", "pk"
        )
    )
    media_accounts = sorted(
        department.media_accounts.only(
            "pk",
            "department",
            "name",
            "platform",
            "platform_uid",
            "status",
            "filing_number",
            "followers",
            "last_post_on",
        ),
        key=lambda account: (PLATFORM_ORDER.get(account.platform, 0), account.name, account.pk),
    )
    return DepartmentDetail(
        department=department,
        parent_visible=permissions.can_see_department(user, department.parent_id),
        children=children,
        media_accounts=media_accounts,
    )


# Media accounts ------------------------------------------------------------------------------


def media_account_list(user):
    """The queryset behind the list page, before ``MediaAccountFilter`` narrows and sorts it."""
    return with_grade(MediaAccount.objects.restrict(user, "view").select_related("department"))


CHART_DAYS = 90


def activity_chart(media_account: MediaAccount, *, days: int = CHART_DAYS) -> dict[str, Any]:
    """Followers and posts of the last ``days`` days, one point a day; a day without
    figures is ``None`` so the chart shows the gap rather than a false zero."""
    today = timezone.localdate()
    since = today - datetime.timedelta(days=days - 1)
    figures = {
        day: (followers, posts)
        for day, followers, posts in AccountMetric.objects.filter(
            media_account=media_account, date__gte=since, date__lte=today
        ).values_list("date", "followers", "posts")
    }
    dates = [since + datetime.timedelta(days=offset) for offset in range(days)]
    return {
        "dates": [day.isoformat() for day in dates],
        "followers": [figures[day][0] if day in figures else None for day in dates],
        "posts": [figures[day][1] if day in figures else None for day in dates],
        "labels": {"followers": str(_("Followers")), "posts": str(_("Posts"))},
        "empty": not figures,
    }


ARRIVALS_SHOWN = 10


@dataclass(frozen=True)
class Arrival:
    """One upload's figures of one account: when they arrived and the days they are for."""

    at: datetime.datetime
    days: int
    first: datetime.date
    last: datetime.date


def metric_arrivals(media_account: MediaAccount, *, limit: int = ARRIVALS_SHOWN) -> list[Arrival]:
    """When the account's figures arrived, newest first: each upload that last wrote some of its days.

    Read from the figures (``recorded_at``), not the trail: an upload records one event for all its
    accounts, which a unit sees only when the upload was its own (docs/design.md §4.4)."""
    rows = (
        AccountMetric.objects.filter(media_account=media_account, recorded_at__isnull=False)
        .values("recorded_at")
        .annotate(days=Count("pk"), first=Min("date"), last=Max("date"))
        .order_by("-recorded_at")[:limit]
    )
    return [Arrival(row["recorded_at"], row["days"], row["first"], row["last"]) for row in rows]


@dataclass(frozen=True)
class MediaAccountDetail:
    media_account: MediaAccount
    show_phones: bool
    merged_into_visible: bool
    operators: list[Operator]
    filings: list[Filing]
    chart: dict[str, Any]
    arrivals: list[Arrival]
    function_labels: list[str]


def media_account_detail(user, pk: int) -> MediaAccountDetail:
    """One account with its operators, filings and activity; 404 outside the scope. (Its history is
    the page's ``{% history %}``.)"""
    account = get_object_or_404(
        with_grade(MediaAccount.objects.select_related("department", "merged_into")).restrict(user, "view"),
        pk=pk,
    )
    phones = permissions.can_see_operator_phones(user, account.department_id)
    filings = list(
        account.filings.select_related("submitted_by", "decided_by", "successor").order_by(
            "-submitted_at", "-pk"
        )
    )
    functions = dict(AccountFunction.choices)
    return MediaAccountDetail(
        media_account=account,
        show_phones=phones,
        merged_into_visible=account.merged_into is not None
        and permissions.can_see_department(user, account.merged_into.department_id),
        operators=list(account.operators.order_by("pk")),
        filings=filings,
        chart=activity_chart(account),
        arrivals=metric_arrivals(account),
        function_labels=[str(functions.get(code, code)) for code in account.functions],
    )


# The matrix ------------------------------------------------------------------------------------

MATRIX_STATUSES = (MediaAccountStatus.PENDING, *LIVE_STATUSES)


@dataclass(frozen=True)
class MatrixRow:
    department: Department
    depth: int
    cells: list[list[MediaAccount]]  # one list per platform column


@dataclass(frozen=True)
class MatrixGroup:
    kind: str
    label: str
    rows: list[MatrixRow]


@dataclass(frozen=True)
class Matrix:
    platforms: list[tuple[str, str]]
    groups: list[MatrixGroup]
    include_closed: bool
    account_count: int


def matrix(user, *, include_closed: bool = False) -> Matrix:
    """Departments × platforms, each cell the unit's accounts on that platform: two queries.

    Only platforms with at least one account shown get a column, so the table stays
    readable; every active unit gets a row, since a unit without accounts is worth seeing.
    """
    statuses = (*MATRIX_STATUSES, *ENDED_STATUSES) if include_closed else MATRIX_STATUSES
    accounts = list(
        with_grade(MediaAccount.objects.restrict(user, "view").filter(status__in=statuses))
        .order_by("pk")
        .only("pk", "name", "platform", "status", "department_id")
    )
    with_accounts = {account.department_id for account in accounts}
    departments = [
        department
        for department in Department.objects.restrict(user, "view").order_by()
        if department.is_active or department.pk in with_accounts
    ]
    used = {account.platform for account in accounts}
    platforms = [(code, label) for code, label in Platform.choices if code in used]
    column = {code: index for index, (code, _label) in enumerate(platforms)}
    cells: dict[int, list[list[MediaAccount]]] = {
        department.pk: [[] for _platform in platforms] for department in departments
    }
    for account in accounts:
        cells[account.department_id][column[account.platform]].append(account)
    return Matrix(
        platforms=platforms,
        groups=[
            MatrixGroup(kind, label, [MatrixRow(d, depth, cells[d.pk]) for d, depth in rows])
            for kind, label, rows in _grouped_by_kind(departments)
        ],
        include_closed=include_closed,
        account_count=len(accounts),
    )
