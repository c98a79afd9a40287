"""How an export's memory grows with its rows (docs/benchmarks.md, issue 13's exports).

Fills a throwaway database with ``volumes`` of plain accounts (one operator each, written in bulk: the
exports read nothing else), and measures each export of all of them as a client downloads it: the
growth of the process's resident memory (peak RSS less the RSS before; each export runs in a forked
child, so one export's garbage does not count against the next) and its wall time; beside them, the
database writing the same rows as CSV itself (``COPY``, on PostgreSQL). ``only`` keeps the exports whose
name contains it. Run with::

    DATABASE_URL=postgres://…/registry_memory python manage.py shell -c \\
        "from tooling.benchmark.export_memory import main; main([10_000, 50_000])"
"""

import datetime
import os
import resource
import time
from collections.abc import Callable

from django.db import connections
from django.test import Client
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import User
from registry.choices import DepartmentKind, MediaAccountStatus, Platform
from registry.models import Department, ExportJob, MediaAccount, Operator
from tooling.benchmark.data import throwaway_database
from tooling.benchmark.scenarios import export_rows_raw, production_like

BATCH = 5000
PLATFORMS = list(Platform.values)


def _fill(total: int) -> None:
    units = list(Department.objects.all()) or Department.objects.bulk_create(
        Department(
            name=f"单位{number}",
            code=f"u{number}",
            kind=DepartmentKind.DISTRICT_DEPARTMENT,
            sort_order=number + 1,
            order_key=f"{number:05d}",
        )
        for number in range(50)
    )
    have = MediaAccount.objects.count()
    today = datetime.date(2026, 12, 1)
    for start in range(have, total, BATCH):
        accounts = MediaAccount.objects.bulk_create(
            MediaAccount(
                department=units[number % len(units)],
                name=f"新城政务发布{number}",
                platform=PLATFORMS[number % len(PLATFORMS)],
                platform_uid=f"uid-{number}",
                url=f"https://example.cn/{number}",
                filing_number=f"XC-2026-{number:06d}",
                status=MediaAccountStatus.ACTIVE,
                functions=["information", "service"],
                responsible_person="王五",
                followers=number,
                last_post_on=today,
                last_confirmed_on=today,
                opened_on=today,
            )
            for number in range(start, min(start + BATCH, total))
        )
        Operator.objects.bulk_create(
            Operator(media_account=account, name="张三", phone="13800000000", employment="staff")
            for account in accounts
        )


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _in_child(work: Callable[[], object]) -> tuple[float, float]:
    """(RSS growth in MiB, seconds) of ``work`` run in a forked child."""
    connections.close_all()  # the child opens its own
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            before = _rss_kib()
            started = time.perf_counter()
            work()
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
            os.write(write, f"{(peak - before) / 1024:.1f} {seconds:.2f}".encode())
        finally:
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    growth, seconds = os.read(read, 100).decode().split()
    os.close(read)
    return float(growth), float(seconds)


def _read(response, browser: Client) -> None:
    if response.status_code in (202, 302):  # built by the job (Celery is eager here): fetch its file
        response = browser.get(f"/exports/{ExportJob.objects.latest('pk').pk}/file.xlsx")
    assert response.status_code == 200, response.status_code
    for _chunk in response.streaming_content if response.streaming else [response.content]:
        pass


def main(volumes: list[int], only: str = "") -> None:
    with production_like(), throwaway_database():
        office = User.objects.create(username="office", role=Role.OFFICE_ADMIN)
        browser = Client()
        browser.force_login(office)
        api = APIClient()
        api.force_authenticate(office)
        exports = {
            "CSV · browser": lambda: _read(browser.get("/media-accounts/export.csv"), browser),
            "CSV · API": lambda: _read(api.get("/api/v1/media-accounts/", {"format": "csv"}), browser),
            "xlsx · API": lambda: _read(api.get("/api/v1/media-accounts/", {"format": "xlsx"}), browser),
            # The yardstick: on PostgreSQL the database writing the same rows as CSV itself (COPY).
            "CSV · COPY": export_rows_raw(copy=True),
        }
        # Warm up in the parent (URLs, templates, translations) on no rows: the children inherit it.
        _read(browser.get("/media-accounts/export.csv", {"q": "-"}), browser)
        _read(api.get("/api/v1/media-accounts/", {"format": "csv", "q": "-"}), browser)
        _read(api.get("/api/v1/media-accounts/", {"format": "xlsx", "q": "-"}), browser)
        print("accounts  export          RSS growth MiB  seconds")
        for total in volumes:
            _fill(total)
            for name, work in exports.items():
                if only not in name:
                    continue
                growth, seconds = _in_child(work)
                print(f"{total:>8,}  {name:<14}  {growth:>14.1f}  {seconds:>7.2f}", flush=True)
