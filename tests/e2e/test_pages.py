"""What a user sees around the pages themselves: the tab's title and icon, and the pages for a
wrong address or a forbidden one, in a real browser."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from audits.campaigns import services as campaign_services
from audits.campaigns.choices import Outcome
from registry.choices import Platform
from tests.campaigns import campaign, days_from_now, inspection_of, meeting, submitted
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BRAND = "政务新媒体矩阵备案与治理平台"


def test_it_shows_a_wrong_address_in_the_sites_frame_and_leads_back(page, sign_in, office_admin):
    sign_in("office", PASSWORD)
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    page.goto("/media-accounts/")
    assert page.title() == f"政务新媒体账号 — {BRAND}"
    assert page.locator(".brand").inner_text() == BRAND
    icon = page.evaluate("fetch(document.querySelector('link[rel=icon]').href).then(r => r.status)")
    assert icon == 200
    status, kind = page.evaluate("fetch('/favicon.ico').then(r => [r.status, r.headers.get('content-type')])")
    assert status == 200 and kind in ("image/x-icon", "image/vnd.microsoft.icon")
    assert missing == []  # no icon (or anything else) the page names is missing

    response = page.goto("/media-acounts/")  # a typo in the address
    assert response.status == 404
    assert page.title() == f"页面不存在 — {BRAND}"
    assert page.locator("h1").inner_text() == "页面不存在"
    assert page.get_by_role("navigation", name="主导航").is_visible()  # still in the site
    page.get_by_role("link", name="返回概览").click()
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text() == "概览"


def test_it_shows_a_forbidden_page_in_chinese(page, sign_in, admin_a):
    sign_in("dept-edu", PASSWORD)
    response = page.goto(reverse("media_accounts_import"))
    assert response.status == 403
    assert page.title() == f"无权访问 — {BRAND}"
    assert "宣传部（网信办）" in page.locator("main").inner_text()


def test_it_offers_all_once_in_each_filter_of_the_filing_list(
    page, sign_in, admin_a, file_account, department_a
):
    file_account(department_a, approve=False, actor=admin_a)
    sign_in("dept-edu", PASSWORD)
    page.goto(reverse("filing_list"))
    for label in ("状态", "类别"):
        options = page.get_by_label(label, exact=True).evaluate(
            "select => [...select.options].map(o => o.text)"
        )
        assert options[0] == "全部" and "---------" not in options, (label, options)
    page.get_by_label("状态", exact=True).select_option(label="全部")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("table.list tbody tr")).to_have_count(1)


def test_it_writes_the_review_decisions_notification_in_chinese(
    page, sign_in, office_admin, admin_a, department_a, file_account
):
    closing = file_account(department_a, name="新城教育微博", platform=Platform.WEIBO)
    started = campaign(office_admin)
    campaign_services.decision_make(
        actor=office_admin,
        self_inspection=submitted(admin_a, inspection_of(started, closing), "close"),
        meeting=meeting(office_admin, started),
        outcome=Outcome.CLOSE,
        deadline=days_from_now(30),
    )
    sign_in("dept-edu", PASSWORD)
    page.get_by_test_id("notification-bell").click()
    decisions = page.get_by_test_id("notification").filter(has_text="审议结论")
    assert (
        decisions.locator(".notification-body").inner_text()
        == f"新城教育微博：关停，期限 {days_from_now(30)}"
    )
