"""Writing the audit trail. Every service that changes something calls :func:`record`."""

import datetime
import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from audits.trail import actions, context
from audits.trail.models import AuditChainHead, AuditEvent


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The instance's field values as plain data (foreign keys as ids), for before/after records."""
    data = model_to_dict(instance, fields=list(fields) if fields is not None else None)
    for field in instance._meta.concrete_fields:
        if field.name in data and isinstance(field, models.ForeignKey):
            data[field.name] = getattr(instance, field.attname)
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Only what changed, as ``{"before": {...}, "after": {...}}``."""
    changed = [key for key in after if before.get(key) != after.get(key)]
    return {
        "before": {key: before.get(key) for key in changed},
        "after": {key: after.get(key) for key in changed},
    }


def _department_id_of(target: models.Model | None) -> int | None:
    if target is None:
        return None
    if target._meta.label == "registry.Department":
        return target.pk
    if hasattr(target, "department_id"):
        return target.department_id
    media_account = getattr(target, "media_account", None)
    return media_account.department_id if media_account is not None else None


def _event(action, *, actor, target, department_id, changes) -> AuditEvent:
    declared = actions.check(action, target)
    request = context.current()
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=actor.get_username() if actor is not None and actor.is_authenticated else "",
        action=action,
        # Without an object (a name no user has), the event still says what kind it concerns.
        object_type=declared.kind,
        object_id=str(target.pk) if target is not None else "",
        object_repr=str(target)[:200] if target is not None else "",
        department_id=department_id if department_id is not None else _department_id_of(target),
        changes=_plain(changes),
        ip=request.ip if request else None,
        request_id=request.request_id if request else "",
    )


def _plain(changes: dict[str, Any] | None) -> dict[str, Any]:
    # Stored and hashed exactly as it will be read back from the JSON column.
    return json.loads(json.dumps(changes or {}, cls=DjangoJSONEncoder))


def event_content(event: AuditEvent, prev_hash: str) -> bytes:
    """What an event's digest covers: its content and the previous event's digest, canonically."""
    content = {
        "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_id,
        "actor_name": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "department": event.department_id,
        "changes": event.changes,
        "ip": event.ip,
        "request_id": event.request_id,
        "prev": prev_hash,
    }
    text = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    )
    return text.encode()


def event_digest(event: AuditEvent, prev_hash: str, *, key: str | None = None) -> str:
    """The HMAC of an event's content chained to the previous event's digest, under the trail's key
    (``AUDIT_TRAIL_KEY``, kept outside the database): without the key no one can re-seal a
    rewritten trail."""
    secret = (settings.AUDIT_TRAIL_KEY if key is None else key).encode()
    return hmac.new(secret, event_content(event, prev_hash), hashlib.sha256).hexdigest()


def seal(events: list[AuditEvent]) -> None:
    """Chain and insert events, in one short step under the lock of the chain's head.

    Called as a transaction commits (``audits.trail.db``) with the events it recorded, after every lock
    the transaction took of its own, so the head is the last lock of any writer and held for this
    step alone. The ids are drawn under the lock, so the chain follows the order of the ids.
    """
    with transaction.atomic():
        AuditChainHead.objects.get_or_create(pk=1)  # a new database has none yet
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        previous = head.last_hash
        for event in events:
            event.prev_hash = previous
            event.hash = previous = event_digest(event, previous)
        if len(events) == 1:
            events[0].save()
        else:
            AuditEvent.objects.bulk_create(events, batch_size=500)
        head.last_hash = previous
        head.last_event_id = events[-1].pk
        head.save(update_fields=["last_hash", "last_event_id"])


def record(
    action: str,
    *,
    actor=None,
    target: models.Model | None = None,
    department_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event: ``actor`` did ``action`` (e.g. ``registry.filing.approved``) to ``target``.

    ``action`` must be declared in ``audits.trail.actions``, for ``target``'s kind of object. ``actor`` is
    ``None`` for the system (scheduled jobs). The department defaults to the target's own, so
    department administrators see the events of their units.

    Inside a transaction the event is written as it commits (:func:`seal`), and only if it does;
    outside one, at once. Either way it has its id and digest once written, not before.
    """
    event = _event(action, actor=actor, target=target, department_id=department_id, changes=changes)
    _append([event])
    return event


def _append(events: list[AuditEvent]) -> None:
    connection = transaction.get_connection()
    if connection.defers_the_trail():
        under = tuple(connection.savepoint_ids)  # a rollback to one of them drops the events
        connection.trail_pending.extend((event, under) for event in events)
    else:
        seal(events)


def record_many(action: str, *, actor=None, items: Iterable[tuple[models.Model, dict[str, Any]]]) -> int:
    """Append one event per ``(target, changes)`` pair in a single insert, for bulk services."""
    actions.get(action)  # refused even when there is nothing to record this time
    events = [
        _event(action, actor=actor, target=target, department_id=None, changes=changes)
        for target, changes in items
    ]
    if events:
        _append(events)
    return len(events)


def anchor_path(folder: Path, day: datetime.date) -> Path:
    """The day's anchor file: one a day, so an operator ships, rotates and seals whole days."""
    return folder / f"trail-{day:%Y-%m-%d}.log"


def trail_anchor() -> dict[str, Any] | None:
    """Append the chain's head (the newest event's id and digest, and the time) to the day's anchor
    file in ``AUDIT_ANCHOR_DIR``; ``None`` while the trail is empty.

    The anchor is kept apart from the database, so a rewrite of events up to the head, even by
    someone who has the trail's key, no longer matches it (``verify_audit_trail``). The files are
    only ever appended to: opened with ``O_APPEND``, one line in one write, never truncated.
    """
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is None or head.last_event_id is None:
        return None
    now = timezone.now()
    anchor = {"event": head.last_event_id, "digest": head.last_hash, "at": now.isoformat()}
    folder = Path(settings.AUDIT_ANCHOR_DIR)
    folder.mkdir(parents=True, exist_ok=True)
    line = (json.dumps(anchor, separators=(",", ":")) + "\n").encode()
    descriptor = os.open(
        anchor_path(folder, timezone.localdate(now)), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640
    )
    try:
        os.write(descriptor, line)
        os.fsync(descriptor)  # an anchor lost to a crash would leave its hour unguarded
    finally:
        os.close(descriptor)
    return anchor
