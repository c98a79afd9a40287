"""The weekly ranking in a real browser (issue 10): the week named for what it is, headings that say
what the chart and the list hold, the legend on the page, the count the computation gave, the export."""

import datetime

import pytest
from openpyxl import load_workbook

from audits.ranking.selectors import latest_complete_week
from audits.ranking.services import weekly_index_compute
from registry import services
from registry.choices import MediaAccountStatus, Platform
from registry.models import MediaAccount
from tests.conftest import PASSWORD, established

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HEADING = "全部平台排名：第 1–2 名，共 2 个账号参与排名"


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def test_the_office_reads_the_weeks_ranking_and_exports_it(
    page, sign_in, office_admin, file_account, department_a, department_b
):
    week = latest_complete_week()
    monday, saturday = week + datetime.timedelta(days=1), week + datetime.timedelta(days=6)
    accounts = [
        file_account(department_a, name="新城教育发布"),
        file_account(department_b, name="健康新城微博", platform=Platform.WEIBO),
        file_account(department_b, name="健康旧号"),
    ]
    services.metrics_record(
        actor=None,
        rows=[
            {"media_account": account.pk, "date": monday, "posts": 2, "reads": reads}
            for account, reads in zip(accounts, (8000, 3000, 500), strict=True)
        ],
    )
    weekly_index_compute(week_start=week)
    # Then the office records that the old account had been merged a month before the week.
    merged_on = week - datetime.timedelta(days=30)
    MediaAccount.objects.filter(pk=accounts[2].pk).update(
        status=MediaAccountStatus.MERGED, merged_into=accounts[0], closed_on=merged_on
    )
    sign_in("office", PASSWORD)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="周榜").click()
    page.wait_for_url("**/rankings/")
    assert page.get_by_test_id("week-name").inner_text() == "上周（最近一个完整周）"
    assert page.locator("#chart-title").inner_text() == "全部平台指数前 2 名（条形图）"
    assert page.get_by_test_id("ranking-heading").inner_text() == HEADING
    legend = page.get_by_test_id("ranking-legend")
    assert legend.is_visible()
    assert "O 日均" in legend.inner_text() and "(0.7 O + 0.2 A + 0.1 P)² × 12" in legend.inner_text()
    assert "健康旧号" not in page.get_by_test_id("ranking").inner_text()
    page.locator("[data-testid='ranking-chart'][data-chart-ready='true'] canvas").wait_for()

    # The account's page draws its index over the weeks beside its daily figures.
    page.goto(f"{page.url.split('/rankings/')[0]}/media-accounts/{accounts[0].pk}/")
    page.locator("[data-testid='index-trend'][data-chart-ready='true'] canvas").wait_for()
    page.locator("[data-testid='activity-chart'][data-chart-ready='true'] canvas").wait_for()
    page.go_back()

    page.get_by_role("button", name=f"重新计算 {week.isoformat()} 至 {saturday.isoformat()} 的指数").click()
    page.wait_for_url("**/rankings/?week=*")
    assert "共 2 个账号。" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("ranking-heading").inner_text() == HEADING

    with page.expect_download() as download:
        page.get_by_role("link", name="导出（.xlsx）").click()
    assert download.value.suggested_filename == f"周榜-{week:%Y%m%d}.xlsx"
    with open(download.value.path(), "rb") as workbook:  # the saved download has no .xlsx suffix
        sheet = load_workbook(workbook).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == f"周榜（全部平台）：{week.isoformat()} 至 {saturday.isoformat()}"
    header = next(index for index, row in enumerate(rows) if row[0] == "名次")
    assert [(row[0], row[1]) for row in rows[header + 1 :]] == [(1, "新城教育发布"), (2, "健康新城微博")]
