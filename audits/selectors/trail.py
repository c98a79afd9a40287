"""Reads of the audit trail: the events a user may see, readable, and the chain's check."""

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db import models
from django.db.models import Q
from django.urls import reverse

from accounts import permissions
from audits.models import AuditEvent
from audits.models.trail import AuditChainHead
from audits.services.trail import event_digest
from registry.selectors import ChangeLine, ChangeReader, action_label, referenced_names

HISTORY_LIMIT = 20


@dataclass(frozen=True)
class TrailRow:
    event: AuditEvent
    label: str
    changes: list[ChangeLine]


def visible_events(user):
    return AuditEvent.objects.visible_to(user).select_related("department").order_by("-at", "-pk")


def trail_rows(user, events: Iterable[AuditEvent]) -> list[TrailRow]:
    """The events with their action's label and their changes as lines (two queries at most for the
    names of the departments and accounts the changes point to). Operators' phone numbers only for
    those who may act for the event's unit."""
    events = list(events)
    names = referenced_names(events)
    with_phones = ChangeReader(phones=True, names=names)
    without_phones = ChangeReader(phones=False, names=names)
    rows = []
    for event in events:
        reader = (
            with_phones if permissions.can_act_for_department(user, event.department_id) else without_phones
        )
        rows.append(TrailRow(event, str(action_label(event.action)), reader.lines(event.changes)))
    return rows


@dataclass(frozen=True)
class History:
    """An object's own events, newest first, as its page shows them."""

    rows: list[TrailRow]
    more: bool  # older events than these exist: the trail page, filtered to the object, has them all
    trail_url: str
    target_type: str  # the object's own key, which tells its events from those of related objects
    target_id: str


def object_history(
    user, target: models.Model, *related: models.Model | Iterable[models.Model] | None
) -> History:
    """The newest events of ``target`` and of ``related`` objects shown on its page (a self-inspection's
    decisions, say; an object or a list of them each) that the user may see: three queries at most."""
    objects = [target]
    for item in related:
        if isinstance(item, models.Model):
            objects.append(item)
        elif item is not None:
            objects.extend(item)
    keys = Q()
    for obj in objects:
        keys |= Q(object_type=obj._meta.label_lower, object_id=str(obj.pk))
    events = list(visible_events(user).filter(keys)[: HISTORY_LIMIT + 1])
    query = urlencode({"object_type": target._meta.label_lower, "object_id": target.pk})
    return History(
        rows=trail_rows(user, events[:HISTORY_LIMIT]),
        more=len(events) > HISTORY_LIMIT,
        trail_url=f"{reverse('audit_event_list')}?{query}",
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
    )


@dataclass(frozen=True)
class ChainBreak:
    event_id: int | None
    reason: str


def verify_chain(batch_size: int = 2000) -> tuple[int, ChainBreak | None]:
    """Walk the trail in id order; returns how many events matched and the first break, if any."""
    previous, checked, last_id = "", 0, None
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=batch_size):
        if event.prev_hash != previous:
            return checked, ChainBreak(
                event.pk,
                "its link to the previous event does not match (an event before it was removed or changed)",
            )
        if event.hash != event_digest(event, previous):
            return checked, ChainBreak(event.pk, "its content does not match its hash (it was changed)")
        previous, last_id = event.hash, event.pk
        checked += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash, head.last_event_id) != (previous, last_id):
        return checked, ChainBreak(head.last_event_id, "the newest events were removed")
    return checked, None
