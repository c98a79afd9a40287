"""The inspection in a real browser: the office runs one and reads its report; a unit answers its notice."""

import pytest

from audits.inspections import services as inspections
from audits.inspections.models import InspectionRun, RectificationNotice
from audits.inspections.tasks import execute_inspection_run
from registry.choices import Platform
from tests.conftest import PASSWORD, established

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


@pytest.fixture
def queued(monkeypatch):
    """Runs sent to Celery, kept here: the test plays the worker, whenever it likes."""
    sent = []
    monkeypatch.setattr(execute_inspection_run, "delay", sent.append)
    return sent


def test_it_runs_an_inspection_from_the_browser_and_the_unit_answers_its_notice(
    page, sign_in, queued, office_admin, admin_a, file_account, department_a, department_b
):
    file_account(department_a, name="新城教育公众号")  # never posted: a veto finding
    file_account(department_b, name="健康新城微博", platform=Platform.WEIBO, has_interaction=False)
    # Approved today, no post yet: within its grace, not a veto (issue 10).
    file_account(department_a, name="教育新开抖音号", platform=Platform.DOUYIN, activated_on=None)
    sign_in("office", PASSWORD)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="定期巡查").click()
    page.wait_for_url("**/inspections/")
    page.get_by_role("button", name="立即巡查").click()
    page.wait_for_url("**/inspections/*/")
    run = InspectionRun.objects.get()
    assert page.get_by_test_id("run-status").inner_text() == "排队中"
    assert queued == [run.pk]

    # The worker runs it; the page, asking every 2 s, shows the report by itself.
    inspections.inspection_run_execute(run_id=run.pk)
    page.get_by_test_id("red-accounts").wait_for()
    assert page.get_by_test_id("run-status").inner_text() == "已结束"
    assert page.get_by_test_id("report-findings").inner_text() != "0"
    red = page.get_by_test_id("red-accounts").inner_text()
    assert "新城教育公众号" in red and "健康新城微博" in red
    assert "教育新开抖音号" not in red
    chart = page.locator('[data-inspection-chart="rules"]')
    chart.locator("canvas").wait_for(state="visible")
    assert chart.get_attribute("data-chart-ready") == "true"

    page.get_by_role("button", name="退出登录").click()
    sign_in("dept-edu", PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="整改通知").click()
    page.wait_for_url("**/notices/")
    notice = RectificationNotice.objects.get(department=department_a)
    rows = page.get_by_test_id("notices").locator("tbody tr")
    assert rows.count() == 1  # the unit sees its own notice only
    rows.get_by_role("link", name=department_a.name).click()
    page.wait_for_url(f"**/notices/{notice.pk}/")
    assert "新城教育公众号" in page.get_by_test_id("notice-findings").inner_text()
    page.get_by_label("整改情况").fill("已恢复更新，每日发布信息")
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_url(f"**/notices/{notice.pk}/")
    assert page.get_by_test_id("notice-status").inner_text() == "已答复"
    assert "已恢复更新" in page.get_by_test_id("notice-response").inner_text()
    notice.refresh_from_db()
    assert (notice.status, notice.responded_by) == ("responded", admin_a)
