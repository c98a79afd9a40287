"""Measure the application against the raw database on realistic volumes (docs/benchmarks.md);
the work is ``tooling.benchmark``'s."""

from dataclasses import replace

from django.core.management.base import BaseCommand, CommandError

from tooling.benchmark.data import QUICK, Volumes
from tooling.benchmark.run import benchmark


class Command(BaseCommand):
    help = (
        "Time the pages, API calls and services against the same work in raw SQL, on a throwaway "
        "database with realistic volumes."
    )

    def add_arguments(self, parser):
        defaults = Volumes()
        parser.add_argument("--quick", action="store_true", help="A small run (300 accounts, 30 units).")
        parser.add_argument("--accounts", type=int, help=f"Media accounts (default {defaults.accounts:,}).")
        parser.add_argument(
            "--departments", type=int, help=f"Units in the three-level tree (default {defaults.departments})."
        )
        parser.add_argument(
            "--days",
            type=int,
            help=f"Days of daily figures per account, at least 14 (default {defaults.days}).",
        )
        parser.add_argument(
            "--metric-rows",
            type=int,
            help=f"Rows of the metrics upsert scenario, at most 10,000 (default {defaults.metric_rows:,}).",
        )
        parser.add_argument(
            "--meeting-rows",
            type=int,
            help=f"Applications on the review meeting's decision sheet (default {defaults.meeting_rows}).",
        )
        parser.add_argument("--runs", type=int, help=f"Timed runs per scenario (default {defaults.runs}).")
        parser.add_argument(
            "--only", default="", help="Measure only the scenarios whose name contains this (e.g. export)."
        )
        parser.add_argument("--json", dest="json_path", help="Also write the results as JSON to this file.")

    def handle(self, *args, quick, json_path, only, **options):
        volumes = QUICK if quick else Volumes()
        chosen = {
            name: options[name]
            for name in ("accounts", "departments", "days", "metric_rows", "meeting_rows", "runs")
        }
        volumes = replace(volumes, **{name: value for name, value in chosen.items() if value is not None})
        if volumes.days < 14:
            raise CommandError("--days must be at least 14: the ranking needs one complete week of figures.")
        if not 1 <= volumes.metric_rows <= 10_000:
            raise CommandError("--metric-rows must be between 1 and 10,000 (the API's limit per request).")
        if volumes.accounts < 10 or volumes.departments < 3 or volumes.runs < 1:
            raise CommandError("Use at least 10 accounts, 3 units and 1 run.")
        if not 1 <= volumes.meeting_rows <= volumes.accounts // 2:
            raise CommandError("--meeting-rows must be between 1 and half the accounts.")
        benchmark(volumes, json_path=json_path, write=self.stdout.write, only=only)
