"""A trail that a database writer can rewrite (issue 11, item 4).

The attack: someone who can write the database deletes an event, alters the one before it, and seals
the whole chain again with the project's own digest function, so that every link matches. The chain
is an HMAC under ``AUDIT_TRAIL_KEY``, which lives outside the database and is not ``SECRET_KEY``, so
without the key the re-sealed trail no longer verifies; with the key, the anchors the hourly job
wrote outside the database still disagree with a rewrite of anchored events, or with a trail cut
back before its last anchor. On PostgreSQL the application's own role may not rewrite events at all.
"""

import os
import secrets
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from audits.trail import services as trail_services
from audits.trail.models import AuditChainHead, AuditEvent
from audits.trail.services import event_digest, record
from tests import database_roles
from tests.database_roles import as_database_owner
from tests.trail import raw, tamper

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DEVELOPMENT_KEY = "dev-insecure-audit-trail-key-do-not-use-in-production"


@pytest.fixture(autouse=True)
def site_key(settings):
    """The site's key, as production has it: its own secret, in the environment or a file."""
    settings.AUDIT_TRAIL_KEY = secrets.token_urlsafe(40)
    return settings.AUDIT_TRAIL_KEY


def _record(count, department, actor):
    for number in range(count):
        record("test.thing.changed", actor=actor, target=department, changes={"after": {"n": number}})
    return list(AuditEvent.objects.order_by("pk"))


@pytest.fixture
def trail(test_actions, office_admin, department_a):
    return _record(6, department_a, office_admin)


def rewrite(*, key: str, delete: list[AuditEvent] = (), alter: list[AuditEvent] = ()) -> None:
    """Delete and alter events, then seal every event again with the project's own digest function
    run under ``key`` (the attacker's settings), and set the chain's head to match."""
    tamper(
        *(("DELETE FROM audits_auditevent WHERE id = %s", [event.pk]) for event in delete),
        *(
            ("UPDATE audits_auditevent SET actor_name = %s WHERE id = %s", ["someone-else", event.pk])
            for event in alter
        ),
    )
    previous, resealed = "", []
    with override_settings(AUDIT_TRAIL_KEY=key):
        for event in AuditEvent.objects.order_by("pk"):
            digest = event_digest(event, previous)
            resealed.append(
                (
                    "UPDATE audits_auditevent SET prev_hash = %s, hash = %s WHERE id = %s",
                    [previous, digest, event.pk],
                )
            )
            previous, last_id = digest, event.pk
    tamper(*resealed)
    AuditChainHead.objects.filter(pk=1).update(last_hash=previous, last_event_id=last_id)


def assert_tampered(event_id: int, *reason: str) -> None:
    with pytest.raises(CommandError, match="tampered") as caught:
        call_command("verify_audit_trail")
    message = str(caught.value)
    assert f"event {event_id}:" in message, message
    assert all(part in message for part in reason), message


@pytest.mark.parametrize(
    "guess",
    [lambda settings: settings.SECRET_KEY, lambda settings: DEVELOPMENT_KEY, lambda settings: ""],
    ids=["the SECRET_KEY", "the development key", "no key"],
)
def test_it_catches_a_trail_resealed_without_the_key(trail, settings, guess):
    # Issue 11: event 92 deleted, event 91 altered, every digest recomputed: it said "intact".
    rewrite(key=guess(settings), delete=[trail[4]], alter=[trail[3]])
    assert_tampered(trail[0].pk, "does not match its keyed digest")


def test_it_catches_a_rewrite_of_anchored_events_by_someone_with_the_key(trail, settings, office_admin):
    trail_services.trail_anchor()  # the hourly job: the head is trail[-1]
    later = _record(2, trail[0].department, office_admin)[-2:]
    rewrite(key=settings.AUDIT_TRAIL_KEY, delete=[trail[4]], alter=[trail[3]])
    assert_tampered(trail[-1].pk, "differs from its anchor", "trail-")
    assert later  # events after the anchor are not what gives the rewrite away


def test_it_catches_an_anchored_event_removed_by_someone_with_the_key(trail, settings, office_admin):
    trail_services.trail_anchor()
    _record(2, trail[0].department, office_admin)
    rewrite(key=settings.AUDIT_TRAIL_KEY, delete=[trail[-1]])
    assert_tampered(trail[-1].pk, "was anchored", "has been removed")


def test_it_catches_a_trail_cut_back_before_its_last_anchor(trail, settings):
    trail_services.trail_anchor()
    rewrite(key=settings.AUDIT_TRAIL_KEY, delete=trail[-2:])
    assert_tampered(trail[-1].pk, f"the trail ends at event {trail[-3].pk}", "newest events were removed")


def test_it_catches_an_edited_anchor_file(trail, settings):
    trail_services.trail_anchor()
    anchors = list(Path(settings.AUDIT_ANCHOR_DIR).glob("trail-*.log"))
    anchors[0].write_text("nothing to see\n")
    with pytest.raises(CommandError, match="anchors tampered with.*is not an anchor"):
        call_command("verify_audit_trail")


def test_it_passes_the_untouched_trail_with_its_anchors(trail, capsys):
    trail_services.trail_anchor()
    call_command("verify_audit_trail")
    assert f"intact: {len(trail)} events, 1 anchors agree" in capsys.readouterr().out


def _start(tmp_path, **env):
    """``manage.py check`` as production starts it: its exit status and what it said."""
    environment = {
        **{
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "PYTEST", "AUDIT_"))
        },
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "registry.example.gov.cn",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=environment, capture_output=True, text=True
    )
    return done.returncode, done.stdout + done.stderr


def test_it_refuses_to_start_in_production_without_the_trails_key(tmp_path):
    status, said = _start(tmp_path)
    assert status != 0 and "AUDIT_TRAIL_KEY" in said
    status, said = _start(tmp_path, AUDIT_TRAIL_KEY=DEVELOPMENT_KEY)
    assert status != 0 and "AUDIT_TRAIL_KEY" in said


def test_it_never_keys_the_trail_with_the_secret_key(tmp_path):
    shared = secrets.token_urlsafe(50)
    status, said = _start(tmp_path, SECRET_KEY=shared, AUDIT_TRAIL_KEY=shared)
    assert status != 0 and "must not be SECRET_KEY" in said


def test_it_reads_the_trails_key_from_a_file(tmp_path):
    key_file = tmp_path / "audit-trail.key"
    key_file.write_text(secrets.token_urlsafe(40) + "\n")
    assert _start(tmp_path, AUDIT_TRAIL_KEY_FILE=str(key_file))[0] == 0
    status, said = _start(tmp_path, AUDIT_TRAIL_KEY_FILE=str(tmp_path / "missing.key"))
    assert status != 0 and "AUDIT_TRAIL_KEY_FILE" in said


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="roles exist on PostgreSQL only")
def test_it_lets_the_applications_role_only_add_to_the_trail(trail, office_admin, department_a):
    role = f"registry_app_probe_{uuid.uuid4().hex[:8]}"  # rolled back with the test's transaction
    quoted = connection.ops.quote_name(role)
    with as_database_owner():
        raw(f"CREATE ROLE {quoted} NOLOGIN")
        call_command("grant_app_role", role)
        raw(f"SET ROLE {quoted}")
        try:
            record("test.thing.changed", actor=office_admin, target=department_a)  # it may add and read
            for sql in (
                "UPDATE audits_auditevent SET action = 'x'",
                "DELETE FROM audits_auditevent",
                "TRUNCATE audits_auditevent",
                "ALTER TABLE audits_auditevent DISABLE TRIGGER audits_auditevent_append_only",
                "DROP TRIGGER audits_auditevent_append_only ON audits_auditevent",
                "DROP FUNCTION audits_auditevent_append_only()",
            ):
                with (
                    pytest.raises(DatabaseError, match="permission denied|must be owner"),
                    transaction.atomic(),
                ):
                    raw(sql)
        finally:
            raw("RESET ROLE")
    assert AuditEvent.objects.count() == len(trail) + 1


@pytest.mark.postgres
@pytest.mark.skipif(
    not database_roles.restricting(), reason="TEST_DATABASE_APP_ROLE names no role (CI sets it)"
)
def test_it_runs_the_tests_as_the_applications_role(trail):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == database_roles.APP_ROLE
    with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
        raw("UPDATE audits_auditevent SET action = 'x'")


def test_it_anchors_the_production_sites_trail_on_its_worker(production_site):
    """The job runs where production runs it, on a real worker, with the site's own key and anchor
    directory; the site's trail then checks out against both."""
    site = production_site
    site.create_user("trail-anchor-office")
    site.start_worker()
    site.python("from audits.trail.tasks import anchor_audit_trail\nanchor_audit_trail.delay()\n")
    anchors = Path(site.env["AUDIT_ANCHOR_DIR"])
    deadline = time.monotonic() + 60
    while not any(path.read_text() for path in anchors.glob("trail-*.log")) and time.monotonic() < deadline:
        time.sleep(0.5)
    said = site.manage("verify_audit_trail")
    assert "intact" in said and " 0 anchors" not in said and "anchors agree" in said, said
