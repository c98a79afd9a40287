"""The weekly ranking over REST: highest index first, ranked in the district, by platform on request."""

import datetime

import pytest

from audits.ranking.models import WeeklyIndex
from audits.ranking.selectors import latest_complete_week
from audits.ranking.services import weekly_index_compute
from registry import services
from registry.choices import Platform
from tests.conftest import established
from tests.permission_matrix import check_matrix

API = "/api/v1/rankings/"
WEEK = latest_complete_week()


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def posts(account, reads, week=WEEK):
    services.metrics_record(
        actor=None,
        rows=[
            {
                "media_account": account.pk,
                "date": week + datetime.timedelta(days=2),
                "posts": 1,
                "reads": reads,
            }
        ],
    )


@pytest.fixture
def ranked(file_account, department_a, department_b):
    """Four accounts: B's Weibo account leads, then A's WeChat, A's Weibo, and a silent one of B."""
    accounts = {
        "a_wechat": file_account(department_a, name="教育发布"),
        "a_weibo": file_account(department_a, name="教育微博", platform=Platform.WEIBO),
        "b_weibo": file_account(department_b, name="健康微博", platform=Platform.WEIBO),
        "b_silent": file_account(department_b, name="健康发布"),
    }
    posts(accounts["a_wechat"], 5000)
    posts(accounts["a_weibo"], 100)
    posts(accounts["b_weibo"], 90_000)
    weekly_index_compute(week_start=WEEK)
    return accounts


def names(response) -> list[tuple[int, str]]:
    return [(row["rank"], row["name"]) for row in response.json()["results"]]


def test_it_ranks_the_latest_complete_week_highest_first(api_for, office_admin, ranked):
    response = api_for(office_admin).get(API)
    assert response.status_code == 200
    body = response.json()
    assert body["week_start"] == WEEK.isoformat()
    assert body["week_end"] == (WEEK + datetime.timedelta(days=6)).isoformat()
    assert names(response) == [(1, "健康微博"), (2, "教育发布"), (3, "教育微博"), (4, "健康发布")]
    first = body["results"][0]
    assert first["media_account"] == ranked["b_weibo"].pk
    assert first["posts"] == 1 and first["reads"] == 90_000
    assert first["index"] > 0 and {"overall", "per_post", "peak"} <= set(first)
    assert body["results"][-1]["index"] == 0


def test_it_ranks_within_a_platform(api_for, office_admin, ranked):
    response = api_for(office_admin).get(API, {"platform": Platform.WEIBO})
    assert names(response) == [(1, "健康微博"), (2, "教育微博")]


def test_it_takes_any_day_of_the_week_and_names_its_sunday(api_for, office_admin, ranked):
    wednesday = WEEK + datetime.timedelta(days=3)
    body = api_for(office_admin).get(API, {"week": wednesday.isoformat()}).json()
    assert body["week_start"] == WEEK.isoformat() and body["count"] == 4


def test_it_lists_nothing_for_a_week_not_computed(api_for, office_admin, ranked):
    body = api_for(office_admin).get(API, {"week": (WEEK - datetime.timedelta(days=7)).isoformat()}).json()
    assert body["count"] == 0


@pytest.mark.parametrize("query", [{"week": "last week"}, {"platform": "myspace"}])
def test_it_refuses_a_bad_query(api_for, office_admin, query):
    response = api_for(office_admin).get(API, query)
    assert response.status_code == 400
    assert set(response.json()["fields"]) == set(query)


def test_it_shows_a_unit_its_own_accounts_with_their_district_rank(api_for, admin_a, ranked):
    assert names(api_for(admin_a).get(API)) == [(2, "教育发布"), (3, "教育微博")]


def test_it_gives_tied_accounts_the_same_rank(api_for, office_admin, ranked, file_account, department_a):
    twin = file_account(department_a, name="教育发布二号")
    posts(twin, 5000)
    weekly_index_compute(week_start=WEEK)
    assert names(api_for(office_admin).get(API))[:3] == [
        (1, "健康微博"),
        (2, "教育发布"),
        (2, "教育发布二号"),
    ]


def test_it_computes_a_week_on_demand(api_for, office_admin, ranked):
    earlier = WEEK - datetime.timedelta(days=7)
    posts(ranked["a_weibo"], 10, week=earlier)
    response = api_for(office_admin).post(
        f"{API}compute/?week={(earlier + datetime.timedelta(days=1)).isoformat()}"
    )
    assert response.status_code == 200
    assert response.json() == {
        "week_start": earlier.isoformat(),
        "week_end": (earlier + datetime.timedelta(days=6)).isoformat(),
        "accounts": 4,
    }
    assert WeeklyIndex.objects.filter(week_start=earlier).count() == 4


def test_it_refuses_to_compute_a_week_that_has_not_ended(api_for, office_admin, ranked):
    response = api_for(office_admin).post(f"{API}compute/?week={datetime.date.today().isoformat()}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["week"]


def test_it_lets_everyone_signed_in_read_and_only_the_office_compute(client_for, personas, ranked):
    check_matrix(
        client_for,
        personas,
        "get",
        API,
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=200,
        admin_gov=200,
        anonymous=401,
    )
    check_matrix(
        client_for,
        personas,
        "post",
        API + "compute/",
        office=200,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=401,
    )


def test_it_lists_60_accounts_in_as_many_queries_as_10(
    client_for,
    office_admin,
    admin_a,
    department_a,
    file_account,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    def grow(count):
        for n in range(count):
            posts(file_account(department_a), 100 + n)
        weekly_index_compute(week_start=WEEK)

    clients = [client_for(office_admin), client_for(admin_a)]
    grow(10)
    measured = []
    for client in clients:
        with django_assert_max_num_queries(10) as captured:
            assert client.get(API, {"page_size": 500}).json()["count"] == 10
        measured.append(len(captured))
    grow(50)
    for client, queries in zip(clients, measured, strict=True):
        with django_assert_num_queries(queries):
            assert client.get(API, {"page_size": 500}).json()["count"] == 60
