"""On PostgreSQL the tests run as the application's restricted role when ``TEST_DATABASE_APP_ROLE``
names one (CI does): the test database is created and migrated by the connection's own user, its
owner, as production's migrations are; the role gets the application's rights (``grant_app_role``,
as docs/operations.md says) and every connection of the tests then acts as it (Django's
``assume_role``). What only an owner may do (migrating, switching the trail's trigger off to tamper
with it) the tests do as the owner, on purpose, with :func:`as_database_owner`.
"""

import contextlib
import os

from django.core.management import call_command
from django.db import connection

APP_ROLE = os.environ.get("TEST_DATABASE_APP_ROLE", "")


def _run(sql: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql)


def restricting() -> bool:
    return bool(APP_ROLE) and connection.vendor == "postgresql"


def grant_the_app_role() -> None:
    """The application's rights, and TRUNCATE besides: the test runner empties every table with it
    between transactional tests (production grants it on no table)."""
    role = connection.ops.quote_name(APP_ROLE)
    # Roles belong to the server, not to one database: the xdist workers, each granting on its own
    # test database, may all find the role missing at once, and all but one then lose the race.
    _run(
        f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; "
        "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
    )
    call_command("grant_app_role", APP_ROLE)
    _run(f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {role}")


def act_as_the_app_role() -> None:
    connection.settings_dict["OPTIONS"]["assume_role"] = APP_ROLE
    connection.close()  # the next connection takes the role


def act_as_the_owner() -> None:
    connection.settings_dict["OPTIONS"].pop("assume_role", None)
    connection.close()


@contextlib.contextmanager
def as_database_owner():
    """The connection's own user (the owner) for a while, on the open connection and on those opened
    meanwhile, when the tests run as the application's role; nothing changes otherwise."""
    options = connection.settings_dict["OPTIONS"]
    role = options.pop("assume_role", None) if connection.vendor == "postgresql" else None
    if role and connection.connection is not None:
        _run("RESET ROLE")
    try:
        yield
    finally:
        if role:
            options["assume_role"] = role
            if connection.connection is not None:
                _run(connection.ops.compose_sql("SET ROLE %s", [role]))
