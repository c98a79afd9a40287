"""The trail is tamper-evident: any change or removal breaks the hash chain (issue 6), and the hourly
job anchors its head outside the database (issue 11)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from audits.trail.models import AuditEvent
from audits.trail.selectors import read_anchors, verify_chain
from audits.trail.services import record, record_many
from audits.trail.tasks import anchor_audit_trail
from tests.database_roles import as_database_owner
from tests.trail import raw, tamper


@pytest.fixture
def trail(test_actions, office_admin, department_a, department_b):
    record("test.other", actor=office_admin, target=department_a, changes={"after": {"x": 1}})
    record_many("test.many", actor=office_admin, items=[(department_a, {"n": 1}), (department_b, {"n": 2})])
    return list(AuditEvent.objects.order_by("pk"))


def test_it_chains_every_event_to_the_one_before(trail):
    events = list(AuditEvent.objects.order_by("pk"))
    assert all(later.prev_hash == earlier.hash for earlier, later in zip(events, events[1:], strict=False))
    assert verify_chain() == (len(events), None)


def test_it_passes_the_command_on_an_intact_trail(trail, capsys):
    call_command("verify_audit_trail")
    assert "intact" in capsys.readouterr().out


def test_it_names_the_first_changed_event(trail):
    changed = trail[-2]
    tamper(("UPDATE audits_auditevent SET action = %s WHERE id = %s", ["test.forged", changed.pk]))
    with pytest.raises(CommandError, match=f"event {changed.pk}"):
        call_command("verify_audit_trail")


def test_it_notices_a_removed_event(trail):
    removed = trail[-2]
    tamper(("DELETE FROM audits_auditevent WHERE id = %s", [removed.pk]))
    _checked, broken = verify_chain()
    assert broken is not None and broken.event_id == trail[-1].pk


def test_it_notices_the_newest_events_removed(trail):
    tamper(("DELETE FROM audits_auditevent WHERE id = %s", [trail[-1].pk]))
    _checked, broken = verify_chain()
    assert broken is not None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_it_has_postgresql_refuse_changes_and_deletions(trail):
    # Even the table's owner, who may write any table, is refused (the application's role is refused
    # sooner, by its rights: tests/security/test_trail_tampering.py).
    for sql in (
        "UPDATE audits_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audits_auditevent WHERE id = %s",
    ):
        with as_database_owner(), pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            raw(sql, [trail[0].pk])
    assert verify_chain()[1] is None


def test_it_anchors_the_head_by_appending_to_the_days_file(trail, settings, office_admin, department_a):
    assert anchor_audit_trail() == trail[-1].pk
    (path,) = Path(settings.AUDIT_ANCHOR_DIR).glob("trail-*.log")
    first = path.read_text()
    newest = record("test.other", actor=office_admin, target=department_a)
    assert anchor_audit_trail() == newest.pk
    text = path.read_text()
    assert text.startswith(first) and text.count("\n") == 2  # appended, the earlier line untouched
    assert [anchor.event_id for anchor in read_anchors()] == [trail[-1].pk, newest.pk]
    assert [anchor.digest for anchor in read_anchors()] == [trail[-1].hash, newest.hash]
    assert verify_chain() == (len(trail) + 1, None)


def test_it_anchors_nothing_while_the_trail_is_empty(db, settings):
    assert anchor_audit_trail() is None
    assert not Path(settings.AUDIT_ANCHOR_DIR).exists() or not any(Path(settings.AUDIT_ANCHOR_DIR).iterdir())


def test_it_anchors_the_trail_every_hour(settings):
    (entry,) = [
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == anchor_audit_trail.name
    ]
    assert entry["schedule"].minute == {0} and len(entry["schedule"].hour) == 24


# A transaction's events are written as it commits (audits/trail/db), after its own row locks: real
# transactions here, which a test wrapped in one would never commit.


def _recorded() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("action", flat=True))


@pytest.mark.django_db(transaction=True)
def test_it_writes_a_transactions_events_as_it_commits(test_actions, office_admin, department_a):
    with transaction.atomic():
        record("test.thing.created", actor=office_admin, target=department_a)
        record_many("test.many", actor=office_admin, items=[(department_a, {"n": 1})])
        assert "test.thing.created" not in _recorded()  # nothing holds the trail's head yet

    assert _recorded()[-2:] == ["test.thing.created", "test.many"]
    assert verify_chain() == (AuditEvent.objects.count(), None)


@pytest.mark.django_db(transaction=True)
def test_it_writes_no_event_of_a_transaction_that_rolls_back(test_actions, office_admin, department_a):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        record("test.thing.created", actor=office_admin, target=department_a)
        1 / 0  # noqa: B018

    assert "test.thing.created" not in _recorded()
    record("test.other", actor=office_admin, target=department_a)  # and the next one is not stuck behind it
    assert _recorded()[-1] == "test.other"
    assert verify_chain() == (AuditEvent.objects.count(), None)


@pytest.mark.django_db(transaction=True)
def test_it_drops_the_events_of_a_savepoint_rolled_back(test_actions, office_admin, department_a):
    with transaction.atomic():
        record("test.thing.created", actor=office_admin, target=department_a)
        with pytest.raises(ZeroDivisionError), transaction.atomic():
            record("test.many", actor=office_admin, target=department_a)
            1 / 0  # noqa: B018
        record("test.other", actor=office_admin, target=department_a)

    assert [action for action in _recorded() if action.startswith("test.")] == [
        "test.thing.created",
        "test.other",
    ]
    assert verify_chain() == (AuditEvent.objects.count(), None)
