"""Walking a big list by cursor (docs/api.md, "Walking a whole list"): ``?cursor=`` opts a list in to
id order, each page the rows after the last id of the one before, so a page costs the same
statements however deep it is and however long the list, with no OFFSET and no COUNT; a client
that sends no cursor keeps its page numbers.

The clients sign in with a session: a token's last-used mark is written at most once a minute,
which would make the count depend on the clock rather than on the data.
"""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audits.inspections import services as inspections
from audits.inspections.models import InspectionRun
from registry import services
from registry.choices import Platform
from tests.conftest import established

API = "/api/v1"
WALKABLE = ["/media-accounts/", "/filings/", "/metrics/", "/findings/", "/events/"]
PLATFORMS = itertools.cycle([Platform.WECHAT_OFFICIAL, Platform.WEIBO, Platform.DOUYIN, Platform.TOUTIAO])


@pytest.fixture
def grow(file_account, department_a, sub_unit_a, department_b):
    """Add silent accounts across the units (past their grace, so the day's inspection finds them),
    with two days of figures each, and inspect them: rows for every walkable list."""
    file_account = established(file_account)
    units = itertools.cycle([department_a, sub_unit_a, department_b])

    def make(count):
        accounts = [file_account(next(units), platform=next(PLATFORMS)) for _ in range(count)]
        today = timezone.localdate()
        services.metrics_record(
            actor=None,
            rows=[
                {"media_account": account.pk, "date": today - datetime.timedelta(days=days), "reads": 1}
                for account in accounts
                for days in (1, 2)
            ],
        )
        run = InspectionRun.objects.create(inspection_date=today)
        inspections.inspection_run_execute(run_id=run.pk)

    return make


def get(client, url) -> tuple[dict, list[str]]:
    """The answer's body and the SQL of the statements it took."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return response.json(), [query["sql"] for query in captured.captured_queries]


def walk(client, path, page_size) -> list[tuple[list[int], list[str]]]:
    """Every page of ``path`` by cursor, from an empty one: each page's ids and statements."""
    pages, url = [], f"{API}{path}?cursor=&page_size={page_size}"
    while url:
        body, statements = get(client, url)
        assert "count" not in body
        pages.append(([row["id"] for row in body["results"]], statements))
        url = body["next"]
    return pages


def every_id(client, path) -> list[int]:
    body, _statements = get(client, f"{API}{path}?page_size=500")
    assert body["count"] == len(body["results"]) < 500
    return sorted(row["id"] for row in body["results"])


@pytest.mark.parametrize("path", WALKABLE)
def test_it_walks_every_row_once_in_id_order(client_for, office_admin, grow, path):
    grow(7)
    client = client_for(office_admin)

    walked = [row for ids, _statements in walk(client, path, page_size=3) for row in ids]

    assert walked == every_id(client, path) and len(walked) > 6


@pytest.mark.parametrize("path", WALKABLE)
def test_it_costs_a_cursor_page_the_same_at_any_depth_and_volume(client_for, office_admin, grow, path):
    client = client_for(office_admin)
    grow(4)
    small = walk(client, path, page_size=2)
    grow(14)
    large = walk(client, path, page_size=2)

    assert len(large) > len(small) + 5
    # The first and the last page of a short list, and the first, a deep one and the last of a long one.
    pages = [small[0], small[-1], large[0], large[len(large) // 2], large[-1]]
    assert len({len(statements) for _ids, statements in pages}) == 1, [len(s) for _ids, s in pages]
    for _ids, statements in pages:
        for sql in statements:
            assert "COUNT(" not in sql.upper() and "OFFSET" not in sql.upper(), sql


@pytest.mark.parametrize("path", WALKABLE)
def test_it_walks_only_the_units_rows_for_a_department_admin(client_for, office_admin, admin_a, grow, path):
    grow(6)
    unit = client_for(admin_a)

    walked = [row for ids, _statements in walk(unit, path, page_size=2) for row in ids]

    assert walked == every_id(unit, path)
    assert set(walked) < set(every_id(client_for(office_admin), path))


def test_it_keeps_page_numbers_for_a_client_that_sends_no_cursor(client_for, office_admin, grow):
    grow(3)
    body, _statements = get(client_for(office_admin), f"{API}/media-accounts/?page_size=2&page=2")
    assert body["count"] == 3 and len(body["results"]) == 1
    assert body["next"] is None and "page_size=2" in body["previous"]
