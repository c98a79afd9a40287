"""What awaits each user's action (待办), and the late units the office may remind (催办).

The office approves filings, decides applications, verifies closures, accepts or returns the
units' answers, and keeps after the units with anything overdue. A unit submits its
self-inspections, carries out its closure orders and answers its rectification notices.
Auditors act on nothing; they see the late units. Everything is within the user's scope, and
the counts are one query: the navigation shows their total on every page.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Func, IntegerField, Min, OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import permissions, rules
from accounts.models import User
from audits.campaigns.choices import ClosureOrderStatus, SelfInspectionStatus
from audits.campaigns.models import ClosureOrder, SelfInspection
from audits.inspections.choices import NoticeStatus
from audits.inspections.models import RectificationNotice
from audits.todo.models import Reminder
from registry.choices import FilingStatus
from registry.models import Department, Filing

# Items shown per queue on the to-do page; the page links to the list that holds the rest.
ITEMS = 10


@dataclass(frozen=True)
class TodoItem:
    """One thing to do, as the to-do page lists it."""

    title: str
    url: str
    unit: str = ""
    detail: str = ""  # what kind of item, or why it is back (returned, sent back)
    date_label: str = ""
    date: datetime.date | datetime.datetime | None = None
    overdue: bool = False


@dataclass(frozen=True)
class Queue:
    """One kind of work waiting for a role: its name, what is in it, and the list where it is done."""

    key: str
    label: str
    pending: Callable[[User, datetime.date], QuerySet]
    url_name: str
    query: str = ""
    overdue: Callable[[User, datetime.date], QuerySet] | None = None
    rows: Callable[[QuerySet, datetime.date], list[TodoItem]] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name) + (f"?{self.query}" if self.query else "")


# The office's queues -------------------------------------------------------------------------------


def _filing_rows(filings, today) -> list[TodoItem]:
    filings = filings.select_related("media_account__department").order_by("submitted_at", "pk")[:ITEMS]
    return [
        TodoItem(
            title=filing.media_account.name,
            url=reverse("filing_detail", args=[filing.pk]),
            unit=filing.media_account.department.name,
            detail=filing.get_kind_display(),
            date_label=_("Submitted"),
            date=filing.submitted_at,
        )
        for filing in filings
    ]


def _application_rows(applications, today) -> list[TodoItem]:
    # The office decides a campaign's applications together, in a meeting: one item per campaign.
    campaigns = (
        applications.values("campaign", "campaign__name")
        .annotate(count=Count("pk"), since=Min("submitted_at"))
        .order_by("since", "campaign")[:ITEMS]
    )
    return [
        TodoItem(
            title=row["campaign__name"],
            url=reverse("campaign_review", args=[row["campaign"]]),
            detail=_("%(count)d applications") % {"count": row["count"]},
            date_label=_("First submitted"),
            date=row["since"],
        )
        for row in campaigns
    ]


def _confirmed_order_rows(orders, today) -> list[TodoItem]:
    orders = orders.select_related("media_account__department").order_by("confirmed_at", "pk")[:ITEMS]
    return [
        TodoItem(
            title=order.media_account.name,
            url=reverse("closure_order_detail", args=[order.pk]),
            unit=order.media_account.department.name,
            detail=_("Merger") if order.is_merger else _("Closure"),
            date_label=_("Confirmed"),
            date=order.confirmed_at,
        )
        for order in orders
    ]


def _notice_title(notice) -> str:
    return _("Rectification notice of the inspection of %(day)s") % {"day": notice.run.inspection_date}


def _answered_notice_rows(notices, today) -> list[TodoItem]:
    notices = notices.select_related("department", "run").order_by("responded_at", "pk")[:ITEMS]
    return [
        TodoItem(
            title=_notice_title(notice),
            url=reverse("notice_detail", args=[notice.pk]),
            unit=notice.department.name,
            date_label=_("Answered"),
            date=notice.responded_at,
        )
        for notice in notices
    ]


def late_units(user, today: datetime.date | None = None) -> QuerySet:
    """The units in scope with a self-inspection, a closure order or a notice past its deadline."""
    today = today or timezone.localdate()
    return Department.objects.restrict(user, "view").filter(
        Exists(_overdue_self_inspections(today))
        | Exists(_overdue_orders(today))
        | Exists(_overdue_notices(today))
    )


def _overdue_self_inspections(today):
    return SelfInspection.objects.overdue(today).filter(media_account__department=OuterRef("pk"))


def _overdue_orders(today):
    return ClosureOrder.objects.overdue(today).filter(media_account__department=OuterRef("pk"))


def _overdue_notices(today):
    return RectificationNotice.objects.overdue(today).filter(department=OuterRef("pk"))


OFFICE_QUEUES = (
    Queue(
        key="filings",
        label=_("Filings to approve"),
        pending=lambda user, today: Filing.objects.restrict(user, "view").filter(
            status=FilingStatus.SUBMITTED
        ),
        url_name="filing_queue",
        rows=_filing_rows,
    ),
    Queue(
        key="applications",
        label=_("Applications to decide"),
        pending=lambda user, today: SelfInspection.objects.restrict(user, "view").filter(
            status=SelfInspectionStatus.SUBMITTED
        ),
        url_name="self_inspection_list",
        query=f"status={SelfInspectionStatus.SUBMITTED}",
        rows=_application_rows,
    ),
    Queue(
        key="closures",
        label=_("Closures to verify"),
        pending=lambda user, today: ClosureOrder.objects.restrict(user, "view").filter(
            status=ClosureOrderStatus.CONFIRMED
        ),
        url_name="closure_order_list",
        query=f"status={ClosureOrderStatus.CONFIRMED}",
        rows=_confirmed_order_rows,
    ),
    Queue(
        key="answers",
        label=_("Answers to accept or return"),
        pending=lambda user, today: RectificationNotice.objects.restrict(user, "view").filter(
            status=NoticeStatus.RESPONDED
        ),
        url_name="notice_list",
        query=f"status={NoticeStatus.RESPONDED}",
        rows=_answered_notice_rows,
    ),
    # Listed on the page as a table of its own, each unit with its reminder form.
    Queue(key="late_units", label=_("Units with overdue items"), pending=late_units, url_name="todo"),
)


# A unit's queues ----------------------------------------------------------------------------------


def _self_inspection_rows(inspections, today) -> list[TodoItem]:
    inspections = inspections.select_related("campaign", "media_account__department").order_by(
        "campaign__self_inspection_due", "media_account__name", "pk"
    )[:ITEMS]
    return [
        TodoItem(
            title=inspection.media_account.name,
            url=reverse("self_inspection_detail", args=[inspection.pk]),
            unit=inspection.media_account.department.name,
            detail=_("Returned for revision") if inspection.return_note else inspection.campaign.name,
            date_label=_("Due"),
            date=inspection.campaign.self_inspection_due,
            overdue=inspection.campaign.self_inspection_due < today,
        )
        for inspection in inspections
    ]


def _open_order_rows(orders, today) -> list[TodoItem]:
    orders = orders.select_related("media_account__department").order_by("deadline", "pk")[:ITEMS]
    return [
        TodoItem(
            title=order.media_account.name,
            url=reverse("closure_order_detail", args=[order.pk]),
            unit=order.media_account.department.name,
            detail=_("Sent back by the office to do again")
            if order.rejection_note
            else (_("Merger") if order.is_merger else _("Closure")),
            date_label=_("Deadline"),
            date=order.deadline,
            overdue=order.deadline < today,
        )
        for order in orders
    ]


def _open_notice_rows(notices, today) -> list[TodoItem]:
    notices = notices.select_related("department", "run").order_by("deadline", "pk")[:ITEMS]
    return [
        TodoItem(
            title=_notice_title(notice),
            url=reverse("notice_detail", args=[notice.pk]),
            unit=notice.department.name,
            detail=_("Sent back by the office to do again") if notice.return_note else "",
            date_label=_("Deadline"),
            date=notice.deadline,
            overdue=notice.deadline < today,
        )
        for notice in notices
    ]


UNIT_QUEUES = (
    Queue(
        key="self_inspections",
        label=_("Self-inspections to submit"),
        pending=lambda user, today: SelfInspection.objects.restrict(user, "view").awaiting_unit(),
        overdue=lambda user, today: SelfInspection.objects.restrict(user, "view").overdue(today),
        url_name="self_inspection_list",
        rows=_self_inspection_rows,
    ),
    Queue(
        key="closure_orders",
        label=pgettext_lazy("to-do", "Closure orders to carry out"),
        pending=lambda user, today: ClosureOrder.objects.restrict(user, "view").filter(
            status=ClosureOrderStatus.OPEN
        ),
        overdue=lambda user, today: ClosureOrder.objects.restrict(user, "view").overdue(today),
        url_name="closure_order_list",
        query=f"status={ClosureOrderStatus.OPEN}",
        rows=_open_order_rows,
    ),
    Queue(
        key="notices",
        label=_("Rectification notices to answer"),
        pending=lambda user, today: RectificationNotice.objects.restrict(user, "view").filter(
            status=NoticeStatus.OPEN
        ),
        overdue=lambda user, today: RectificationNotice.objects.restrict(user, "view").overdue(today),
        url_name="notice_list",
        query=f"status={NoticeStatus.OPEN}",
        rows=_open_notice_rows,
    ),
)


def queues_for(user) -> tuple[Queue, ...]:
    """The office's queues, a unit's, or none (auditors only read)."""
    if permissions.is_office_admin(user):
        return OFFICE_QUEUES
    if rules.is_dept_admin(user):
        return UNIT_QUEUES
    return ()


# Counting ----------------------------------------------------------------------------------------


def _count(queryset: QuerySet) -> Subquery:
    # COUNT(*) as a scalar subquery: a Func rather than Count, which would group by the outer row.
    return Subquery(
        queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n"),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class QueueCount:
    queue: Queue
    count: int
    overdue: int | None  # None where lateness is not the user's own (the office's queues)


@dataclass(frozen=True)
class TodoCounts:
    queues: list[QueueCount]

    @property
    def total(self) -> int:
        return sum(queue.count for queue in self.queues)

    @property
    def counts(self) -> dict[str, int]:
        return {queue.queue.key: queue.count for queue in self.queues}


def todo_counts(user, today: datetime.date | None = None) -> TodoCounts:
    """How much awaits ``user`` in each of their queues: one query, whatever the volume."""
    today = today or timezone.localdate()
    queues = queues_for(user)
    if not queues:
        return TodoCounts(queues=[])
    counts = {}
    for queue in queues:
        counts[f"todo_{queue.key}"] = _count(queue.pending(user, today))
        if queue.overdue is not None:
            counts[f"todo_{queue.key}_overdue"] = _count(queue.overdue(user, today))
    # The counts need a row to hang on: the user's own, which exists while they are signed in.
    row = User.objects.filter(pk=user.pk).annotate(**counts).values(*counts).first() or {}
    return TodoCounts(
        queues=[
            QueueCount(
                queue=queue,
                count=row.get(f"todo_{queue.key}") or 0,
                overdue=(row.get(f"todo_{queue.key}_overdue") or 0) if queue.overdue is not None else None,
            )
            for queue in queues
        ]
    )


# The to-do page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    queue: Queue
    count: int
    items: list[TodoItem]

    @property
    def truncated(self) -> bool:
        return len(self.items) >= ITEMS and self.count > len(self.items)


@dataclass(frozen=True)
class LateUnit:
    department: Department
    self_inspections: int
    closure_orders: int
    notices: int
    last_reminded_at: datetime.datetime | None

    def _list(self, name: str) -> str:
        return f"{reverse(name)}?overdue=true&department={self.department.pk}"

    @property
    def self_inspections_url(self) -> str:
        return self._list("self_inspection_list")

    @property
    def closure_orders_url(self) -> str:
        return self._list("closure_order_list")

    @property
    def notices_url(self) -> str:
        return self._list("notice_list")


def late_unit_rows(user, today: datetime.date | None = None) -> list[LateUnit]:
    """Each late unit in scope with its overdue items per kind and its last reminder: one query."""
    today = today or timezone.localdate()
    last_reminder = Reminder.objects.filter(department=OuterRef("pk")).order_by("-sent_at", "-pk")
    units = late_units(user, today).annotate(
        overdue_self_inspections=_count(_overdue_self_inspections(today)),
        overdue_closure_orders=_count(_overdue_orders(today)),
        overdue_notices=_count(_overdue_notices(today)),
        last_reminded_at=Subquery(last_reminder.values("sent_at")[:1]),
    )
    return [
        LateUnit(
            department=unit,
            self_inspections=unit.overdue_self_inspections,
            closure_orders=unit.overdue_closure_orders,
            notices=unit.overdue_notices,
            last_reminded_at=unit.last_reminded_at,
        )
        for unit in units
    ]


@dataclass(frozen=True)
class TodoPage:
    counts: TodoCounts
    sections: list[Section]
    late_units: list[LateUnit] | None  # None for a unit: keeping after late units is the office's job


def todo_page(user, today: datetime.date | None = None) -> TodoPage:
    """The to-do page: the counts, the first items of each queue, and the late units for those
    who see the whole district. A fixed number of queries: one per queue, plus two."""
    today = today or timezone.localdate()
    counts = todo_counts(user, today)
    sections = [
        Section(
            queue=entry.queue,
            count=entry.count,
            items=entry.queue.rows(entry.queue.pending(user, today), today) if entry.count else [],
        )
        for entry in counts.queues
        if entry.queue.rows is not None
    ]
    late = late_unit_rows(user, today) if permissions.sees_everything(user) else None
    return TodoPage(counts=counts, sections=sections, late_units=late)
