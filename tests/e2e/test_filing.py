"""Filing in a real browser: a unit files an account, the office approves it in the queue, and
the account shows as active with its filing number and in the exported registration form."""

import openpyxl
import pytest
from playwright.sync_api import expect

from registry.models import MediaAccount
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_takes_an_account_from_filing_to_approval_to_the_export(
    page, sign_in, office_admin, admin_a, department_a, tmp_path
):
    sign_in("dept-edu", PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="账号备案").click()
    page.get_by_role("link", name="新账号备案").click()
    page.get_by_label("账号名称").fill("新城教育发布")
    page.locator("#id_platform").select_option(label="微博")
    page.get_by_label("平台账号 ID").fill("xc_edu_weibo")
    page.get_by_label("网址").fill("https://weibo.com/xcedu")
    page.get_by_label("信息发布").check()
    page.get_by_label("责任人").fill("王五")
    page.get_by_label("第 1 位运维人员：姓名").fill("张三")
    page.get_by_label("第 1 位运维人员：用工性质").select_option(label="在编人员")
    page.get_by_role("textbox", name="开设理由", exact=True).fill("发布教育政策，有专人运维")
    page.get_by_role("button", name="提交备案").click()
    assert "已提交备案，等待宣传部审核。" in page.locator(".messages").inner_text()
    assert MediaAccount.objects.get().status == "pending"

    page.get_by_role("button", name="退出登录").click()
    sign_in("office", PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="备案审核").click()
    card = page.locator("article.filing-card").filter(has_text="新城教育发布")
    assert "区教育局" in card.inner_text() and "发布教育政策，有专人运维" in card.inner_text()
    card.get_by_label("审核意见（驳回时必填）").fill("符合三有原则")
    card.get_by_role("button", name="批准").click()
    page.locator(".messages").wait_for()
    account = MediaAccount.objects.get()
    assert account.status == "active" and account.filing_number
    # The office reads the number it has just given, to tell the unit.
    assert (
        page.locator(".messages").inner_text()
        == f"已批准“新城教育发布（微博）：开设备案”，备案编号 {account.filing_number}。"
    )
    assert "没有待审核的备案。" in page.locator("main").inner_text()
    page.goto(f"/media-accounts/{account.pk}/")
    record = page.locator("main").inner_text()
    assert "运营中" in record and account.filing_number in record

    # The filing's own page tells its story, and the trail page has the whole of it.
    page.goto(f"/filings/{account.filings.get().pk}/")
    history = page.get_by_test_id("history")
    assert [row.inner_text() for row in history.locator("tbody th").all()] == ["备案批准", "提交备案"]
    history.get_by_role("link", name="在操作日志中查看这些事件").click()
    expect(page.get_by_test_id("trail").locator("tbody tr")).to_have_count(2)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="新媒体账号").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.suffix == ".xlsx"
    rows = list(openpyxl.load_workbook(path).worksheets[0].iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "主办单位", "单位代码", "账号名称")
    assert rows[1][3] == "新城教育发布" and rows[1][8] == account.filing_number
