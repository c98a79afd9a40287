"""The dashboard's charts and figures, and that every browsing page is ready for a strict
Content-Security-Policy (no inline scripts, handlers or styles; ECharts from our own files)."""

import json
import re

import pytest
from django.urls import NoReverseMatch, reverse

from registry.choices import Platform

pytestmark = pytest.mark.django_db


def chart_data(response) -> dict:
    return json.loads(
        re.search(
            r'<script id="overview-charts" type="application/json">(.*?)</script>',
            response.content.decode(),
            re.S,
        ).group(1)
    )


def test_it_charts_accounts_by_status_platform_and_department_kind(
    client_for, office_admin, file_account, department_a, sub_unit_a
):
    file_account(department_a, platform=Platform.WEIBO)
    file_account(department_a, platform=Platform.DOUYIN, approve=False)
    file_account(sub_unit_a)
    data = chart_data(client_for(office_admin).get("/"))
    assert {item["key"]: item["value"] for item in data["status"]["items"]} == {"pending": 1, "active": 2}
    assert data["platform"]["categories"] == ["微信公众号", "微博", "抖音"]
    series = {series["key"]: series["data"] for series in data["platform"]["series"]}
    assert series == {"live": [1, 1, 0], "pending": [0, 0, 1]}  # states nobody is in stay out of the legend
    assert data["department_kind"]["categories"] == ["区直部门", "其他单位"]
    assert {s["key"]: s["data"] for s in data["department_kind"]["series"]} == {
        "live": [1, 1],
        "pending": [1, 0],
    }


def test_it_links_pending_filings_to_the_approval_queue(client_for, office_admin, file_account, department_a):
    try:
        queue = reverse("filing_queue")
    except NoReverseMatch:
        pytest.skip("the approval queue is not built yet")
    file_account(department_a, approve=False)
    page = client_for(office_admin).get("/").content.decode()
    tile = (
        rf'<a class="stat attention" href="{queue}"><span class="figure" data-testid="pending-filing-count">'
    )
    assert re.search(tile + "1<", page)


def test_it_says_so_when_there_is_nothing_to_chart(client_for, office_admin):
    page = client_for(office_admin).get("/").content.decode()
    assert "暂无账号" in page and "data-chart=" not in page


@pytest.fixture
def every_page(file_account, department_a, office_admin):
    from registry import services

    account = file_account(department_a)
    services.metrics_record(
        actor=office_admin, rows=[{"media_account": account, "date": account.opened_on, "followers": 5}]
    )
    return [
        "/",
        "/departments/",
        f"/departments/{department_a.pk}/",
        "/media-accounts/",
        f"/media-accounts/{account.pk}/",
        "/matrix/",
    ]


def test_it_keeps_scripts_styles_and_handlers_out_of_the_pages(client_for, office_admin, every_page):
    client = client_for(office_admin)
    for url in every_page:
        page = client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", page):
            assert 'src="/static/' in tag or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url


def test_it_serves_echarts_from_our_own_static_files(client_for, office_admin, every_page):
    client = client_for(office_admin)
    for url in ("/", every_page[4]):
        page = client.get(url).content.decode()
        assert '<script src="/static/vendor/echarts/echarts.min.js">' in page
        assert '<script src="/static/js/charts.js">' in page
        assert "//cdn" not in page and "https://" not in re.sub(r'href="[^"]*"', "", page)
