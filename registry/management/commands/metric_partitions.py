"""The daily figures' monthly partitions on PostgreSQL: add the coming months, archive old ones
(docs/operations.md, "Figures by month"); the work is ``registry.partitions``'."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from registry import partitions


class Command(BaseCommand):
    help = (
        "PostgreSQL: add the daily figures' partitions up to --ahead months after this one (what the "
        "monthly job does); with --detach-before, archive every month before the one given to a gzip "
        "CSV file in --archive-dir and drop its partition. Run as the database's owner to archive."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--ahead",
            type=int,
            default=partitions.MONTHS_AHEAD,
            help=f"Months after the current one to have ready (default {partitions.MONTHS_AHEAD}).",
        )
        parser.add_argument(
            "--since",
            metavar="YYYY-MM",
            help="Add the months from this one, e.g. to restore an archived month.",
        )
        parser.add_argument(
            "--detach-before",
            metavar="YYYY-MM",
            help="Archive and drop the partitions of the months before this one.",
        )
        parser.add_argument(
            "--archive-dir", type=Path, help="Where the archives are written (with --detach-before)."
        )

    def handle(self, *args, ahead, since, detach_before, archive_dir, **options):
        if not partitions.is_partitioned():
            self.stdout.write(
                "The daily figures are partitioned on PostgreSQL only; this database keeps them in one "
                "table, and there is nothing to do."
            )
            return
        try:
            since = partitions.parse_month(since) if since else None
            before = partitions.parse_month(detach_before) if detach_before else None
        except ValueError as error:
            raise CommandError(str(error)) from None
        if ahead < 0:
            raise CommandError("--ahead counts months after the current one: 0 or more.")
        if before and archive_dir is None:
            raise CommandError("--detach-before needs --archive-dir: a month is dropped only once archived.")
        if before and before > partitions.month_start(timezone.localdate()):
            raise CommandError(f"{detach_before} is after the current month: only whole months are archived.")
        for partition in partitions.months_create(since=since, ahead=ahead):
            self.stdout.write(f"Added {partition.name} for {partition.month}.")
        for partition in partitions.months_before(before) if before else ():
            try:
                path = partitions.month_archive(partition, archive_dir=archive_dir)
            except partitions.PartitionRefused as error:
                raise CommandError(str(error)) from None
            except DatabaseError as error:
                raise CommandError(
                    f"{error.__class__.__name__}: {error}".strip()
                    + "\nNothing was archived. Dropping a partition is the owner's: run this as the "
                    'database\'s owner (docs/operations.md, "Figures by month").'
                ) from None
            self.stdout.write(f"Archived {partition.month} to {path} and dropped {partition.name}.")
        self.stdout.write(
            "Partitions: " + ", ".join(partition.month for partition in partitions.partitions()) + "."
        )
