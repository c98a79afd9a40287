"""Tampering with the audit trail behind the code's back, as someone with the database's owner rights
could (the tests of the chain, its key and its anchors)."""

import contextlib

from django.db import connection, transaction


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


@contextlib.contextmanager
def as_database_owner():
    """The connection's own user for a while, when the tests otherwise run as the application's
    restricted role (``TEST_DATABASE_APP_ROLE``): an owner may switch the trigger off; the
    application's role may not."""
    role = (
        connection.settings_dict["OPTIONS"].get("assume_role") if connection.vendor == "postgresql" else None
    )
    if role:
        raw("RESET ROLE")
    try:
        yield
    finally:
        if role:
            raw(connection.ops.compose_sql("SET ROLE %s", [role]))


def tamper(*statements: tuple[str, list]) -> None:
    """Run ``(sql, params)`` statements on the trail's table; on PostgreSQL that takes switching
    the append-only trigger off first, as the table's owner."""
    if connection.vendor != "postgresql":
        for sql, params in statements:
            raw(sql, params)
        return
    with as_database_owner(), transaction.atomic():
        # Key checks are deferred to the commit; ALTER TABLE wants none pending.
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        raw("ALTER TABLE audits_auditevent DISABLE TRIGGER audits_auditevent_append_only")
        for sql, params in statements:
            raw(sql, params)
        raw("SET CONSTRAINTS ALL IMMEDIATE")
        raw("ALTER TABLE audits_auditevent ENABLE TRIGGER audits_auditevent_append_only")
