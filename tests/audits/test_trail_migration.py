"""Trails sealed before the chain had a key keep verifying: migration audits.0013 checks each old
chain and seals it again under AUDIT_TRAIL_KEY, and refuses one that does not check out rather than
launder it (issue 11, item 4)."""

import hashlib

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audits.trail.selectors import verify_chain
from audits.trail.services import event_content
from tests.trail import tamper

# Migrations are the database owner's (tests/database_roles.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_owner")]

BEFORE = ("audits", "0012_self_inspections_in_official_order")


def _unkeyed_trail(count: int) -> list:
    """Events chained with the plain SHA-256 of before the key, on the schema of before it."""
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    old = executor.loader.project_state([BEFORE]).apps
    AuditEvent, AuditChainHead = (
        old.get_model("audits", "AuditEvent"),
        old.get_model("audits", "AuditChainHead"),
    )
    previous, events = "", []
    for number in range(count):
        event = AuditEvent(
            at=timezone.now(), action="test.old", object_type="registry.department", changes={"n": number}
        )
        event.prev_hash = previous
        event.hash = previous = hashlib.sha256(event_content(event, previous)).hexdigest()
        event.save()
        events.append(event)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": previous, "last_event_id": event.pk})
    return events


def _migrate_to_the_latest():
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_it_seals_an_old_trail_again_with_the_key(settings):
    settings.AUDIT_TRAIL_KEY = "the-sites-own-key-kept-outside-the-database"
    old = _unkeyed_trail(4)
    _migrate_to_the_latest()
    assert verify_chain() == (4, None)
    from audits.trail.models import AuditEvent

    assert not set(AuditEvent.objects.values_list("hash", flat=True)) & {event.hash for event in old}


def test_it_refuses_to_seal_an_old_trail_that_was_changed():
    old = _unkeyed_trail(4)
    tamper(("UPDATE audits_auditevent SET action = %s WHERE id = %s", ["test.forged", old[1].pk]))
    with pytest.raises(RuntimeError, match=f"Audit event {old[1].pk} does not match"):
        _migrate_to_the_latest()
    tamper(("UPDATE audits_auditevent SET action = %s WHERE id = %s", ["test.old", old[1].pk]))
    _migrate_to_the_latest()
    assert verify_chain() == (4, None)
