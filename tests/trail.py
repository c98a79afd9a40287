"""Tampering with the audit trail behind the code's back, as someone with the database's owner rights
could (the tests of the chain, its key and its anchors)."""

from django.db import connection, transaction

from tests.database_roles import as_database_owner


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))


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
