from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

# The application's role writes every table but may only add to the trail: it may not change or
# remove events, empty the table, or (not being the owner) drop or switch off the append-only trigger.
# It adds the figures' coming months through the one function made for it (registry.partitions).
# It may create temporary tables (an inspection run keeps each rule's violations in one): PostgreSQL
# grants that to PUBLIC by default, and a database that revoked it from PUBLIC still gives it here.
GRANTS = """
GRANT USAGE ON SCHEMA {schema} TO {role};
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role};
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role};
REVOKE UPDATE, DELETE, TRUNCATE ON audits_auditevent FROM {role}, PUBLIC;
GRANT EXECUTE ON FUNCTION registry_accountmetric_add_month(date) TO {role};
GRANT TEMPORARY ON DATABASE {database} TO {role};
"""


def grant_app_role(role: str) -> None:
    """Give ``role`` the application's rights on the current database (run by its owner after every
    migrate: tables a release adds need them too)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT current_schema(), current_database()")
        schema, database = cursor.fetchone()
        quote = connection.ops.quote_name
        cursor.execute(GRANTS.format(schema=quote(schema), database=quote(database), role=quote(role)))


class Command(BaseCommand):
    help = (
        "PostgreSQL: grant the application's role (the one it connects as) its rights, run as the owner "
        "after every migrate: all tables, but audit events may only be added and read."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as, e.g. registry_app")

    def handle(self, *args, role: str, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Roles exist on PostgreSQL only; the embedded SQLite set-up has none.")
        grant_app_role(role)
        self.stdout.write(
            self.style.SUCCESS(f"{role} may now use the registry; audit events only INSERT and SELECT.")
        )
