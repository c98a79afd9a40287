"""On PostgreSQL the daily figures become a table partitioned by month (docs/design.md §4.4,
docs/operations.md "Figures by month"): a year of a province's figures is tens of
millions of rows, and a window of days then reads only its months' partitions, and an old month
leaves the table by detaching one partition instead of a long DELETE. SQLite keeps the plain table.

The reverse leaves the partitioned table as it is: it holds the same columns, keys and indexes
under the same names, so the code before this migration reads and writes it unchanged.
"""

import datetime

from django.db import migrations
from django.utils import timezone

TABLE = "registry_accountmetric"
# Kept in step with registry.partitions (a migration must not import the live code).
ADD_MONTH = "registry_accountmetric_add_month"
MONTHS_AHEAD = 3

# Creates one month's partition, if it is missing, moving that month's rows out of the DEFAULT
# partition first (an attach is refused while the default holds rows of the new range). It runs
# with its owner's rights (SECURITY DEFINER): the application's role, which owns no table
# (docs/operations.md, "Two database roles"), may then add the coming months from the scheduled
# job, and nothing else.
ADD_MONTH_FUNCTION = """
CREATE OR REPLACE FUNCTION {function}(month date) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_catalog AS $$
DECLARE
    first date := date_trunc('month', month)::date;
    next date := (date_trunc('month', month) + interval '1 month')::date;
    name text := format('{table}_%s', to_char(first, 'YYYY_MM'));
BEGIN
    IF to_regclass(format('%I', name)) IS NOT NULL THEN
        RETURN false;
    END IF;
    EXECUTE format('CREATE TABLE %I (LIKE {table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
    EXECUTE format(
        'WITH moved AS (DELETE FROM {table}_default WHERE date >= %L AND date < %L RETURNING *) '
        'INSERT INTO %I SELECT * FROM moved',
        first, next, name
    );
    EXECUTE format('ALTER TABLE {table} ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', name, first, next);
    RETURN true;
END
$$;
REVOKE ALL ON FUNCTION {function}(date) FROM PUBLIC;
"""


def _months(first: datetime.date, last: datetime.date):
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


def partition_by_month(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    run = schema_editor.execute
    with schema_editor.connection.cursor() as cursor:
        # Migrated back past this migration and forward again: the table is partitioned already.
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        if cursor.fetchone():
            return
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
        # The keys, foreign key and indexes as Django named them, to be put back on the new table.
        cursor.execute(
            "SELECT contype, pg_get_constraintdef(oid), conname FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f') ORDER BY contype, conname",
            [TABLE],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) "
            "ORDER BY indexname",
            [TABLE, TABLE],
        )
        indexes = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT min(date), max(date), max(id) FROM {TABLE}")
        first, last, top_id = cursor.fetchone()

    # Identity columns are not allowed on a partitioned table before PostgreSQL 17: the ids come
    # from a sequence of the same name the column owns, where the identity left off.
    run(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain")
    run(f"ALTER TABLE {TABLE}_plain ALTER COLUMN id DROP IDENTITY")
    run(f"CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (date)")
    run(f"CREATE SEQUENCE {TABLE}_id_seq OWNED BY {TABLE}.id")
    run(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_id_seq')")
    if top_id is not None:
        run(f"SELECT setval('{TABLE}_id_seq', %s)", [top_id])
    run(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
    run(ADD_MONTH_FUNCTION.format(function=ADD_MONTH, schema=schema, table=TABLE), None)  # no %s to fill
    today = timezone.localdate()
    coming = (today.replace(day=1) + datetime.timedelta(days=31 * MONTHS_AHEAD + 1)).replace(day=1)
    for month in _months(min(first or today, today), max(last or today, coming)):
        run(f"SELECT {ADD_MONTH}(%s)", [month])
    run(f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_plain")
    run(f"DROP TABLE {TABLE}_plain")
    # Keys and indexes once the rows are in: built per partition, the way PostgreSQL builds them
    # on a partitioned table. A primary key there must hold the partition key: (id, date); the
    # sequence alone keeps ids unique. Each index is created on every partition, present and future.
    for kind, definition, name in constraints:
        if kind == "p":
            definition = "PRIMARY KEY (id, date)"
        run(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{name}" {definition}')
    for definition in indexes:
        run(definition)
    # The new partitions have no statistics until autovacuum comes by: plans meanwhile would guess.
    run(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("registry", "0006_filing_sequence")]

    operations = [
        migrations.RunPython(
            partition_by_month,
            # Left partitioned: the older code reads and writes the table unchanged (see above).
            migrations.RunPython.noop,
            elidable=False,
        )
    ]
