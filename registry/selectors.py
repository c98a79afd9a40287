"""Reads of the registry that are more than one line.

Every function takes the user and reads only within the user's scope
(``restrict(user, "view")``); each reads in a fixed number of queries whatever the volume, because the
pages built on them are tested for that (docs/design.md §13).
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from audits.inspections.choices import Grade
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
    grades: dict[str, int] = field(default_factory=dict)  # live accounts by grade


def _state_of(status: str) -> str:
    if status in LIVE_STATUSES:
        return "live"
    if status in ENDED_STATUSES:
        return "ended"
    return status  # "pending" or "rejected"


def _states(counts: dict[tuple[str, str], int], choices) -> list[StateRow]:
    """``counts`` by (value, status) folded into the four states, one row per value that has any."""
    rows: dict[str, dict[str, int]] = {}
    for (value, status), n in counts.items():
        row = rows.setdefault(value, {"live": 0, "pending": 0, "ended": 0, "rejected": 0})
        row[_state_of(status)] += n
    return [StateRow(code=value, label=label, **rows[value]) for value, label in choices if value in rows]


def registry_overview(user) -> RegistryOverview:
    """The home page's figures, within what ``user`` may see: three queries whatever the volume.

    The accounts are read once, counted by unit kind, platform, status and grade; every breakdown of
    the page (and the grades of the inspection's figures) is folded from those counts.
    """
    by_kind: dict[tuple[str, str], int] = {}
    by_platform: dict[tuple[str, str], int] = {}
    by_status: dict[str, int] = {}
    grades = {grade: 0 for grade in Grade.values}
    for kind, platform, status, grade, n in (
        with_grade(MediaAccount.objects.restrict(user, "view"))
        .order_by()
        .values_list("department__kind", "platform", "status", "grade")
        .annotate(n=Count("pk"))
    ):
        by_kind[kind, status] = by_kind.get((kind, status), 0) + n
        by_platform[platform, status] = by_platform.get((platform, status), 0) + n
        by_status[status] = by_status.get(status, 0) + n
        if grade:
            grades[grade] += n
    statuses = [
        CountRow(code=value, label=label, count=by_status.get(value, 0))
        for value, label in MediaAccountStatus.choices
    ]
    platform_states = _states(by_platform, Platform.choices)
    return RegistryOverview(
        departments=Department.objects.restrict(user, "view").filter(is_active=True).count(),
        media_accounts=sum(by_status.values()),
        live_media_accounts=sum(n for status, n in by_status.items() if status in LIVE_STATUSES),
        pending_filings=Filing.objects.restrict(user, "view").filter(status=FilingStatus.SUBMITTED).count(),
        by_status=statuses,
        by_platform=[CountRow(code=row.code, label=row.label, count=row.total) for row in platform_states],
        platform_states=platform_states,
        department_kind_states=_states(by_kind, DepartmentKind.choices),
        grades=grades,
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
# Up to this many accounts the matrix names each one in its cell; past it (a city's or a province's
# office), each cell counts its accounts by grade and links to them, and a unit's row opens into
# its accounts on its own page (``unit``), so the page stays one row per unit whatever the volume.
MATRIX_NAMED_ACCOUNTS = 600


@dataclass(frozen=True)
class MatrixCell:
    """One unit's accounts on one platform: named (``accounts``), or counted when the matrix is too
    large to name them (``accounts`` is ``None``)."""

    platform: str
    count: int = 0
    grades: dict[str, int] = field(default_factory=dict)  # live accounts by grade
    accounts: list[MediaAccount] | None = None

    @property
    def several(self) -> bool:
        return self.count > 1


@dataclass(frozen=True)
class MatrixRow:
    department: Department
    depth: int
    cells: list[MatrixCell]  # one per platform column


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
    named: bool  # each account is in its cell (not only counted)
    unit: Department | None = None  # the unit (with its sub-units) the matrix is opened at


def _tree_of(departments: list[Department], root: Department) -> set[int]:
    """``root`` and every unit below it among ``departments``."""
    children: dict[int | None, list[int]] = {}
    for department in departments:
        children.setdefault(department.parent_id, []).append(department.pk)
    found, stack = set(), [root.pk]
    while stack:
        pk = stack.pop()
        found.add(pk)
        stack.extend(children.get(pk, ()))
    return found


def matrix(user, *, include_closed: bool = False, unit: int | None = None) -> Matrix:
    """Departments × platforms within ``user``'s scope: three queries whatever the volume.

    Every cell is counted by grade in one grouped query; the accounts themselves are read (one more
    query) only when the matrix names them: when it holds no more than ``MATRIX_NAMED_ACCOUNTS``,
    or when it is opened at one ``unit`` (its pk; 404 outside the scope) and the units below it.
    Only platforms with at least one account shown get a column, so the table stays readable; every
    active unit gets a row, since a unit without accounts is worth seeing.
    """
    statuses = (*MATRIX_STATUSES, *ENDED_STATUSES) if include_closed else MATRIX_STATUSES
    visible = list(Department.objects.restrict(user, "view").order_by())
    root = None
    if unit is not None:
        root = next((department for department in visible if department.pk == unit), None)
        if root is None:
            raise Http404
        tree = _tree_of(visible, root)
        visible = [department for department in visible if department.pk in tree]
    accounts = with_grade(MediaAccount.objects.restrict(user, "view").filter(status__in=statuses))
    if root is not None:
        accounts = accounts.filter(department__in=[department.pk for department in visible])
    tallies: dict[tuple[int, str], dict[str, int]] = {}
    for department_id, platform, grade, n in (
        accounts.order_by().values_list("department_id", "platform", "grade").annotate(n=Count("pk"))
    ):
        tally = tallies.setdefault((department_id, platform), {})
        tally[grade] = tally.get(grade, 0) + n
    account_count = sum(n for tally in tallies.values() for n in tally.values())
    named = root is not None or account_count <= MATRIX_NAMED_ACCOUNTS
    listed: dict[tuple[int, str], list[MediaAccount]] = {}
    if named:
        for account in accounts.order_by("pk").only("pk", "name", "platform", "status", "department_id"):
            listed.setdefault((account.department_id, account.platform), []).append(account)
    with_accounts = {department_id for department_id, _platform in tallies}
    departments = [d for d in visible if d.is_active or d.pk in with_accounts]
    used = {platform for _department_id, platform in tallies}
    platforms = [(code, label) for code, label in Platform.choices if code in used]

    def cell(department: Department, platform: str) -> MatrixCell:
        tally = tallies.get((department.pk, platform), {})
        return MatrixCell(
            platform=platform,
            count=sum(tally.values()),
            grades={grade: n for grade, n in tally.items() if grade},
            accounts=listed.get((department.pk, platform), []) if named else None,
        )

    def row(department: Department, depth: int) -> MatrixRow:
        return MatrixRow(department, depth, [cell(department, code) for code, _label in platforms])

    return Matrix(
        platforms=platforms,
        groups=[
            MatrixGroup(kind, label, [row(d, depth) for d, depth in rows])
            for kind, label, rows in _grouped_by_kind(departments)
        ],
        include_closed=include_closed,
        account_count=account_count,
        named=named,
        unit=root,
    )
