"""The three steps of a clean-up campaign in a real browser, from the office's new campaign to the
verified closure on the campaign page (docs/design.md §1.3)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from audits.campaigns.choices import Proposal
from audits.campaigns.models import ClosureOrder, SelfInspection
from audits.inspections import services as inspection_service
from registry.choices import MediaAccountStatus, Platform
from registry.models import MediaAccount
from tests import campaigns as tests_campaigns
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def funnel(page) -> dict[str, str]:
    """The steps beside the headline as the reader sees them: label → count."""
    steps = page.locator(".closure-funnel li")
    return {
        steps.nth(i).locator(".label").inner_text(): steps.nth(i).locator(".figure").inner_text()
        for i in range(steps.count())
    }


def sign_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")


def test_it_runs_a_campaign_from_self_inspection_to_verified_closure(
    page, sign_in, office_admin, admin_a, admin_b, file_account, department_a, department_b
):
    silent = file_account(department_a, name="新城教育发布")
    file_account(department_a, name="新城教育微博", platform=Platform.WEIBO)
    file_account(department_b, name="健康新城")
    today = timezone.localdate()

    # Step 0: the office sets up the campaign and starts it after seeing how many accounts it covers.
    sign_in("office", PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="清理整顿").click()
    page.get_by_role("link", name="新建专项行动").click()
    page.get_by_label("名称").fill("2026年政务新媒体清理整顿")
    page.get_by_label("自查截止日期").fill((today + datetime.timedelta(days=14)).isoformat())
    page.get_by_label("关停整合期限").fill((today + datetime.timedelta(days=45)).isoformat())
    page.get_by_role("button", name="创建专项行动").click()
    page.get_by_role("link", name="启动专项行动").click()
    assert page.get_by_role("heading", name="纳入范围的在用账号共 3 个。").is_visible()
    page.get_by_test_id("start-campaign").click()
    assert "专项行动已启动：已生成 3 份自查申请" in page.locator(".messages").inner_text()
    campaign_url = page.url
    sign_out(page)

    # Step 1: the unit's administrator answers the three haves and proposes to close.
    sign_in("dept-edu", PASSWORD)
    assert page.get_by_test_id("unread-count").inner_text() == "1"
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="清理整顿").click()
    page.get_by_role("link", name="我的自查申请").click()
    page.get_by_role("link", name="新城教育发布").click()
    for question in ("has_need", "has_capacity", "has_support"):
        page.locator(f"input[name={question}][value=False]").check()
    page.locator("input[name=proposal][value=close]").check()
    page.get_by_test_id("submit-inspection").click()
    # The unit is taken on to its other account still to answer; the one submitted is locked.
    page.get_by_role("heading", name="新城教育微博").wait_for()
    page.go_back()
    page.reload()
    assert page.get_by_test_id("inspection-status").inner_text() == "已提交"
    sign_out(page)

    # Step 2: the office records its meeting and accepts the recommendation to close.
    sign_in("office", PASSWORD)
    page.goto(campaign_url)
    page.get_by_role("link", name="记录审议会").first.click()
    page.get_by_label("参会人员").fill("部长、分管副部长、网信办主任")
    page.get_by_role("button", name="记录审议会").click()
    row = page.get_by_test_id("decision-sheet").locator("tbody.application")
    expect(row).to_have_count(1)
    assert row.locator("select[name$='-outcome']").input_value() == "close"
    page.get_by_test_id("record-decisions").click()
    assert "已记录 1 项审议结论" in page.locator(".messages").inner_text()
    assert "关停" in page.get_by_test_id("decisions").inner_text()
    # Decided is not closed: the headline waits for the office's verification, and says so.
    page.goto(campaign_url)
    assert (
        page.get_by_test_id("campaign-headline").inner_text().startswith("已关停或整合 0 个，占 3 个的 0.0%")
    )
    assert "只计入宣传部已核验的关停和整合" in page.get_by_test_id("headline-note").inner_text()
    assert funnel(page) == {"决定关停或整合": "1", "单位已确认办结": "0", "宣传部已核验": "0"}
    sign_out(page)

    # Step 3: the unit confirms the closure with its notice; the office verifies it.
    order = ClosureOrder.objects.get(media_account=silent)
    sign_in("dept-edu", PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="清理整顿").click()
    page.get_by_role("link", name="关停整合令").click()
    page.get_by_role("link", name="新城教育发布").click()
    assert page.get_by_test_id("order-status").inner_text() == "待单位办理"
    page.get_by_label("公告链接").fill("https://www.xincheng.gov.cn/notice/2026-01")
    page.get_by_test_id("confirm-order").click()
    assert page.get_by_test_id("order-status").inner_text() == "单位已确认"
    sign_out(page)

    sign_in("office", PASSWORD)
    page.goto(f"/closure-orders/{order.pk}/")
    page.get_by_test_id("verify-order").click()
    assert page.get_by_test_id("order-status").inner_text() == "已核验"
    silent.refresh_from_db()
    assert silent.status == MediaAccountStatus.CLOSED

    # The campaign page reports the result the way the model case does.
    page.goto(campaign_url)
    assert (
        page.get_by_test_id("campaign-headline").inner_text().startswith("已关停或整合 1 个，占 3 个的 33.3%")
    )
    assert funnel(page) == {"决定关停或整合": "1", "单位已确认办结": "1", "宣传部已核验": "1"}
    page.locator("[data-campaign-chart='funnel'][data-chart-ready='true']").wait_for()
    page.locator("[data-campaign-chart='outcomes'][data-chart-ready='true']").wait_for()
    # And so does the dashboard, where the office looks first.
    page.goto("/")
    card = page.get_by_test_id(f"dashboard-campaign-{order.campaign_id}")
    assert (
        card.get_by_test_id("campaign-headline").inner_text().startswith("已关停或整合 1 个，占 3 个的 33.3%")
    )
    assert funnel(card) == {"决定关停或整合": "1", "单位已确认办结": "1", "宣传部已核验": "1"}


def test_it_shows_the_grade_on_the_review_and_picks_a_merge_target_by_searching(
    page, sign_in, office_admin, admin_a, file_account, department_a, department_b
):
    silent = file_account(department_a, name="新城教育发布", has_interaction=False)
    file_account(department_a, name="新城教育微博", platform=Platform.WEIBO)
    healthy = file_account(department_b, name="健康新城")
    inspection_service.inspection_run_execute(
        run_id=inspection_service.inspection_run_request(actor=office_admin).pk
    )
    campaign = tests_campaigns.campaign(office_admin)
    application = tests_campaigns.submitted(
        admin_a, tests_campaigns.inspection_of(campaign, silent), Proposal.CLOSE
    )
    meeting = tests_campaigns.meeting(office_admin, campaign)

    sign_in("office", PASSWORD)
    # The review shows what the account list shows: red, and why.
    page.goto(f"/campaigns/{campaign.pk}/review/")
    findings = page.get_by_test_id(f"findings-{application.pk}")
    assert findings.locator("[data-grade]").inner_text() == "红色"
    assert "未提供有效互动功能" in findings.inner_text()

    # The sheet's merge target is a search, grouped by unit, that never offers the account itself.
    page.goto(f"/meetings/{meeting.pk}/")
    row = page.get_by_test_id(f"sheet-row-{application.pk}")
    row.locator("select[name$='-outcome']").select_option("merge")
    picker = row.get_by_role("combobox", name="整合到")
    picker.fill("新城教育")
    listbox = row.get_by_role("listbox")
    weibo = MediaAccount.objects.get(name="新城教育微博")
    expect(listbox.get_by_role("option")).to_have_text([f"新城教育微博（微博） {weibo.filing_number}"])
    picker.fill("健康")
    group = listbox.get_by_role("group", name="区卫生健康委")
    group.get_by_role("option", name=f"健康新城（微信公众号） {healthy.filing_number}").wait_for()
    picker.press("ArrowDown")
    picker.press("Enter")
    assert picker.input_value() == "健康新城（微信公众号）"
    page.get_by_test_id("record-decisions").click()
    assert "已记录 1 项审议结论" in page.locator(".messages").inner_text()
    assert "→ 健康新城" in page.get_by_test_id("decisions").inner_text()
    order = ClosureOrder.objects.get(media_account=silent)
    assert order.merge_target == healthy


def test_it_takes_the_unit_from_one_self_inspection_to_the_next(
    page, sign_in, office_admin, admin_a, file_account, department_a, department_b
):
    first = file_account(department_a, name="新城教育发布")
    second = file_account(department_a, name="新城教育微博", platform=Platform.WEIBO)
    healthy = file_account(department_b, name="健康新城")
    campaign = tests_campaigns.campaign(office_admin)

    sign_in("dept-edu", PASSWORD)
    page.goto(f"/self-inspections/?campaign={campaign.pk}")
    page.get_by_role("link", name="新城教育发布").click()
    for question in ("has_need", "has_capacity", "has_support"):
        page.locator(f"input[name={question}][value=False]").check()
    page.locator("input[name=proposal][value=close]").check()
    page.get_by_test_id("submit-inspection").click()
    # On to the next account still to answer, told what happened to the last one.
    page.get_by_role("heading", name="新城教育微博").wait_for()
    told = page.locator(".messages").inner_text()
    assert "已提交：新城教育发布" in told and "本专项行动还有 1 份自查申请待填写，这是下一份。" in told

    # This one merges into another unit's account, found by searching.
    for question in ("has_need", "has_capacity", "has_support"):
        page.locator(f"input[name={question}][value=False]").check()
    page.locator("input[name=proposal][value=merge]").check()
    picker = page.get_by_role("combobox", name="整合到")
    picker.fill("健康")
    page.get_by_role("option", name=f"健康新城（微信公众号） {healthy.filing_number}").click()
    assert picker.input_value() == "健康新城（微信公众号）"
    page.get_by_test_id("submit-inspection").click()
    page.wait_for_url(f"**/self-inspections/?campaign={campaign.pk}")
    assert "本专项行动中您的自查申请已全部提交。" in page.locator(".messages").inner_text()
    proposals = {
        inspection.media_account: inspection
        for inspection in SelfInspection.objects.filter(campaign=campaign)
    }
    assert proposals[first].proposal == Proposal.CLOSE
    assert proposals[second].proposal == Proposal.MERGE and proposals[second].merge_target == healthy


def test_it_opens_the_merge_targets_above_a_box_at_the_foot_of_the_window(
    page, sign_in, office_admin, admin_a, file_account, department_a, department_b
):
    file_account(department_a, name="新城教育发布")
    for number in range(4):
        file_account(department_b, name=f"健康新城{number}", platform_uid=f"health-{number}")
    campaign = tests_campaigns.campaign(office_admin)

    sign_in("dept-edu", PASSWORD)
    page.goto(f"/self-inspections/?campaign={campaign.pk}")
    page.get_by_role("link", name="新城教育发布").click()
    page.locator("input[name=proposal][value=merge]").check()
    picker = page.get_by_role("combobox", name="整合到")
    # A window that ends just below the box, scrolled to the top: no scrolling brings a list
    # opened downwards into sight.
    page.evaluate("window.scrollTo(0, 0)")
    box = picker.bounding_box()
    page.set_viewport_size({"width": 1280, "height": int(box["y"] + box["height"] + 6)})
    page.evaluate("window.scrollTo(0, 0)")
    picker.fill("健康")
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_count(4)
    for index in range(4):
        expect(options.nth(index)).to_be_in_viewport(ratio=1)
    options.last.click()
    assert picker.input_value() == "健康新城3（微信公众号）"
