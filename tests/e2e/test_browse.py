"""Browsing in a real browser: the office filters the account list and opens an account's chart."""

import datetime

import pytest
from django.utils import timezone

from registry import services
from registry.choices import Platform
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_filters_the_list_by_platform_and_draws_an_accounts_chart(
    page, sign_in, office_admin, file_account, department_a, department_b
):
    weibo = file_account(department_a, name="新城教育微博", platform=Platform.WEIBO)
    file_account(department_a, name="新城教育公众号")
    file_account(department_b, name="健康新城抖音", platform=Platform.DOUYIN)
    today = timezone.localdate()
    services.metrics_record(
        actor=office_admin,
        rows=[
            {
                "media_account": weibo,
                "date": today - datetime.timedelta(days=n),
                "followers": 500 - n,
                "posts": n % 3,
            }
            for n in range(30)
        ],
    )
    sign_in("office", PASSWORD)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="新媒体账号").click()
    page.wait_for_url("**/media-accounts/")
    assert page.locator("table.list tbody tr").count() == 3
    page.get_by_label("平台", exact=True).select_option(label="微博")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/media-accounts/?*platform=weibo*")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 1 and "微博" in rows.first.inner_text()

    page.get_by_role("link", name="新城教育微博").click()
    page.wait_for_url(f"**/media-accounts/{weibo.pk}/")
    assert page.locator("h1").inner_text().startswith("新城教育微博")
    canvas = page.get_by_test_id("activity-chart").locator("canvas")
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    assert box["width"] > 300 and box["height"] > 200
    assert page.get_by_test_id("activity-chart").get_attribute("data-chart-ready") == "true"


def test_the_home_page_draws_every_chart_it_holds(page, sign_in, office_admin, file_account, department_a):
    file_account(department_a, name="新城教育发布")
    file_account(department_a, name="新城教育微博", platform=Platform.WEIBO)
    sign_in("office", PASSWORD)

    page.goto("/")
    charts = page.locator("[data-chart], [data-inspection-chart]")
    assert charts.count() >= 3
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart], [data-inspection-chart]')]"
        ".every((chart) => chart.dataset.chartReady === 'true' && chart.querySelector('canvas'))"
    )
