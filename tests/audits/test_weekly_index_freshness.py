"""The weekly index follows its figures (docs/design.md §8): figures new or corrected for a week
already computed mark it stale, and the refresh (queued as they commit, and run every hour) computes
it again, so the stored rows are what the raw figures give.

The expected rows are counted here from the figures with the formula of docs/index.md, not by the
service's query. Figures have no deletion path (no API, page or admin deletes a day; a correction is
a day sent again); an account's deletion takes its figures and its indexes together.
"""

import datetime
import json
import math
import threading
import time
from types import SimpleNamespace

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from accounts.services import api_token_create
from audits.ranking import services as ranking_services
from audits.ranking.models import StaleWeek, WeeklyIndex
from audits.ranking.services import stale_weeks_refresh, weekly_index_compute, weeks_touched
from audits.ranking.tasks import refresh_stale_weeks
from config.celery import app
from registry import services
from registry.choices import MediaAccountStatus, Platform
from registry.models import AccountMetric, MediaAccount
from tests.concurrency import WAIT_SECONDS, race_database  # noqa: F401  (the fixture, by name)
from tests.conftest import established

SUNDAY = datetime.date(2026, 11, 15)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def file_account(file_account):
    return established(file_account)


def record(account, day, **figures):
    services.metrics_record(actor=None, rows=[{"media_account": account.pk, "date": day, **figures}])


def wci(reads, comments, likes, shares, per):
    return (
        0.70 * math.log(reads / per + 1)
        + 0.09 * math.log(10 * comments / per + 1)
        + 0.06 * math.log(10 * likes / per + 1)
        + 0.15 * math.log(10 * shares / per + 1)
    )


def expected(week=SUNDAY) -> dict:
    """Every account's row of the week, from its daily figures (all accounts here are live)."""
    rows = {}
    for account in MediaAccount.objects.all():
        days = list(
            AccountMetric.objects.filter(media_account=account, date__range=(week, week + 6 * DAY)).values(
                "posts", "reads", "likes", "shares", "comments"
            )
        )
        sums = {
            name: sum(day[name] for day in days) for name in ("posts", "reads", "likes", "shares", "comments")
        }
        parts = dict.fromkeys(("overall", "per_post", "peak", "index"), 0.0)
        if sums["posts"]:
            figures = (sums["reads"], sums["comments"], sums["likes"], sums["shares"])
            parts["overall"] = wci(*figures, per=7)
            parts["per_post"] = wci(*figures, per=sums["posts"])
            parts["peak"] = max(wci(d["reads"], d["comments"], d["likes"], d["shares"], per=1) for d in days)
            parts["index"] = (
                0.7 * parts["overall"] + 0.2 * parts["per_post"] + 0.1 * parts["peak"]
            ) ** 2 * 12
        rows[account.pk] = {
            "days": len(days),
            **sums,
            **{name: pytest.approx(v) for name, v in parts.items()},
        }
    return rows


def stored(week=SUNDAY) -> dict:
    fields = ("days", "posts", "reads", "likes", "shares", "comments", "overall", "per_post", "peak", "index")
    return {
        row["media_account"]: {name: row[name] for name in fields}
        for row in WeeklyIndex.objects.filter(week_start=week).values("media_account", *fields)
    }


@pytest.fixture
def computed(file_account, department_a, department_b):
    """Three accounts in a computed week: two that posted, one silent."""
    strong = file_account(department_a, name="教育发布")
    small = file_account(department_b, name="健康发布", platform=Platform.WEIBO)
    silent = file_account(department_b, name="交通发布", platform=Platform.DOUYIN)
    record(strong, SUNDAY + DAY, posts=2, reads=1000, likes=20, shares=5, comments=3)
    record(strong, SUNDAY + 4 * DAY, posts=1, reads=400, likes=10, shares=2)
    record(small, SUNDAY + 2 * DAY, posts=1, reads=90, likes=1)
    weekly_index_compute(week_start=SUNDAY)
    assert stored() == expected()
    return strong, small, silent


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run what is queued as the figures commit, the task inline, as a worker would run it."""

    class Committing:
        def __enter__(self):
            self.eager, app.conf.task_always_eager = app.conf.task_always_eager, True
            self.capture = django_capture_on_commit_callbacks(execute=True)
            return self.capture.__enter__()

        def __exit__(self, *exc):
            try:
                return self.capture.__exit__(*exc)
            finally:
                app.conf.task_always_eager = self.eager

    return Committing()


def test_new_figures_for_a_computed_week_refresh_its_index(computed, committing):
    strong, small, silent = computed
    with committing:
        record(silent, SUNDAY + 3 * DAY, posts=4, reads=2000, likes=50, shares=9, comments=7)
        record(small, SUNDAY + 6 * DAY, posts=1, reads=10)
    assert stored()[silent.pk]["index"] > 0
    assert stored() == expected()
    assert not StaleWeek.objects.exists()


def test_a_corrected_day_refreshes_its_index(computed, committing):
    strong, small, silent = computed
    before = stored()[strong.pk]["index"]
    with committing:
        record(strong, SUNDAY + DAY, posts=1, reads=30)
    assert stored()[strong.pk]["index"] < before
    assert stored() == expected()


def test_a_day_corrected_to_no_posts_scores_the_account_zero(computed, committing):
    strong, small, silent = computed
    with committing:
        record(small, SUNDAY + 2 * DAY, posts=0, reads=90)
    assert stored()[small.pk]["index"] == 0.0
    assert stored() == expected()


def test_figures_posted_by_the_collectors_refresh_the_week(computed, committing, office_admin):
    strong, small, silent = computed
    rows = [
        {"media_account": strong.pk, "date": (SUNDAY + DAY).isoformat(), "posts": 5, "reads": 7000},
        {"media_account": silent.pk, "date": (SUNDAY + 5 * DAY).isoformat(), "posts": 1, "reads": 300},
    ]
    client = APIClient()
    _token, key = api_token_create(actor=office_admin, user=office_admin, name="collector")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with committing:
        response = client.post("/api/v1/metrics/", json.dumps(rows), content_type="application/json")
    assert response.status_code == 201, response.content
    assert stored() == expected()


def test_the_mark_outlives_a_lost_message_and_the_hourly_job_refreshes_it(
    computed, django_capture_on_commit_callbacks
):
    strong, small, silent = computed
    with django_capture_on_commit_callbacks() as queued:  # sent, never delivered
        record(strong, SUNDAY + 5 * DAY, posts=3, reads=800, shares=4)
    assert len(queued) == 1
    assert list(StaleWeek.objects.values_list("week_start", flat=True)) == [SUNDAY]
    assert stored() != expected()
    assert refresh_stale_weeks() == 1
    assert stored() == expected()
    assert not StaleWeek.objects.exists()
    assert refresh_stale_weeks() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("race_database")
def test_figures_still_being_written_when_a_refresh_starts_are_counted(computed, monkeypatch):
    """The refresh waits for figures that hold the week's mark, then counts them: it never clears
    a mark while the figures behind it are uncommitted (real threads, real connections)."""
    strong, small, silent = computed
    sent = []
    monkeypatch.setattr(
        ranking_services, "refresh_stale_weeks", SimpleNamespace(delay=lambda: sent.append(1))
    )
    record(small, SUNDAY + 2 * DAY, posts=1, reads=91)  # the week is marked; its message is lost
    written, release = threading.Event(), threading.Event()

    def ingest():
        try:
            with transaction.atomic():
                record(strong, SUNDAY + DAY, posts=7, reads=50_000)
                written.set()
                release.wait(WAIT_SECONDS)
        finally:
            connection.close()

    def refresh():
        try:
            written.wait(WAIT_SECONDS)
            stale_weeks_refresh()
        finally:
            connection.close()

    threads = [threading.Thread(target=ingest), threading.Thread(target=refresh)]
    for thread in threads:
        thread.start()
    written.wait(WAIT_SECONDS)
    time.sleep(0.5)  # the refresh reaches the mark the figures hold, and waits for them
    release.set()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert len(sent) == 2
    assert not StaleWeek.objects.exists()
    assert stored() == expected()


def test_the_refresh_runs_every_hour(settings):
    entry = next(
        entry for entry in settings.CELERY_BEAT_SCHEDULE.values() if entry["task"] == refresh_stale_weeks.name
    )
    assert entry["schedule"].hour == set(range(24))


def test_figures_of_a_week_not_computed_yet_mark_nothing(computed, django_capture_on_commit_callbacks):
    strong, small, silent = computed
    with django_capture_on_commit_callbacks() as queued:
        record(strong, SUNDAY + 7 * DAY, posts=1, reads=10)
        record(strong, SUNDAY - DAY, posts=1, reads=10)
    assert not queued and not StaleWeek.objects.exists()
    assert stored() == expected()


def test_marking_costs_the_same_statements_for_one_day_or_a_year(computed, django_assert_num_queries):
    year = [SUNDAY - DAY * n for n in range(1, 366)]
    with django_assert_num_queries(2):
        weeks_touched([SUNDAY + DAY])
    with django_assert_num_queries(2):
        weeks_touched(year + [SUNDAY + DAY])
    with django_assert_num_queries(1):
        weeks_touched(year)
    assert list(StaleWeek.objects.values_list("week_start", flat=True)) == [SUNDAY]


def _grow(department, start, count):
    accounts = MediaAccount.objects.bulk_create(
        MediaAccount(
            department=department,
            name=f"号{n}",
            platform=Platform.WEIBO,
            platform_uid=f"w{n}",
            status=MediaAccountStatus.ACTIVE,
            filing_number=f"T-{n}",
        )
        for n in range(start, start + count)
    )
    services.metrics_record(
        actor=None,
        rows=[
            {"media_account": a.pk, "date": SUNDAY + DAY * d, "posts": d % 3, "reads": n * d, "shares": n % 5}
            for n, a in enumerate(accounts)
            for d in range(7)
        ],
    )


def test_the_computation_is_the_same_statements_at_10_or_200_accounts(
    department_a, django_assert_max_num_queries
):
    """One INSERT … SELECT on both engines: no batch of rows travels from Python."""

    def compute():
        with django_assert_max_num_queries(20) as captured:
            weekly_index_compute(week_start=SUNDAY)
        inserts = [q for q in captured if q["sql"].startswith(f'INSERT INTO "{WeeklyIndex._meta.db_table}"')]
        return len(captured), len(inserts)

    _grow(department_a, 0, 10)
    few = compute()
    assert stored() == expected()
    _grow(department_a, 10, 190)
    many = compute()
    assert stored() == expected()
    assert few == many and few[1] == 1
    assert connection.vendor in ("sqlite", "postgresql")
