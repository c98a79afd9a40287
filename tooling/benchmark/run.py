"""The ``benchmark`` command's run: build the world, measure every scenario, report (docs/benchmarks.md).

Builds a province's registry in a throwaway database of the configured engine (SQLite by default,
PostgreSQL when DATABASE_URL points there), times every scenario through the real code path and
as hand-written SQL, prints the table, and drops the database. The developer's data is never
touched. The defaults (10,000 accounts, 200 units, 30 days of figures) take a few minutes on two
cores; ``--quick`` is a small run of about twenty seconds; ``--accounts 100000 --days 365`` is a
province (2,000 units, 36.5 million daily figures). The report carries the PostgreSQL settings it
ran with and the database's size; ``growth_table()`` sets two reports side by side (issue 13: each
path's time at 10,000 and 100,000 accounts).
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

SERVER_SETTINGS = (
    "jit",
    "work_mem",
    "shared_buffers",
    "effective_cache_size",
    "max_parallel_workers_per_gather",
)


def benchmark(
    volumes: Volumes, *, json_path: str | None, write: Callable[[str], None], only: str = ""
) -> dict:
    """Measure every scenario at ``volumes`` (those whose name contains ``only``, or one of its texts
    separated by ``|``, if given), write the table, and the results as JSON to ``json_path``; return
    the report."""
    started = time.perf_counter()
    with scenarios.production_like(), throwaway_database() as name:
        write(f"Benchmark database: {name} ({connection.vendor})")
        world = build(volumes, write)
        built = time.perf_counter() - started
        write(f"Built in {built:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in world.counts.items()))
        server = _server_settings()
        size = _database_bytes(name)
        write(f"Database size {size / 2**20:,.0f} MB" + "".join(f", {k} {v}" for k, v in server.items()))
        results = []
        # "|" between texts, not ",": a scenario's name may hold a comma ("· office, filtered").
        chosen = only.split("|")
        for scenario in scenarios.scenarios(world, volumes.metric_rows, volumes.post_rows):
            if not any(text in scenario.name for text in chosen):
                continue
            results.append(result := scenarios.measure(scenario, volumes.runs))
            # As it goes: a province's run takes long enough that a stopped one should leave figures.
            rates = (
                f" ({result.app_per_second:,.0f} and {result.raw_per_second:,.0f} {result.per_second_of}/s)"
                if result.per_second_of
                else ""
            )
            write(
                f"  measured {scenario.name}: app {result.app_ms:,.1f} ms, raw {result.raw_ms:,.2f} ms{rates}"
            )
        engine = _engine()
    write(_table(results))
    write(f"Total {time.perf_counter() - started:.0f} s (building {built:.0f} s).")
    report = {
        "engine": engine,
        "server_settings": server,
        "python": platform.python_version(),
        "django": django.get_version(),
        "volumes": vars(volumes),
        "counts": world.counts,
        "database_bytes": size,
        "build_seconds": round(built, 1),
        "build_phases": world.phases,
        "results": scenarios.as_json(results),
    }
    if json_path:
        Path(json_path).write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        write(f"Results written to {json_path}")
    return report


def growth_table(reports: list[dict]) -> str:
    """Each scenario's time at the smaller and the larger volume of two reports, its ratio against
    raw SQL at each, and how much it grew (the larger time over the smaller)."""
    small, large = sorted(reports, key=lambda report: report["volumes"]["accounts"])
    before = {result["scenario"]: result for result in small["results"]}
    sizes = [f"{report['volumes']['accounts'] // 1000:,}k" for report in (small, large)]
    header = (
        "scenario",
        *(f"app ms {size}" for size in sizes),
        *(f"app/raw {size}" for size in sizes),
        "growth",
        "raw growth",
    )
    lines = []
    for result in large["results"]:
        old = before.get(result["scenario"])
        if old is None:
            continue
        lines.append(
            (
                result["scenario"],
                f"{old['app_ms']:,.1f}",
                f"{result['app_ms']:,.1f}",
                f"{old['ratio']:,.1f}",
                f"{result['ratio']:,.1f}",
                f"×{result['app_ms'] / old['app_ms']:,.1f}",
                f"×{result['raw_ms'] / old['raw_ms']:,.1f}",
            )
        )
    build = (
        f"Built in {small['build_seconds']:,.0f} s and {large['build_seconds']:,.0f} s; "
        f"{small['counts']['daily figures']:,} and {large['counts']['daily figures']:,} daily figures."
    )
    return _columns(header, lines) + build


def _engine() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    return f"SQLite {connection.Database.sqlite_version}"


def _server_settings() -> dict[str, str]:
    """The PostgreSQL settings the scenarios ran with (docs/operations.md says why these)."""
    if connection.vendor != "postgresql":
        return {}
    with connection.cursor() as cursor:
        found = {}
        for name in SERVER_SETTINGS:
            cursor.execute(f"SHOW {name}")
            found[name] = cursor.fetchone()[0]
        return found


def _database_bytes(name: str) -> int:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return cursor.fetchone()[0]
    return sum(path.stat().st_size for path in Path(name).parent.glob(Path(name).name + "*"))


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
    return _columns(header, lines)


def _columns(header: tuple[str, ...], lines: list[tuple[str, ...]]) -> str:
    widths = [max(len(row[index]) for row in (header, *lines)) for index in range(len(header))]
    rule = "  ".join("-" * width for width in widths)

    def line(row):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        return "  ".join(cells)

    return "\n".join(["", line(header), rule, *map(line, lines), ""])
