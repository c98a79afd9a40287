"""Reads of the audit trail: the events a user may see, readable, and the chain's check.

An event is read the way the office speaks: its action by the label declared in ``audits.trail.actions``,
its object by its name under the label of its kind, and its data (before/after) line by line, each
key by the verbose name of the field it records and each value by its choice's label, the name of
the object its id points to, or a link to the file it names. The trail page, its exports, the API's
labels and every object's history all read events here.
"""

import collections
import datetime
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from accounts import permissions
from audits.inspections.choices import RuleCode
from audits.inspections.forms import threshold_label
from audits.inspections.models import InspectionRule
from audits.trail import actions
from audits.trail.models import AuditChainHead, AuditEvent
from audits.trail.services import event_digest
from registry.choices import AccountFunction, DepartmentKind, Employment, Platform
from registry.models import Department

HISTORY_LIMIT = 20
VALUE_LENGTH = 80


@dataclass(frozen=True)
class DataKey:
    """What one key of an event's data means: its label, and how its values read."""

    label: Any
    choices: Mapping[Any, Any] = field(default_factory=dict)
    model: type[models.Model] | None = None  # its values are ids of these objects (or a snapshot of one)
    form: str = ""  # how a structured value reads: see ``EventReader``


# Keys of events' data that are no field of the object the event concerns (or a JSON field, whose
# values the model does not describe). An action may name them more closely (``Action.data``).
DATA_KEYS = {
    "note": DataKey(pgettext_lazy("audit trail", "note")),
    "reason": DataKey(_("reason")),
    "rows": DataKey(_("days")),
    "from": DataKey(_("from")),
    "to": DataKey(_("to")),
    "failures": DataKey(_("failed sign-ins")),
    "locked_until": DataKey(_("locked until"), form="datetime"),
    "ip": DataKey(_("IP address")),
    "time": DataKey(_("daily run time")),
    "operators": DataKey(_("operators"), form="operators"),
    "functions": DataKey(_("functions"), choices=dict(AccountFunction.choices)),
    "scope": DataKey(_("scope"), form="nested"),
    "department_kinds": DataKey(_("department kinds"), choices=dict(DepartmentKind.choices)),
    "platforms": DataKey(_("platforms"), choices=dict(Platform.choices)),
    "departments": DataKey(_("departments"), model=Department),
    # An upload's accounts, as many as 10,000 ids: read as their number, the list is in the data.
    "media_accounts": DataKey(_("accounts"), form="count"),
    "counts": DataKey(_("counts"), form="rule_counts"),
    "thresholds": DataKey(_("thresholds"), form="thresholds"),
}
EMPLOYMENT = dict(Employment.choices)
# Objects whose own text (``str()``) is not what the office calls them.
OBJECT_NAMES = {"django_celery_beat.periodictask": _("Daily inspection schedule")}
# Where the file an object's event names can be opened, by those who may see the object.
FILE_VIEWS = {"audits.closureorder": "closure_order_evidence"}
MISSING = object()


def _own_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        found = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return found if found.concrete else None


def _field_key(found: models.Field, extra: DataKey | None) -> DataKey:
    if extra is not None and isinstance(found, models.JSONField):
        return replace(extra, label=found.verbose_name)
    form = ""
    if isinstance(found, models.FileField):
        form = "file"
    elif isinstance(found, models.DateTimeField):
        form = "datetime"
    return DataKey(
        label=found.verbose_name,
        choices=dict(found.flatchoices) if found.choices else {},
        model=found.related_model if found.is_relation else None,
        form=form,
    )


@cache
def data_key(action: str, model: type[models.Model] | None, name: str) -> DataKey:
    """What ``name`` means in the data of ``action``'s events about a ``model``: the object's field of
    that name; else the trail's name for it; else a field of an object it belongs to (a filing's
    proposed changes are fields of its account)."""
    own = _own_field(model, name)
    if own is not None:
        key = _field_key(own, DATA_KEYS.get(name))
    elif name in DATA_KEYS:
        key = DATA_KEYS[name]
    else:
        related = (
            _own_field(found.related_model, name)
            for found in (model._meta.concrete_fields if model is not None else ())
            if found.many_to_one and found.related_model is not model
        )
        key = next((_field_key(found, None) for found in related if found is not None), DataKey(name))
    declared = actions.ACTIONS.get(action)
    if declared is not None and name in declared.data:
        key = replace(key, label=declared.data[name])
    return key


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [item for item in values if isinstance(item, int) and not isinstance(item, bool)]


@dataclass(frozen=True)
class ChangeLine:
    label: str
    before: str | None  # None: the event records only the new value
    after: str
    url: str = ""  # where the value can be opened (a closure's screenshot)


@dataclass
class EventReader:
    """Turns events' before/after data into short readable lines.

    ``objects``: ``{(model, id): object}`` for the ids the data points to, looked up once for a batch
    of events (see :func:`referenced_objects`). ``phones``: whether operators' phone numbers may be
    shown (they are in the data of filings).
    """

    objects: dict[tuple[type[models.Model], int], models.Model]
    phones: bool

    def lines(self, event: AuditEvent) -> list[ChangeLine]:
        data = event.changes or {}
        return self._lines(
            event, actions.kind_model(event.object_type), data.get("before") or {}, data.get("after") or {}
        )

    def _lines(self, event, model, before: dict, after: dict) -> list[ChangeLine]:
        lines = []
        for name in [*after, *(name for name in before if name not in after)]:
            key = data_key(event.action, model, name)
            old, new = before.get(name, MISSING), after.get(name, MISSING)
            if key.form == "rule_counts":
                lines.extend(self._rule_counts(new if isinstance(new, dict) else {}))
            elif key.form == "thresholds":
                lines.extend(self._thresholds(event, old, new))
            elif isinstance(new, dict) and (key.form == "nested" or key.model is not None):
                # A snapshot one level down: the account filed with an open filing, a campaign's scope.
                lines.extend(
                    self._lines(event, key.model or model, old if isinstance(old, dict) else {}, new)
                )
            elif key.form == "file" and new not in (MISSING, None, ""):
                lines.append(self._file(event, key, new))
            elif old is not MISSING and new is not MISSING:
                lines.append(ChangeLine(str(key.label), self.text(key, old), self.text(key, new)))
            elif new is not MISSING:
                if new not in (None, "", []):  # an empty new value says nothing
                    lines.append(ChangeLine(str(key.label), None, self.text(key, new)))
            elif old not in (None, "", []):  # only the value that was (a lifted lock's)
                lines.append(ChangeLine(str(key.label), self.text(key, old), "—"))
        return lines

    def text(self, key: DataKey, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if key.form == "count" and isinstance(value, list):
            return ngettext("%(count)s account", "%(count)s accounts", len(value)) % {
                "count": f"{len(value):,}"
            }
        if isinstance(value, list):
            return "、".join(self.text(key, item) for item in value)
        if key.form == "operators" and isinstance(value, dict):
            details = [str(EMPLOYMENT.get(value.get("employment"), ""))]
            if self.phones:
                details.append(str(value.get("phone") or ""))
            return f"{value.get('name', '')}（{'，'.join(detail for detail in details if detail)}）"
        if key.form == "datetime" and isinstance(value, str):
            try:
                moment = datetime.datetime.fromisoformat(value)
            except ValueError:
                return value
            if timezone.is_naive(moment):
                return value
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
        if key.model is not None and (key.model, value) in self.objects:
            return str(self.objects[(key.model, value)])
        return Truncator(str(key.choices.get(value, value))).chars(VALUE_LENGTH)

    def _file(self, event, key: DataKey, name: str) -> ChangeLine:
        view = FILE_VIEWS.get(event.object_type)
        if view is None or not event.object_id.isdigit():
            return ChangeLine(str(key.label), None, name.rsplit("/", 1)[-1])
        return ChangeLine(
            str(key.label), None, str(_("Open the screenshot")), reverse(view, args=[event.object_id])
        )

    def _rule_counts(self, counts: dict) -> list[ChangeLine]:
        """A run's figures, rule by rule in the rules' order, for the rules that found anything."""
        titles = dict(RuleCode.choices)
        lines = []
        for code in [
            *(code for code in titles if code in counts),
            *(code for code in counts if code not in titles),
        ]:
            figures = {name: (counts[code] or {}).get(name, 0) for name in ("open", "opened", "resolved")}
            if any(figures.values()):
                text = _("%(open)s open (%(opened)s new), %(resolved)s resolved") % figures
                lines.append(ChangeLine(str(titles.get(code, code)), None, str(text)))
        return lines

    def _thresholds(self, event, old: Any, new: Any) -> list[ChangeLine]:
        old = old if isinstance(old, dict) else {}
        new = new if isinstance(new, dict) else {}
        rule = self.objects.get((InspectionRule, int(event.object_id))) if event.object_id.isdigit() else None
        plain = DataKey("")
        return [
            ChangeLine(
                str(threshold_label(rule.code, name) if rule is not None else name),
                self.text(plain, old[name]) if name in old else None,
                self.text(plain, new.get(name)),
            )
            for name in dict.fromkeys([*new, *old])
            if old.get(name, MISSING) != new.get(name, MISSING)
        ]


def _references(action: str, model, data: Any, found: dict[type[models.Model], set[int]]) -> None:
    if not isinstance(data, dict):
        return
    for name, value in data.items():
        key = data_key(action, model, name)
        if isinstance(value, dict) and (key.form == "nested" or key.model is not None):
            _references(action, key.model or model, value, found)
        elif key.model is not None:
            found.setdefault(key.model, set()).update(_ids(value))


def referenced_objects(events: list[AuditEvent]) -> dict[tuple[type[models.Model], int], models.Model]:
    """The objects whose ids the events' data holds (and the rules whose thresholds changed): one
    query per kind of object, whatever the number of events."""
    found: dict[type[models.Model], set[int]] = {}
    for event in events:
        model = actions.kind_model(event.object_type)
        data = event.changes or {}
        for side in (data.get("before"), data.get("after")):
            _references(event.action, model, side, found)
        if model is InspectionRule and event.object_id.isdigit():
            found.setdefault(InspectionRule, set()).add(int(event.object_id))
    objects = {}
    for model, ids in found.items():
        if ids:
            # Each object's name may read its own related objects (an application names its account).
            for obj in model._default_manager.filter(pk__in=ids).select_related():
                objects[(model, obj.pk)] = obj
    return objects


@dataclass(frozen=True)
class TrailRow:
    event: AuditEvent
    label: str  # the action's
    kind: str  # the label of the kind of object the event concerns
    object_name: str
    changes: list[ChangeLine]


def object_name(event: AuditEvent) -> str:
    """What the office calls the event's object: its text when the event was recorded."""
    return str(OBJECT_NAMES.get(event.object_type, event.object_repr))


def visible_events(user):
    return AuditEvent.objects.restrict(user, "view").select_related("department").order_by("-at", "-pk")


def trail_rows(user, events: Iterable[AuditEvent]) -> list[TrailRow]:
    """The events, readable (a query per kind of object their data points to). Operators' phone
    numbers only for those who may act for the event's unit."""
    events = list(events)
    objects = referenced_objects(events)
    with_phones = EventReader(objects, phones=True)
    without_phones = EventReader(objects, phones=False)
    rows = []
    for event in events:
        reader = (
            with_phones if permissions.can_see_operator_phones(user, event.department_id) else without_phones
        )
        rows.append(
            TrailRow(
                event,
                str(actions.label(event.action)),
                str(actions.kind_label(event.object_type)),
                object_name(event),
                reader.lines(event),
            )
        )
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
    decisions, say; an object or a list of them each) that the user may see: a query for the events and
    one per kind of object their data points to."""
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


@dataclass(frozen=True)
class Anchor:
    """A head of the chain as the anchoring job wrote it outside the database."""

    event_id: int
    digest: str
    at: str
    source: str  # file and line, for the operator to look up


class AnchorFileError(Exception):
    """An anchor file holds something that is not an anchor: the files were edited."""


def read_anchors(folder: Path | None = None) -> list[Anchor]:
    """Every anchor in ``AUDIT_ANCHOR_DIR``, oldest file first (none when the folder is missing)."""
    folder = Path(settings.AUDIT_ANCHOR_DIR if folder is None else folder)
    anchors = []
    for path in sorted(folder.glob("trail-*.log")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            source = f"{path.name}:{number}"
            try:
                data = json.loads(line)
                anchors.append(Anchor(int(data["event"]), str(data["digest"]), str(data["at"]), source))
            except (ValueError, KeyError, TypeError):
                raise AnchorFileError(f"{source} is not an anchor (the anchor files were edited)") from None
    return anchors


def verify_chain(
    batch_size: int = 2000, anchors: list[Anchor] | None = None
) -> tuple[int, ChainBreak | None]:
    """Walk the trail in id order against its key and its anchors (``read_anchors()`` unless
    given); returns how many events matched and the first break, if any.

    The key catches a rewrite by anyone without it; the anchors, kept apart from the database, catch
    a rewrite of anchored events even by someone with the key, and a trail cut back before its last
    anchor."""
    by_event: dict[int, list[Anchor]] = {}
    for anchor in read_anchors() if anchors is None else anchors:
        by_event.setdefault(anchor.event_id, []).append(anchor)
    awaited = collections.deque(sorted(by_event))  # anchored ids not reached yet, in the walk's order
    previous, checked, last_id = "", 0, None
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=batch_size):
        if awaited and awaited[0] < event.pk:
            anchor = by_event[awaited[0]][0]
            return checked, ChainBreak(
                anchor.event_id, f"it was anchored ({anchor.source}, {anchor.at}) and has been removed"
            )
        if event.prev_hash != previous:
            return checked, ChainBreak(
                event.pk,
                "its link to the previous event does not match (an event before it was removed or changed)",
            )
        if event.hash != event_digest(event, previous):
            return checked, ChainBreak(
                event.pk, "its content does not match its keyed digest (it was changed or re-sealed)"
            )
        for anchor in by_event.get(event.pk, ()):
            if anchor.digest != event.hash:
                return checked, ChainBreak(
                    event.pk,
                    f"its digest differs from its anchor ({anchor.source}, {anchor.at}): "
                    "the trail was rewritten up to here",
                )
        if awaited and awaited[0] == event.pk:
            awaited.popleft()
        previous, last_id = event.hash, event.pk
        checked += 1
    if awaited:
        anchor = by_event[awaited[-1]][-1]
        return checked, ChainBreak(
            anchor.event_id,
            f"the trail ends at event {last_id}, before this event anchored at {anchor.at} "
            f"({anchor.source}): the newest events were removed",
        )
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_hash, head.last_event_id) != (previous, last_id):
        return checked, ChainBreak(head.last_event_id, "the newest events were removed")
    return checked, None
