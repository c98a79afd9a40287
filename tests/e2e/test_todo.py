"""The to-do page in a real browser: the office sees its count in the navigation, opens 待办 and
reminds a late unit (催办); the unit's administrator finds the reminder among its notifications
and is taken to its own to-do."""

import pytest

from audits.trail.models import AuditEvent
from tests.conftest import PASSWORD
from tests.todo import late_district

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_office_its_to_do_and_lets_it_remind_a_late_unit(
    page,
    sign_in,
    office_admin,
    admin_a,
    admin_b,
    file_account,
    department_a,
    sub_unit_a,
    department_b,
):
    district = late_district(
        office_admin, admin_a, admin_b, file_account, department_a, sub_unit_a, department_b
    )
    sign_in("office", PASSWORD)

    navigation = page.get_by_role("navigation", name="主导航")
    assert navigation.get_by_test_id("nav-todo-count").inner_text() == "7"
    navigation.get_by_role("link", name="待办").click()
    page.wait_for_url("**/todo/")
    assert page.get_by_test_id("todo-count-filings").inner_text().startswith("1")
    assert page.get_by_test_id("todo-count-late_units").inner_text().startswith("3")
    assert "健康新城抖音" in page.get_by_test_id("todo-filings").inner_text()
    assert district.campaign.name in page.get_by_test_id("todo-applications").inner_text()

    late = page.get_by_test_id(f"late-unit-{department_a.pk}")
    assert late.get_by_test_id("last-reminded").inner_text() == "—"
    late.get_by_label("给区教育局的留言").fill("请于本周五前办结。")
    late.get_by_role("button", name="催办").click()
    page.wait_for_url("**/todo/")
    assert "已催办区教育局，已通知 1 名管理员。" in page.locator(".messages").inner_text()
    assert (
        page.get_by_test_id(f"late-unit-{department_a.pk}").get_by_test_id("last-reminded").inner_text()
        != "—"
    )
    recorded = AuditEvent.objects.get(action="audits.reminder.sent")
    assert (recorded.department_id, recorded.changes["after"]["message"]) == (
        department_a.pk,
        "请于本周五前办结。",
    )

    page.get_by_role("button", name="退出登录").click()
    sign_in("dept-edu", PASSWORD)
    page.get_by_test_id("notification-bell").click()
    page.wait_for_url("**/notifications/")
    reminder_notice = page.get_by_test_id("notification").filter(has_text="宣传部催办：区教育局有逾期事项")
    assert "请于本周五前办结。" in reminder_notice.inner_text()
    assert "教育抖音" in reminder_notice.inner_text()
    reminder_notice.get_by_role("button", name="宣传部催办：区教育局有逾期事项").click()
    page.wait_for_url("**/todo/")
    assert page.get_by_role("navigation", name="主导航").get_by_test_id("nav-todo-count").inner_text() == "3"
    assert "教育抖音" in page.get_by_test_id("todo-closure_orders").inner_text()
