"""The weekly activity index (docs/design.md §8, docs/index.md): Sunday to Saturday, from the daily
figures."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.client import MULTIPART_CONTENT

from audits.ranking.models import WeeklyIndex
from audits.ranking.selectors import latest_complete_week, week_start_of
from audits.ranking.services import weekly_index_compute
from audits.trail.models import AuditEvent
from registry import services
from registry.choices import MediaAccountStatus, Platform
from registry.models import MediaAccount
from tests.conftest import established

# The worked example of docs/index.md: the week of Sunday 15 November 2026.
SUNDAY = datetime.date(2026, 11, 15)
SATURDAY = datetime.date(2026, 11, 21)


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def record(account, day, **figures):
    services.metrics_record(actor=None, rows=[{"media_account": account.pk, "date": day, **figures}])


def index_of(account, week=SUNDAY) -> WeeklyIndex:
    return WeeklyIndex.objects.get(media_account=account, week_start=week)


@pytest.fixture
def account(file_account, department_a):
    return file_account(department_a, name="教育发布")


@pytest.fixture
def example(account):
    """docs/index.md: two days with posts in the week, and one day just outside it on each side."""
    record(account, datetime.date(2026, 11, 16), posts=2, reads=1000, likes=20, shares=5, comments=3)
    record(account, datetime.date(2026, 11, 19), posts=1, reads=400, likes=10, shares=2, comments=0)
    record(account, datetime.date(2026, 11, 14), posts=9, reads=90_000, likes=900, shares=900, comments=900)
    record(account, datetime.date(2026, 11, 22), posts=9, reads=90_000, likes=900, shares=900, comments=900)
    return account


def test_it_gives_the_worked_example_of_the_docs(example):
    weekly_index_compute(week_start=SUNDAY)
    row = index_of(example)
    assert (row.days, row.posts, row.reads, row.likes, row.shares, row.comments) == (2, 3, 1400, 30, 7, 3)
    assert round(row.overall, 4) == 4.4487
    assert round(row.per_post, 4) == 5.2749
    assert round(row.peak, 4) == 6.0532
    assert round(row.index, 2) == 273.54


def test_it_counts_saturday_in_and_the_next_sunday_out(account):
    record(account, SATURDAY, posts=1, reads=100)
    record(account, SATURDAY + datetime.timedelta(days=1), posts=5, reads=5000)
    weekly_index_compute(week_start=SUNDAY)
    assert (index_of(account).posts, index_of(account).reads) == (1, 100)


def test_it_counts_sunday_in_and_the_saturday_before_out(account):
    record(account, SUNDAY, posts=1, reads=100)
    record(account, SUNDAY - datetime.timedelta(days=1), posts=5, reads=5000)
    weekly_index_compute(week_start=SUNDAY)
    assert (index_of(account).posts, index_of(account).reads) == (1, 100)


def test_it_scores_zero_for_a_week_without_posts(account, file_account, department_b):
    record(account, datetime.date(2026, 11, 17), posts=0, reads=5000, likes=100, shares=30)
    silent = file_account(department_b)
    weekly_index_compute(week_start=SUNDAY)
    for row in (index_of(account), index_of(silent)):
        assert (row.overall, row.per_post, row.peak, row.index) == (0, 0, 0, 0)
    assert index_of(account).reads == 5000
    assert index_of(silent).days == 0


def test_it_scores_only_live_accounts(account, file_account, department_a):
    pending = file_account(department_a, approve=False)
    record(pending, datetime.date(2026, 11, 17), posts=3, reads=300)
    weekly_index_compute(week_start=SUNDAY)
    assert list(WeeklyIndex.objects.values_list("media_account", flat=True)) == [account.pk]


def test_it_replaces_the_week_when_computed_again(example):
    weekly_index_compute(week_start=SUNDAY)
    first = index_of(example).index
    weekly_index_compute(week_start=SUNDAY)
    assert WeeklyIndex.objects.count() == 1 and index_of(example).index == first
    record(example, datetime.date(2026, 11, 20), posts=1, reads=10)
    weekly_index_compute(week_start=SUNDAY)
    assert WeeklyIndex.objects.count() == 1
    assert index_of(example).posts == 4 and index_of(example).index != first


def test_it_records_one_audit_event_per_computation(account, office_admin):
    weekly_index_compute(week_start=SUNDAY, actor=office_admin)
    event = AuditEvent.objects.get(action="audits.weekly_index.computed")
    assert event.actor == office_admin
    assert event.changes["after"] == {"week_start": "2026-11-15", "accounts": 1, "removed": 0}


def test_it_refuses_a_week_that_does_not_start_on_sunday(account):
    with pytest.raises(ValidationError):
        weekly_index_compute(week_start=SUNDAY + datetime.timedelta(days=1))


def test_it_refuses_a_week_that_has_not_ended(account):
    with pytest.raises(ValidationError):
        weekly_index_compute(week_start=week_start_of(datetime.date.today()))


def test_it_lets_only_the_office_or_the_system_compute(account, admin_a, auditor):
    for actor in (admin_a, auditor):
        with pytest.raises(PermissionDenied):
            weekly_index_compute(week_start=SUNDAY, actor=actor)


@pytest.mark.parametrize(
    ("day", "sunday"),
    [
        (datetime.date(2026, 11, 15), datetime.date(2026, 11, 15)),  # a Sunday is its own week's start
        (datetime.date(2026, 11, 16), datetime.date(2026, 11, 15)),
        (datetime.date(2026, 11, 21), datetime.date(2026, 11, 15)),  # Saturday ends the week
        (datetime.date(2026, 11, 22), datetime.date(2026, 11, 22)),
    ],
)
def test_it_names_a_week_by_its_sunday(day, sunday):
    assert week_start_of(day) == sunday


@pytest.mark.parametrize(
    ("today", "latest"),
    [
        (datetime.date(2026, 11, 21), datetime.date(2026, 11, 8)),  # Saturday: its week is not over
        (datetime.date(2026, 11, 22), datetime.date(2026, 11, 15)),  # Sunday: the week just ended
        (datetime.date(2026, 11, 27), datetime.date(2026, 11, 15)),
    ],
)
def test_it_takes_the_latest_complete_week(today, latest):
    assert latest_complete_week(today) == latest


def test_the_weekly_task_computes_the_week_that_just_ended(account):
    from audits.ranking.tasks import compute_weekly_index

    record(account, latest_complete_week() + datetime.timedelta(days=2), posts=1, reads=10)
    assert compute_weekly_index() == 1
    assert index_of(account, latest_complete_week()).posts == 1


def test_the_weekly_task_is_scheduled_for_sunday_morning(settings):
    entry = next(
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "audits.tasks.compute_weekly_index"
    )
    assert entry["schedule"].day_of_week == {0}  # Sunday
    assert entry["schedule"].hour == {5}


def _compute_queries(django_assert_max_num_queries) -> tuple[int, int]:
    with django_assert_max_num_queries(20) as captured:
        weekly_index_compute(week_start=SUNDAY)
    inserts = sum(1 for query in captured if query["sql"].startswith('INSERT INTO "audits_weeklyindex"'))
    return len(captured), inserts


def test_it_computes_200_accounts_in_as_many_queries_as_10(department_a, django_assert_max_num_queries):
    """Fixed queries but for the INSERT batches, which only SQLite's 999-parameter limit splits."""

    def grow(start, count):
        accounts = MediaAccount.objects.bulk_create(
            MediaAccount(
                department=department_a,
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
                {
                    "media_account": account.pk,
                    "date": SUNDAY + datetime.timedelta(days=d),
                    "posts": 1,
                    "reads": n,
                }
                for n, account in enumerate(accounts)
                for d in range(7)
            ],
        )

    grow(0, 10)
    queries_few, inserts_few = _compute_queries(django_assert_max_num_queries)
    grow(10, 190)
    queries_many, inserts_many = _compute_queries(django_assert_max_num_queries)
    assert queries_many - inserts_many == queries_few - inserts_few
    if connection.vendor == "postgresql":
        assert queries_many == queries_few
    assert WeeklyIndex.objects.filter(week_start=SUNDAY).count() == 200


def test_the_docs_state_the_figures_this_test_file_checks():
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "index.md").read_text()
    for figure in ("= 4.4487", "= 5.2749", "P = 6.0532", "= 273.54", "(0.7 O + 0.2 A + 0.1 P)² × 12"):
        assert figure in docs


# The ranking page (周榜) -------------------------------------------------------------------------


@pytest.fixture
def last_week(account, file_account, department_b):
    week = latest_complete_week()
    other = file_account(department_b, name="健康发布", platform=Platform.WEIBO)
    record(account, week + datetime.timedelta(days=1), posts=1, reads=500)
    record(other, week + datetime.timedelta(days=1), posts=2, reads=9000)
    weekly_index_compute(week_start=week)
    return week


def test_the_ranking_page_shows_the_latest_week_with_its_chart(client_for, auditor, last_week):
    from django.urls import reverse

    page = client_for(auditor).get(reverse("ranking"))
    assert page.status_code == 200
    assert [row.media_account.name for row in page.context["rows"]] == ["健康发布", "教育发布"]
    assert page.context["chart"]["names"] == ["健康发布", "教育发布"]
    assert 'data-testid="ranking-chart"' in page.text and 'data-testid="compute-week"' not in page.text


def test_the_ranking_page_ranks_within_a_platform(client_for, office_admin, last_week):
    from django.urls import reverse

    page = client_for(office_admin).get(reverse("ranking"), {"platform": Platform.WECHAT_OFFICIAL})
    assert [(row.rank, row.media_account.name) for row in page.context["rows"]] == [(1, "教育发布")]


def test_the_ranking_page_shows_a_unit_its_own_accounts_with_their_district_rank(
    client_for, admin_a, last_week
):
    from django.urls import reverse

    page = client_for(admin_a).get(reverse("ranking"))
    assert [(row.rank, row.media_account.name) for row in page.context["rows"]] == [(2, "教育发布")]


def test_the_office_recomputes_a_week_from_the_ranking_page(client_for, personas, office_admin, last_week):
    from django.urls import reverse

    from tests.permission_matrix import check_matrix

    data = {"week": last_week.isoformat()}
    check_matrix(
        client_for,
        personas,
        "post",
        reverse("ranking_compute"),
        data=data,
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )
    assert AuditEvent.objects.filter(action="audits.weekly_index.computed", actor=office_admin).exists()


def test_the_account_page_shows_its_index_trend(client_for, admin_a, account, last_week):
    from django.urls import reverse

    page = client_for(admin_a).get(reverse("media_account_detail", args=[account.pk]))
    assert 'data-testid="index-trend"' in page.text and "近 12 周传播力指数" in page.text
