"""Measure the application against the raw database on realistic volumes (docs/benchmarks.md).

Builds a province's registry in a throwaway database of the configured engine (SQLite by default,
PostgreSQL when DATABASE_URL points there), times every scenario through the real code path and
as hand-written SQL, prints the table, and drops the database. The developer's data is never
touched. The defaults (10,000 accounts, 500 units, 30 days of figures) take about six minutes on
two cores with SQLite and ten with PostgreSQL; ``--quick`` is a small run of about twenty seconds.
"""

import json
import platform
import time
from dataclasses import replace
from pathlib import Path

import django
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from registry.management import benchmark
from registry.management.benchmark_data import QUICK, Volumes, build, throwaway_database


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
        parser.add_argument("--json", dest="json_path", help="Also write the results as JSON to this file.")

    def handle(self, *args, quick, json_path, **options):
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

        started = time.perf_counter()
        with benchmark.production_like(), throwaway_database() as name:
            self.stdout.write(f"Benchmark database: {name} ({connection.vendor})")
            world = build(volumes, self.stdout.write)
            built = time.perf_counter() - started
            self.stdout.write(
                f"Built in {built:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in world.counts.items())
            )
            results = []
            for scenario in benchmark.scenarios(world, volumes.metric_rows):
                results.append(benchmark.measure(scenario, volumes.runs))
                self.stdout.write(f"  measured {scenario.name}")
            engine = self._engine()
        self.stdout.write(self._table(results))
        self.stdout.write(f"Total {time.perf_counter() - started:.0f} s (building {built:.0f} s).")
        if json_path:
            report = {
                "engine": engine,
                "python": platform.python_version(),
                "django": django.get_version(),
                "volumes": vars(volumes),
                "counts": world.counts,
                "build_seconds": round(built, 1),
                "results": benchmark.as_json(results),
            }
            Path(json_path).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
            self.stdout.write(f"Results written to {json_path}")

    def _engine(self) -> str:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW server_version")
                return f"PostgreSQL {cursor.fetchone()[0]}"
        return f"SQLite {connection.Database.sqlite_version}"

    def _table(self, results) -> str:
        header = ("scenario", "rows", "app ms", "raw ms", "app/raw", "queries")
        lines = [
            (
                result.scenario,
                f"{result.rows:,}"
                + ("" if result.app_rows in (None, result.rows) else f" (app {result.app_rows:,})"),
                f"{result.app_ms:,.1f}",
                f"{result.raw_ms:,.2f}",
                f"{result.ratio:,.1f}",
                str(result.queries),
            )
            for result in results
        ]
        widths = [max(len(row[index]) for row in (header, *lines)) for index in range(len(header))]
        rule = "  ".join("-" * width for width in widths)

        def line(row):
            cells = [row[0].ljust(widths[0])] + [
                cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
            ]
            return "  ".join(cells)

        return "\n".join(["", line(header), rule, *map(line, lines), ""])
