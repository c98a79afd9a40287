"""The daily figures' monthly partitions on PostgreSQL (docs/operations.md, "Figures by month").

Migration ``registry.0006`` made ``registry_accountmetric`` a table partitioned by month of
``date``, with a DEFAULT partition for any day no month's partition holds. Here the coming months
are added (the monthly scheduled job) and old months are archived: each month's rows written to a
gzip CSV file, then its partition detached and dropped, recorded in the audit trail.

SQLite has no partitions: there the figures stay in one plain table, and these functions say so.
"""

import datetime
import gzip
import os
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from audits.trail.services import record
from registry.models import AccountMetric

TABLE = AccountMetric._meta.db_table
# The SQL function migration registry.0006 installs: adds one month, with its owner's rights.
ADD_MONTH = f"{TABLE}_add_month"
MONTHS_AHEAD = 3  # the monthly job keeps this many months ready after the current one
_BOUNDS = re.compile(r"FOR VALUES FROM \('(\d{4}-\d{2}-\d{2})'\) TO \('(\d{4}-\d{2}-\d{2})'\)")


class PartitionRefused(Exception):
    """A month that cannot be archived as asked; nothing was changed."""


@dataclass(frozen=True)
class Partition:
    name: str
    first: datetime.date | None  # None for the DEFAULT partition
    end: datetime.date | None  # the day after its last

    @property
    def month(self) -> str:
        return self.first.strftime("%Y-%m") if self.first else "default"


def month_start(day: datetime.date, months: int = 0) -> datetime.date:
    """The first day of ``day``'s month, ``months`` months later (or earlier)."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> datetime.date:
    """``YYYY-MM`` as the month's first day."""
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"{text!r} is not a month written YYYY-MM.") from None


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cursor.fetchone() is not None


def partitions() -> list[Partition]:
    """The table's partitions, months in order, the DEFAULT partition last."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT child.relname, pg_get_expr(child.relpartbound, child.oid) FROM pg_inherits "
            "JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE pg_inherits.inhparent = %s::regclass",
            [TABLE],
        )
        found = []
        for name, bound in cursor.fetchall():
            match = _BOUNDS.fullmatch(bound)
            first, end = (
                (datetime.date.fromisoformat(match[1]), datetime.date.fromisoformat(match[2]))
                if match
                else (None, None)
            )
            found.append(Partition(name, first, end))
    return sorted(found, key=lambda partition: (partition.first is None, partition.first))


def months_create(*, since: datetime.date | None = None, ahead: int = MONTHS_AHEAD) -> list[Partition]:
    """Add the partitions missing from ``since``'s month (the current month by default) to ``ahead``
    months after the current one; the rows the DEFAULT partition held for them move in. Returns
    the partitions added: none when they all exist, so the job may run any number of times."""
    today = timezone.localdate()
    month, last = month_start(since or today), month_start(today, ahead)
    added = []
    with transaction.atomic(), connection.cursor() as cursor:
        while month <= last:
            cursor.execute(f"SELECT {ADD_MONTH}(%s)", [month])
            if cursor.fetchone()[0]:
                added.append(month)
            month = month_start(month, 1)
    return [partition for partition in partitions() if partition.first in added]


def months_before(month: datetime.date) -> list[Partition]:
    """The monthly partitions of the months before ``month``."""
    return [partition for partition in partitions() if partition.first and partition.first < month]


def month_archive(partition: Partition, *, archive_dir: Path, today: datetime.date | None = None) -> Path:
    """Write a month's rows to ``archive_dir/<partition>.csv.gz`` (CSV with a header line, the
    table's columns), then detach and drop its partition and record it in the trail, in one
    transaction: the month's rows leave the database only once the file holds them all.

    Refused, changing nothing, for a month not yet over, or when the file exists or cannot be
    written. A month's partition holds all of its days: PostgreSQL refuses a row of its range in
    the DEFAULT partition (``months_create`` moves such rows in as it adds the month).
    """
    today = today or timezone.localdate()
    if partition.first is None or partition.end > today:
        raise PartitionRefused(f"{partition.month} is not over yet: only a whole month is archived.")
    path = Path(archive_dir) / f"{partition.name}.csv.gz"
    if path.exists():
        raise PartitionRefused(f"{path} exists already: an archive is never overwritten.")
    if not Path(archive_dir).is_dir() or not os.access(archive_dir, os.W_OK):
        raise PartitionRefused(f"{archive_dir} is not a folder this process may write in.")
    partial = path.with_name(f"{path.name}.partial")
    written = False
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            # No figures for the month are written meanwhile: the file is the partition's last state.
            cursor.execute(f'LOCK TABLE "{partition.name}" IN SHARE MODE')
            cursor.execute(f'SELECT count(*) FROM "{partition.name}"')
            rows = cursor.fetchone()[0]
            with gzip.open(partial, "wb") as archive:
                cursor.copy_expert(
                    f'COPY (SELECT * FROM "{partition.name}" ORDER BY media_account_id, date) '
                    "TO STDOUT WITH (FORMAT csv, HEADER)",
                    archive,
                )
            with partial.open("rb") as archive:
                os.fsync(archive.fileno())
            # Key checks deferred to the commit would hold the table (rows written earlier in the
            # same transaction): a table with checks pending cannot be dropped.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f'ALTER TABLE {TABLE} DETACH PARTITION "{partition.name}"')
            cursor.execute(f'DROP TABLE "{partition.name}"')
            record(
                "registry.metrics.archived",
                changes={"after": {"month": partition.month, "rows": rows, "file": str(path)}},
            )
            partial.rename(path)
            written = True
    except OSError as error:
        raise PartitionRefused(
            f"{path} could not be written ({error}); the month stays in the table."
        ) from None
    except BaseException:
        if written:  # the commit failed: the rows are still in the table, the file goes
            path.unlink(missing_ok=True)
        raise
    finally:
        partial.unlink(missing_ok=True)
    return path
