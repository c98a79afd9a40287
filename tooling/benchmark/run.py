"""The ``benchmark`` command's run: build the world, measure every scenario, report (docs/benchmarks.md).

Builds a province's registry in a throwaway database of the configured engine (SQLite by default,
PostgreSQL when DATABASE_URL points there), times every scenario through the real code path and
as hand-written SQL, prints the table, and drops the database. The developer's data is never
touched. The defaults (10,000 accounts, 500 units, 30 days of figures) take about six minutes on
two cores with SQLite and ten with PostgreSQL; ``--quick`` is a small run of about twenty seconds.
"""

import json
import platform
import time
from collections.abc import Callable
from pathlib import Path

import django
from django.db import connection

from tooling.benchmark import scenarios
from tooling.benchmark.data import Volumes, build, throwaway_database


def benchmark(
    volumes: Volumes, *, json_path: str | None, write: Callable[[str], None], only: str = ""
) -> None:
    """Measure every scenario at ``volumes`` (those whose name contains ``only``, if given), write the
    table, and the results as JSON to ``json_path``."""
    started = time.perf_counter()
    with scenarios.production_like(), throwaway_database() as name:
        write(f"Benchmark database: {name} ({connection.vendor})")
        world = build(volumes, write)
        built = time.perf_counter() - started
        write(f"Built in {built:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in world.counts.items()))
        results = []
        for scenario in scenarios.scenarios(world, volumes.metric_rows):
            if only not in scenario.name:
                continue
            results.append(scenarios.measure(scenario, volumes.runs))
            write(f"  measured {scenario.name}")
        engine = _engine()
    write(_table(results))
    write(f"Total {time.perf_counter() - started:.0f} s (building {built:.0f} s).")
    if json_path:
        report = {
            "engine": engine,
            "python": platform.python_version(),
            "django": django.get_version(),
            "volumes": vars(volumes),
            "counts": world.counts,
            "build_seconds": round(built, 1),
            "results": scenarios.as_json(results),
        }
        Path(json_path).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        write(f"Results written to {json_path}")


def _engine() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {connection.Database.sqlite_version}"


def _table(results) -> str:
    header = ("scenario", "rows", "app ms", "raw ms", "app/raw", "queries", "peak MiB")
    lines = [
        (
            result.scenario,
            f"{result.rows:,}"
            + ("" if result.app_rows in (None, result.rows) else f" (app {result.app_rows:,})"),
            f"{result.app_ms:,.1f}",
            f"{result.raw_ms:,.2f}",
            f"{result.ratio:,.1f}",
            str(result.queries),
            "" if result.peak_mib is None else f"{result.peak_mib:,.1f}",
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
