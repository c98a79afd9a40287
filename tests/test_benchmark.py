"""The benchmark command (docs/benchmarks.md) on tiny volumes: it runs every scenario on a database
of its own and leaves the configured one as it found it. Times are never asserted."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audits.trail.models import AuditEvent
from content import services as content_services
from content.models import Post
from content.wording import Scanner, Term
from registry import services
from registry.choices import DepartmentKind, FilingStatus
from registry.models import AccountMetric, Department, Filing, MediaAccount
from tooling.benchmark import data
from tooling.benchmark.run import growth_table

SCENARIOS = (
    "account list page · office",
    "account list page · office, filtered",
    "account list page · department",
    "account list API · office",
    "account list API · department",
    "account export CSV (all)",
    "account export CSV (all) · API",
    "account export xlsx (all)",
    "account export xlsx (all) · API",
    "dashboard · office",
    "dashboard · department",
    "matrix page · office",
    "matrix page · department",
    "inspection run (request + execute)",
    "metrics upsert 60 rows · API",
    "campaign review page · office",
    "decision sheet (meeting page) · office",
    "audit trail page · office",
    "audit trail page · department",
    "events API · office",
    "weekly ranking page · office",
    "weekly ranking API · department",
    "weekly index compute (service)",
    "wording scan · a day of posts",
)
# Issue 15, after the posts' scenarios: a release task over every live account.
RELEASES = (
    "release task start · every account",
    "release task progress · office",
    "release task page · office",
)
TINY = [
    *("--accounts", "40", "--departments", "8", "--days", "14"),
    *("--metric-rows", "60", "--meeting-rows", "12", "--posts", "300", "--post-rows", "50", "--runs", "1"),
]


def _benchmark_databases() -> list[str]:
    """The databases a benchmark run of this test database would make (and must drop): on a shared
    PostgreSQL server, other runs' (``benchmark_<their database>``) are theirs."""
    if connection.vendor == "postgresql":
        own = f"benchmark_{connection.settings_dict['NAME']}"
        with connection.cursor() as cursor:
            cursor.execute("SELECT datname FROM pg_database WHERE datname = %s", [own])
            return [name for (name,) in cursor.fetchall()]
    return sorted(path.name for path in Path(settings.VAR_DIR).glob("benchmark-*.sqlite3*"))


# transaction=True: the command opens and drops a database of its own, which a test wrapped in a
# transaction on the default connection would not allow.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_owner")  # creating and migrating a database is the owner's
def test_it_measures_every_scenario_on_its_own_database(tmp_path, capsys):
    services.department_create(
        actor=None, name="开发者的单位", code="mine", kind=DepartmentKind.DISTRICT_GOVERNMENT
    )
    events_before = AuditEvent.objects.count()
    databases_before = _benchmark_databases()
    name_before = connection.settings_dict["NAME"]

    call_command("benchmark", *TINY, "--json", str(tmp_path / "results.json"))

    report = json.loads((tmp_path / "results.json").read_text())
    results = {result["scenario"]: result for result in report["results"]}
    # On PostgreSQL the metrics POST is also timed against COPY of the same rows (issue 13).
    postgresql = connection.vendor == "postgresql"
    copy = ("metrics upsert 60 rows · API vs COPY",) if postgresql else ()
    metrics = SCENARIOS.index("metrics upsert 60 rows · API") + 1
    # The posts' upload against COPY on PostgreSQL, against an upsert of the same rows on SQLite.
    posts = f"posts API · 50 posts vs {'COPY' if postgresql else 'upsert'}"
    assert tuple(results) == SCENARIOS[:metrics] + copy + SCENARIOS[metrics:] + (posts,) + RELEASES
    for result in results.values():
        assert result["raw_ms"] > 0, result
        assert result["app_ms"] > 0, result
        assert result["queries"] > 0, result
        assert result["rows"] > 0, result
        # Where the application's rows can be counted, the hand-written SQL gives as many.
        assert result["app_rows"] in (None, result["rows"]), result
    assert report["counts"]["accounts"] > 40  # the imported ones, and the pending filings
    assert report["counts"]["applications awaiting the meeting"] == 12
    assert report["counts"]["daily figures"] == 40 * 14  # every imported account's days, in bulk
    assert report["database_bytes"] > 0
    assert "daily figures in bulk" in report["build_phases"]
    # What the scenarios ran with: PostgreSQL's planner and memory settings (docs/operations.md).
    if connection.vendor == "postgresql":
        assert set(report["server_settings"]) >= {"jit", "work_mem", "shared_buffers", "effective_cache_size"}
    # The review page and the decision sheet show the meeting's twelve applications (a page holds 50).
    assert results["campaign review page · office"]["rows"] == 12
    assert results["decision sheet (meeting page) · office"]["rows"] == 12
    # A day of posts scanned against lexicons of more than 10,000 entries, both ways reported per
    # second; the upload re-sends fifty of them, each run replacing the same posts.
    assert report["counts"]["posts"] == 300
    assert report["counts"]["lexicon entries"] >= 10_000
    scan = results["wording scan · a day of posts"]
    assert scan["rows"] == scan["app_rows"] == 300
    assert scan["per_second_of"] == "posts" and scan["app_per_second"] > 0 and scan["raw_per_second"] > 0
    assert results[posts]["rows"] == results[posts]["app_rows"] == 50
    assert "metrics upsert 60 rows · API" in capsys.readouterr().out

    # The configured database: the same name, the developer's unit, none of the benchmark's data.
    assert connection.settings_dict["NAME"] == name_before == settings.DATABASES["default"]["NAME"]
    assert list(Department.objects.values_list("code", flat=True)) == ["mine"]
    assert not MediaAccount.objects.exists()
    assert AuditEvent.objects.count() == events_before
    # And the benchmark's own database is gone.
    assert _benchmark_databases() == databases_before


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_owner")
def test_it_reads_a_release_tasks_progress_in_as_many_statements_at_three_times_the_accounts(tmp_path):
    reports = {}
    for accounts, units in (("40", "8"), ("120", "24")):
        path = tmp_path / f"releases-{accounts}.json"
        volumes = [*TINY, "--accounts", accounts, "--departments", units]  # the last of each wins
        # With the list page, as issue 15 compares them: "|" separates the texts --only takes.
        only = "release|account list page · office"
        call_command("benchmark", *volumes, "--only", only, "--json", str(path))
        reports[accounts] = json.loads(path.read_text())
    small, large = (
        {result["scenario"]: result for result in reports[size]["results"]} for size in ("40", "120")
    )

    names = ("account list page · office", "account list page · office, filtered", *RELEASES)
    assert tuple(small) == tuple(large) == names
    start, progress, page = RELEASES
    # Every live account has its part, written by one statement on either side.
    assert small[start]["rows"] == reports["40"]["counts"]["live accounts"]
    assert large[start]["rows"] == reports["120"]["counts"]["live accounts"]
    # The progress is one grouped query: a row per unit, as many statements for three times the
    # accounts and the units; so are the start and the task's page (its first 100 parts).
    assert small[progress]["rows"] < large[progress]["rows"]
    assert small[page]["rows"] < large[page]["rows"] == 100
    for scenario in (start, progress, page):
        assert small[scenario]["queries"] == large[scenario]["queries"], scenario


def test_it_refuses_volumes_that_cannot_rank_a_week():
    with pytest.raises(CommandError, match="at least 14"):
        call_command("benchmark", "--days", "7")


def test_it_refuses_a_meeting_larger_than_half_the_accounts():
    with pytest.raises(CommandError, match="meeting-rows"):
        call_command("benchmark", "--accounts", "40", "--meeting-rows", "21")


def test_it_refuses_to_send_more_posts_than_the_day_holds():
    with pytest.raises(CommandError, match="post-rows"):
        call_command("benchmark", "--posts", "300", "--post-rows", "301")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_owner")
def test_it_measures_concurrent_writers_of_the_trail_on_their_own_database(capsys):
    databases_before = _benchmark_databases()

    call_command("benchmark_trail", "--writers", "4", "--writes", "2")

    assert "4 writers × 2 writes" in capsys.readouterr().out
    assert not MediaAccount.objects.exists()
    assert _benchmark_databases() == databases_before


@pytest.mark.django_db
def test_it_builds_units_accounts_and_a_years_figures_in_bulk_as_the_services_leave_them():
    upper, lower = data._departments(30)

    # Three levels, every unit placed in the official order: each sub-unit right after its parent.
    assert len(upper) == 4 and len(lower) == 26
    assert all(unit.parent in upper[1:] for unit in lower)
    keys = dict(Department.objects.values_list("pk", "order_key"))
    assert all(keys.values())
    assert all(keys[unit.pk].startswith(keys[unit.parent_id]) for unit in lower)
    today = timezone.localdate()
    rows = data._import_rows(25, [*upper, *lower])
    accounts = data._registered_before(rows, [*upper, *lower], today)

    # Registered in the years before, numbered as the registry numbers them, each with its filing.
    numbers = [account.filing_number for account in MediaAccount.objects.order_by("pk")]
    assert len(set(numbers)) == 25
    assert all(
        re.fullmatch(rf"{settings.REGISTRY_FILING_PREFIX}-{today.year - 1}-\d{{4}}", n) for n in numbers
    )
    assert Filing.objects.filter(status=FilingStatus.APPROVED).count() == 25

    series = data._series(accounts, 20)
    first = today - datetime.timedelta(days=20)
    loaded = data._load_figures(data._figures(series, first, 20), lambda line: None, 25, 20)

    assert loaded == AccountMetric.objects.count() == 25 * 20
    assert set(AccountMetric.objects.values_list("date", flat=True)) == {
        first + datetime.timedelta(days=n) for n in range(20)
    }
    # Each account's followers and last post are its newest figures', as metrics_record leaves them.
    for account in MediaAccount.objects.all():
        figures = AccountMetric.objects.filter(media_account=account).order_by("-date")
        assert account.followers == figures[0].followers
        assert account.last_post_on == figures.filter(posts__gt=0).values_list("date", flat=True).first()


@pytest.mark.django_db
def test_it_writes_a_day_of_posts_the_same_every_time_a_few_with_the_lexicons_words():
    upper, lower = data._departments(5)
    today = timezone.localdate()
    accounts = [
        account.pk
        for account in data._registered_before(
            data._import_rows(10, [*upper, *lower]), [*upper, *lower], today
        )
    ]
    yesterday = today - datetime.timedelta(days=1)

    rows = list(data._posts(600, accounts, yesterday))

    # The same posts every time (but the time they were recorded).
    assert [row[:-1] for row in rows] == [row[:-1] for row in data._posts(600, accounts, yesterday)]
    lengths = [len(row[5]) for row in rows]
    assert min(lengths) >= 200 and max(lengths) <= 2_500 and 500 < sum(lengths) / len(lengths) < 1_300
    terms = [
        Term(number, entry["lexicon"], entry["term"], entry["correct_form"])
        for number, entry in enumerate(data.lexicon_entries())
    ]
    scanner = Scanner(terms, data.ALLOWED_DOMAINS)
    hit = [row for row in rows if scanner.hits(f"{row[4]}\n{row[5]}")]
    assert 0 < len(hit) < len(rows) // 5
    assert data._load_posts(iter(rows)) == Post.objects.filter(scanned_at__isnull=True).count() == 600
    # As posts_record leaves them: a post sent again with the same words is not scanned again.
    post = Post.objects.order_by("pk").first()
    assert post.words_digest == content_services.words_digest(
        {"title": post.title, "text": post.text, "url": post.url}
    )
    assert {timezone.localtime(post.published_at).date() for post in Post.objects.all()} == {yesterday}


def test_it_reports_each_scenarios_growth_between_two_volumes():
    def report(accounts, app_ms, raw_ms, seconds):
        return {
            "volumes": {"accounts": accounts},
            "counts": {"daily figures": accounts * 365},
            "build_seconds": seconds,
            "results": [
                {
                    "scenario": "dashboard · office",
                    "app_ms": app_ms,
                    "raw_ms": raw_ms,
                    "ratio": app_ms / raw_ms,
                }
            ],
        }

    table = growth_table([report(100_000, 300.0, 30.0, 900), report(10_000, 100.0, 5.0, 90)])

    assert "app ms 10k" in table and "app ms 100k" in table
    line = next(line for line in table.splitlines() if line.startswith("dashboard · office"))
    assert line.split()[-6:] == ["100.0", "300.0", "20.0", "10.0", "×3.0", "×6.0"]
    assert "3,650,000 and 36,500,000 daily figures" in table


def test_it_refuses_a_growth_that_is_not_two_volumes():
    with pytest.raises(CommandError, match="two numbers"):
        call_command("benchmark", "--growth", "10000")
