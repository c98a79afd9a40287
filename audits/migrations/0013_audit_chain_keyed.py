"""The trail's chain becomes an HMAC under AUDIT_TRAIL_KEY (issue 11, item 4): the events sealed
with the plain hash before are checked and sealed again with the key, so existing trails keep
verifying. A chain that does not check out is not sealed again: that would launder a rewrite."""

import hashlib

from django.db import migrations

TRIGGER = "audits_auditevent_append_only"


def _toggle_trigger(schema_editor, state):
    # The owner running migrations may; the application's role may not (docs/operations.md).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE", params=None)
        schema_editor.execute(f"ALTER TABLE audits_auditevent {state} TRIGGER {TRIGGER}", params=None)


def seal_with_the_key(apps, schema_editor):
    from audits.trail.services import event_content, event_digest

    AuditEvent = apps.get_model("audits", "AuditEvent")
    AuditChainHead = apps.get_model("audits", "AuditChainHead")
    events = AuditEvent.objects.order_by("pk")
    if not events.exists():
        return
    _toggle_trigger(schema_editor, "DISABLE")
    old_previous, previous, last_id = "", "", None
    for event in events.iterator():
        # Sealed by 0006 with the plain hash, or already with the key (0006 run by this code).
        plain = hashlib.sha256(event_content(event, old_previous)).hexdigest()
        keyed = event_digest(event, old_previous)
        if event.prev_hash != old_previous or event.hash not in (plain, keyed):
            raise RuntimeError(
                f"Audit event {event.pk} does not match the trail's chain: it was changed or removed "
                "before the chain was keyed. Restore the trail from a backup, then migrate."
            )
        old_previous = event.hash
        event.prev_hash = previous
        event.hash = previous = event_digest(event, previous)
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        last_id = event.pk
    _toggle_trigger(schema_editor, "ENABLE")
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": previous, "last_event_id": last_id})


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0012_self_inspections_in_official_order"),
    ]

    operations = [
        migrations.RunPython(seal_with_the_key, migrations.RunPython.noop),
    ]
