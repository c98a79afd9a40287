"""Reads of the registry that are more than one line.

Every function takes the user and reads only within the user's scope
(``visible_to``); each reads in a fixed number of queries whatever the volume, because the
pages built on them are tested for that (DESIGN.md §10).
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from audits.models import AuditEvent
from audits.selectors.inspections import with_grade
from registry.choices import (
    ENDED_STATUSES,
    LIVE_STATUSES,
    AccountFunction,
    DepartmentKind,
    Employment,
    FilingKind,
    FilingStatus,
    MediaAccountStatus,
    Platform,
)
from registry.models import AccountMetric, Department, Filing, MediaAccount, Operator

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
    accounts = MediaAccount.objects.visible_to(user)
    by_status = _counted(accounts, "status", MediaAccountStatus.choices)
    platform_states = _states(accounts, "platform", Platform.choices)
    return RegistryOverview(
        departments=Department.objects.visible_to(user).filter(is_active=True).count(),
        media_accounts=sum(row.count for row in by_status),
        live_media_accounts=sum(row.count for row in by_status if row.code in LIVE_STATUSES),
        pending_filings=Filing.objects.visible_to(user).filter(status=FilingStatus.SUBMITTED).count(),
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


def _tree_order(departments: Iterable[Department]) -> list[tuple[Department, int]]:
    """Departments parent first, each followed by its children, with their depth.

    Siblings keep the order the office registered them in (their id): neither the short
    code nor the Chinese name sorts the way the district lists its units.
    """
    departments = sorted(departments, key=lambda department: department.pk)
    present = {department.pk for department in departments}
    children: dict[int | None, list[Department]] = {}
    for department in departments:
        parent_id = department.parent_id if department.parent_id in present else None
        children.setdefault(parent_id, []).append(department)
    ordered: list[tuple[Department, int]] = []
    stack = [(department, 0) for department in reversed(children.get(None, []))]
    while stack:
        department, depth = stack.pop()
        ordered.append((department, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(department.pk, [])))
    return ordered


@dataclass(frozen=True)
class DepartmentRow:
    department: Department
    depth: int


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
    """Groups in the order of ``DepartmentKind``, each a tree of the group's own units."""
    groups = []
    for kind, label in DepartmentKind.choices:
        members = [department for department in departments if department.kind == kind]
        if members:
            groups.append((kind, label, _tree_order(members)))
    return groups


def department_tree(user) -> list[DepartmentGroup]:
    """Every department ``user`` may see, grouped by kind, with its own accounts counted."""
    departments = list(
        _with_account_counts(Department.objects.visible_to(user).select_related("parent")).order_by()
    )
    return [
        DepartmentGroup(kind, label, [DepartmentRow(department, depth) for department, depth in rows])
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
    department = permissions.get_visible_or_404(
        Department.objects.select_related("parent"), user, via="pk", pk=pk
    )
    children = list(
        _with_account_counts(Department.objects.visible_to(user).filter(parent=department)).order_by("pk")
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
    return with_grade(MediaAccount.objects.visible_to(user).select_related("department"))


def can_see_operator_phones(user, media_account: MediaAccount) -> bool:
    """Operators' phone numbers are personal data: only the office and the unit's own
    administrators (those who may act for it, which includes its parent's) see them."""
    return permissions.can_act_for_department(user, media_account.department_id)


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


ACTION_LABELS = {
    "registry.department.created": _("Department registered"),
    "registry.department.updated": _("Department record changed"),
    "registry.filing.submitted": _("Filing submitted"),
    "registry.filing.approved": _("Filing approved"),
    "registry.filing.rejected": _("Filing rejected"),
    "registry.filing.withdrawn": _("Filing withdrawn"),
    "registry.media_account.activated": _("Account activated"),
    "registry.media_account.rejected": _("Account rejected"),
    "registry.media_account.changed": _("Changes applied"),
    "registry.media_account.closed": _("Account closed"),
    "registry.media_account.reconfirmed": _("Record re-confirmed"),
    "registry.media_account.imported": _("Imported at first registration"),
    "registry.media_account.updated": _("Record corrected by the office"),
    "registry.metrics.recorded": _("Daily figures recorded"),
}

# Labels for keys in an event's changes that are not fields of an account or a filing.
EXTRA_CHANGE_LABELS = {
    "note": _("decision note"),
    "rows": _("days"),
    "from": _("from"),
    "to": _("to"),
    "successor": _("successor account"),
    "operators": _("operators"),
}
CHANGE_CHOICES = {
    "status": dict(MediaAccountStatus.choices) | dict(FilingStatus.choices),
    "platform": dict(Platform.choices),
    "kind": dict(FilingKind.choices),
    "employment": dict(Employment.choices),
    "functions": dict(AccountFunction.choices),
}
VALUE_LENGTH = 80


def action_label(action: str):
    return ACTION_LABELS.get(action, action)


def _change_label(key: str):
    if key in EXTRA_CHANGE_LABELS:
        return EXTRA_CHANGE_LABELS[key]
    for model in (MediaAccount, Filing):
        try:
            label = getattr(model._meta.get_field(key), "verbose_name", None)
        except FieldDoesNotExist:
            continue
        if label:
            return label
    return key


# Keys whose values are ids, shown by name: the departments and accounts an event points to.
DEPARTMENT_KEYS = ("department", "parent")
ACCOUNT_KEYS = ("merged_into", "successor")


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str | None  # None: the event records only the new value
    after: str


@dataclass
class ChangeReader:
    """Turns an event's before/after data into short readable lines.

    ``phones``: whether operators' phone numbers may be shown (they are in the data of
    filings). ``names``: ``{(key, id): name}`` for the ids of ``DEPARTMENT_KEYS`` and
    ``ACCOUNT_KEYS``, looked up once for all events (see :func:`referenced_names`).
    """

    phones: bool
    names: dict[tuple[str, Any], str] = field(default_factory=dict)

    def lines(self, changes: dict[str, Any]) -> list[ChangeLine]:
        before, after = changes.get("before") or {}, changes.get("after") or {}
        lines = []
        for key, value in after.items():
            if isinstance(value, dict) and key != "operators":
                # The account filed with an open filing: its fields, one level down.
                lines.extend(self.lines({"after": value}))
            elif key in before:
                lines.append(
                    ChangeLine(
                        str(_change_label(key)), self.readable(key, before[key]), self.readable(key, value)
                    )
                )
            elif value not in (None, "", []):  # an empty new value says nothing
                lines.append(ChangeLine(str(_change_label(key)), None, self.readable(key, value)))
        return lines

    def readable(self, key: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if isinstance(value, list):
            return "、".join(self.readable(key, item) for item in value)
        if isinstance(value, dict):  # an operator
            details = [str(CHANGE_CHOICES["employment"].get(value.get("employment"), ""))]
            if self.phones:
                details.append(str(value.get("phone") or ""))
            return f"{value.get('name', '')}（{'，'.join(detail for detail in details if detail)}）"
        if (key, value) in self.names:
            return self.names[(key, value)]
        return Truncator(str(CHANGE_CHOICES.get(key, {}).get(value, value))).chars(VALUE_LENGTH)


def _referenced_ids(changes: dict[str, Any], keys: tuple[str, ...]) -> set[int]:
    found = set()
    for side in (changes.get("before") or {}, changes.get("after") or {}):
        for key, value in side.items():
            if isinstance(value, dict) and key != "operators":
                found |= _referenced_ids({"after": value}, keys)
            elif key in keys and isinstance(value, int):
                found.add(value)
    return found


def referenced_names(events: list[AuditEvent]) -> dict[tuple[str, Any], str]:
    """Names for the department and account ids in the events' changes: two queries at most."""
    department_ids = set().union(*(_referenced_ids(event.changes, DEPARTMENT_KEYS) for event in events))
    account_ids = set().union(*(_referenced_ids(event.changes, ACCOUNT_KEYS) for event in events))
    names: dict[tuple[str, Any], str] = {}
    if department_ids:
        for pk, name in Department.objects.filter(pk__in=department_ids).values_list("pk", "name"):
            names.update({(key, pk): name for key in DEPARTMENT_KEYS})
    if account_ids:
        for account in MediaAccount.objects.filter(pk__in=account_ids).only("pk", "name", "platform"):
            names.update({(key, account.pk): str(account) for key in ACCOUNT_KEYS})
    return names


@dataclass(frozen=True)
class MediaAccountDetail:
    media_account: MediaAccount
    show_phones: bool
    merged_into_visible: bool
    operators: list[Operator]
    filings: list[Filing]
    chart: dict[str, Any]
    function_labels: list[str]


def media_account_detail(user, pk: int) -> MediaAccountDetail:
    """One account with its operators, filings and activity; 404 outside the scope. (Its history is
    the page's ``{% history %}``.)"""
    account = permissions.get_visible_or_404(
        with_grade(MediaAccount.objects.select_related("department", "merged_into")), user, pk=pk
    )
    phones = can_see_operator_phones(user, account)
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
        with_grade(MediaAccount.objects.visible_to(user).filter(status__in=statuses))
        .order_by("pk")
        .only("pk", "name", "platform", "status", "department_id")
    )
    with_accounts = {account.department_id for account in accounts}
    departments = [
        department
        for department in Department.objects.visible_to(user).order_by()
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
