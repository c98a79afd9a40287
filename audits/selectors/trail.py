"""Reads of the audit trail."""

from dataclasses import dataclass

from audits.models import AuditEvent
from audits.models.trail import AuditChainHead
from audits.services.trail import event_digest


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
