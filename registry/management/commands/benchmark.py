"""Measure the application against the raw database on realistic volumes (docs/benchmarks.md);
the work is ``tooling.benchmark``'s."""

import json
from dataclasses import fields, replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tooling.benchmark.data import QUICK, Volumes, units_for
from tooling.benchmark.run import benchmark, growth_table


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
            "--departments",
            type=int,
            help="Units in the three-level tree (default one per 50 accounts: 2,000 for 100,000).",
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
        parser.add_argument(
            "--posts",
            type=int,
            help=f"Posts of a day, which the wording scan reads (default {defaults.posts:,}).",
        )
        parser.add_argument(
            "--post-rows",
            type=int,
            help=f"Posts the posts API scenario sends, at most 10,000 (default {defaults.post_rows:,}).",
        )
        parser.add_argument("--runs", type=int, help=f"Timed runs per scenario (default {defaults.runs}).")
        parser.add_argument(
            "--only",
            default="",
            help="Measure only the scenarios whose name contains this, or one of several texts separated "
            'by "|" (e.g. export, or "release|account list page · office").',
        )
        parser.add_argument("--json", dest="json_path", help="Also write the results as JSON to this file.")
        parser.add_argument(
            "--growth",
            help="Run at two numbers of accounts (e.g. 10000,100000) and report each scenario's growth.",
        )
        parser.add_argument(
            "--compare",
            help="A JSON report of an earlier run: report each scenario's growth from it to this run.",
        )

    def handle(self, *args, quick, json_path, only, growth: str | None, compare: str | None, **options):
        volumes = QUICK if quick else Volumes()
        chosen = {field.name: options[field.name] for field in fields(Volumes)}  # each volume is an option
        volumes = replace(volumes, **{name: value for name, value in chosen.items() if value is not None})
        if options["departments"] is None and options["accounts"] is not None:
            volumes = replace(volumes, departments=units_for(volumes.accounts))
        sizes = [volumes.accounts]
        if growth:
            try:
                sizes = [int(size) for size in growth.split(",")]
            except ValueError:
                sizes = []
            if len(sizes) != 2:
                raise CommandError("--growth takes two numbers of accounts, e.g. 10000,100000.")
        earlier = None
        if compare:
            try:
                earlier = json.loads(Path(compare).read_text())
            except (OSError, ValueError) as error:
                raise CommandError(f"--compare: cannot read {compare}: {error}") from error
        runs = [self._checked(volumes, size, given=options["departments"] is not None) for size in sizes]
        reports = []
        for number, run in enumerate(runs):
            path = json_path
            if json_path and len(runs) > 1:
                path = str(Path(json_path).with_suffix(f".{run.accounts}{Path(json_path).suffix}"))
            reports.append(benchmark(run, json_path=path, write=self.stdout.write, only=only))
            if number + 1 < len(runs):
                self.stdout.write("")
        if earlier is not None:
            reports.insert(0, earlier)
        if len(reports) == 2:
            self.stdout.write(growth_table(reports))
            if json_path:
                path = Path(json_path).with_suffix(f".growth{Path(json_path).suffix}")
                path.write_text(json.dumps(reports, ensure_ascii=False, indent=2) + "\n")
                self.stdout.write(f"Both reports written to {path}")

    @staticmethod
    def _checked(volumes: Volumes, accounts: int, *, given: bool) -> Volumes:
        if accounts != volumes.accounts:
            volumes = replace(
                volumes, accounts=accounts, departments=volumes.departments if given else units_for(accounts)
            )
        if volumes.days < 14:
            raise CommandError("--days must be at least 14: the ranking needs one complete week of figures.")
        if not 1 <= volumes.metric_rows <= 10_000:
            raise CommandError("--metric-rows must be between 1 and 10,000 (the API's limit per request).")
        if volumes.accounts < 10 or volumes.departments < 3 or volumes.runs < 1:
            raise CommandError("Use at least 10 accounts, 3 units and 1 run.")
        if not 1 <= volumes.meeting_rows <= volumes.accounts // 2:
            raise CommandError("--meeting-rows must be between 1 and half the accounts.")
        if not 1 <= volumes.post_rows <= min(10_000, volumes.posts):
            raise CommandError(
                "--post-rows must be between 1 and 10,000 (the API's limit per request), and at most --posts."
            )
        return volumes
