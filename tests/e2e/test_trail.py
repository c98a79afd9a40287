"""The trail and an object's history in a real browser read in Chinese (issue 10): the office sees what
happened in each part of the system by its name, the changes by the fields' names and the choices'
labels, and picks the action to filter by from a list."""

import re

import pytest
from django.utils import timezone

from audits.campaigns import services as campaign_services
from audits.campaigns.choices import Outcome, Proposal
from audits.inspections import services as inspections
from audits.inspections.models import InspectionRun
from tests.campaigns import campaign, inspection_of, meeting, submitted
from tests.conftest import LIVE_SINCE, PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"\b(accounts|registry|audits)\.[a-z_]+(\.[a-z_]+)?\b")


def test_the_office_reads_the_trail_and_a_history_in_chinese(
    page, sign_in, office_admin, admin_a, department_a, file_account
):
    account = file_account(department_a, name="新城教育", activated_on=LIVE_SINCE)
    running = campaign(office_admin)
    application = submitted(admin_a, inspection_of(running, account), Proposal.CLOSE)
    campaign_services.decision_make(
        actor=office_admin,
        self_inspection=application,
        meeting=meeting(office_admin, running),
        outcome=Outcome.RETURN,
        note="请补充运维情况",
    )
    run = InspectionRun.objects.create(inspection_date=timezone.localdate())
    inspections.inspection_run_execute(run_id=run.pk)

    sign_in("office", PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="操作日志").click()
    trail = page.get_by_test_id("trail")
    actions = [cell.inner_text() for cell in trail.locator("tbody th").all()]
    # One event of each app, by its Chinese name; no code anywhere in the table.
    for label in ("登录", "备案批准", "创建专项行动", "提交自查申请", "作出审议结论", "巡查完成"):
        assert any(action.startswith(label) for action in actions), label
    assert not CODE.search(trail.inner_text())
    text = trail.inner_text()
    assert "自查截止日期" in text and "self_inspection_due" not in text
    assert "退回修改" in text and "长期未更新" in text
    assert "政务新媒体账号" in text and "新城教育（微信公众号）" in text

    # The action to filter by is chosen by its name.
    page.get_by_label("操作", exact=True).select_option(label="提交自查申请")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/trail/?*")
    rows = page.get_by_test_id("trail").locator("tbody tr")
    assert rows.count() == 1
    assert "处理意见" in rows.first.inner_text() and "关停" in rows.first.inner_text()

    # The application's own page tells the same story in the same words.
    page.goto(f"/self-inspections/{application.pk}/")
    history = page.get_by_test_id("history")
    decided, submitted_row = [cell.inner_text() for cell in history.locator("tbody th").all()][:2]
    # The decision is an event of another object shown here: it says which one.
    assert decided.startswith("作出审议结论") and "审议结论：" in decided
    assert submitted_row == "提交自查申请"
    assert "审议结论" in history.inner_text() and "退回修改" in history.inner_text()
    assert not CODE.search(history.inner_text())
