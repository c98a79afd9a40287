"""The API lists cost the same number of queries for 10 rows as for 80 (docs/design.md §13).

Every row is on one page (``page_size=500``), so a query per row would show. The clients sign
in with a session: a token's last-used mark is written at most once a minute, which would
make the count depend on the clock rather than on the data.
"""

import itertools

import pytest

from registry import services
from registry.choices import DepartmentKind, Platform

API = "/api/v1"
MAX_QUERIES = 10  # session (4 with its save), user, scope, count, page, prefetch: no room for a loop
PLATFORMS = itertools.cycle([Platform.WECHAT_OFFICIAL, Platform.WEIBO, Platform.DOUYIN, Platform.TOUTIAO])


@pytest.fixture
def grow(file_account, department_a, sub_unit_a, department_b, admin_a):
    """Add accounts across units, with operators, some still awaiting approval."""
    units = itertools.cycle([department_a, sub_unit_a, department_b])

    def make(count):
        for number in range(count):
            file_account(
                next(units),
                platform=next(PLATFORMS),
                approve=number % 4 != 0,
                operators=[
                    {"name": "张三", "employment": "staff"},
                    {"name": "李四", "employment": "part_time"},
                ],
            )

    return make


def _measure(client, url, django_assert_max_num_queries) -> tuple[int, dict | bytes]:
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content
    return len(captured), response


LIST_PATHS = [
    "/media-accounts/?page_size=500",
    "/media-accounts/?page_size=500&ordering=-followers&platform=weibo",
    "/filings/?page_size=500",
    "/filings/?page_size=500&status=submitted",
]


@pytest.mark.parametrize("persona", ["office", "admin_a"])
def test_it_lists_in_as_many_queries_for_80_accounts_as_for_10(
    client_for, personas, grow, persona, django_assert_max_num_queries, django_assert_num_queries
):
    # Every list is measured on the same two districts: growing 80 accounts a list cost more than
    # the measuring.
    client = client_for(personas[persona])
    grow(10)
    small = {path: _measure(client, API + path, django_assert_max_num_queries) for path in LIST_PATHS}
    grow(70)
    for path, (queries, response) in small.items():
        with django_assert_num_queries(queries):
            large = client.get(API + path)
        assert large.json()["count"] > response.json()["count"] and len(large.json()["results"]) > 10, path


@pytest.mark.parametrize("persona", ["office", "admin_a"])
def test_it_lists_departments_in_as_many_queries_for_200_as_for_10(
    client_for, personas, department_a, persona, django_assert_max_num_queries, django_assert_num_queries
):
    def grow(count, start):
        for number in range(start, start + count):
            services.department_create(
                actor=None,
                name=f"科室{number}",
                code=f"unit{number}",
                kind=DepartmentKind.OTHER,
                parent=department_a,
            )

    client = client_for(personas[persona])
    grow(10, 0)
    queries, small = _measure(client, f"{API}/departments/?page_size=500", django_assert_max_num_queries)
    grow(190, 10)
    with django_assert_num_queries(queries):
        large = client.get(f"{API}/departments/?page_size=500")
    assert large.json()["count"] == small.json()["count"] + 190


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_it_exports_in_as_many_queries_for_80_accounts_as_for_10(
    client_for, office_admin, grow, file_format, django_assert_max_num_queries, django_assert_num_queries
):
    def export() -> bytes:
        response = client.get(f"{API}/media-accounts/?format={file_format}")
        assert response.status_code == 200 and response.streaming
        # The file is written as the client reads it: its queries run here.
        return b"".join(response.streaming_content)

    client = client_for(office_admin)
    grow(10)
    with django_assert_max_num_queries(MAX_QUERIES) as captured:
        small = export()
    grow(70)
    with django_assert_num_queries(len(captured)):
        assert len(export()) > len(small)
