"""The trail is tamper-evident: any change or removal breaks the hash chain (issue 6)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audits.models import AuditEvent
from audits.selectors.trail import verify_chain
from audits.services.trail import record, record_many


@pytest.fixture
def trail(test_actions, office_admin, department_a, department_b):
    record("test.other", actor=office_admin, target=department_a, changes={"after": {"x": 1}})
    record_many("test.many", actor=office_admin, items=[(department_a, {"n": 1}), (department_b, {"n": 2})])
    return list(AuditEvent.objects.order_by("pk"))


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _tamper(sql, params):
    """Change the table behind the code's back, as someone with database access could; on
    PostgreSQL that takes switching the append-only trigger off first."""
    if connection.vendor != "postgresql":
        return _raw(sql, params)
    with transaction.atomic():
        # Key checks are deferred to the commit; ALTER TABLE wants none pending.
        _raw("SET CONSTRAINTS ALL IMMEDIATE", [])
        _raw("ALTER TABLE audits_auditevent DISABLE TRIGGER audits_auditevent_append_only", [])
        _raw(sql, params)
        _raw("SET CONSTRAINTS ALL IMMEDIATE", [])
        _raw("ALTER TABLE audits_auditevent ENABLE TRIGGER audits_auditevent_append_only", [])


def test_it_chains_every_event_to_the_one_before(trail):
    events = list(AuditEvent.objects.order_by("pk"))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    assert verify_chain() == (len(events), None)


def test_it_passes_the_command_on_an_intact_trail(trail, capsys):
    call_command("verify_audit_trail")
    assert "intact" in capsys.readouterr().out


def test_it_names_the_first_changed_event(trail):
    changed = trail[-2]
    _tamper("UPDATE audits_auditevent SET action = %s WHERE id = %s", ["test.forged", changed.pk])
    with pytest.raises(CommandError, match=f"event {changed.pk}"):
        call_command("verify_audit_trail")


def test_it_notices_a_removed_event(trail):
    removed = trail[-2]
    _tamper("DELETE FROM audits_auditevent WHERE id = %s", [removed.pk])
    _checked, broken = verify_chain()
    assert broken is not None and broken.event_id == trail[-1].pk


def test_it_notices_the_newest_events_removed(trail):
    _tamper("DELETE FROM audits_auditevent WHERE id = %s", [trail[-1].pk])
    _checked, broken = verify_chain()
    assert broken is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_it_has_postgresql_refuse_changes_and_deletions(trail):
    for sql in (
        "UPDATE audits_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audits_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _raw(sql, [trail[0].pk])
    assert verify_chain()[1] is None
