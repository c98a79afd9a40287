"""The trail reads the way the office speaks (issue 10): each event by its Chinese label, its changes by
the fields' names and the choices' labels, the objects by what users call them, an inspection run's
figures by the rules' titles, a closure's screenshot as a link."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from accounts import services as user_services
from accounts.choices import Role
from audits.campaigns import services as campaign_services
from audits.campaigns.choices import Outcome, Proposal
from audits.inspections import services as inspections
from audits.inspections.models import InspectionRun
from audits.trail.models import AuditEvent
from audits.trail.selectors import trail_rows
from audits.trail.services import _append, _event
from registry import services as registry_services
from registry.choices import Platform
from tests.campaigns import campaign, inspection_of, meeting, ordered, submitted
from tests.conftest import LIVE_SINCE

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def rows_of(user, **lookup):
    events = AuditEvent.objects.filter(**lookup).order_by("-at", "-pk")
    with translation.override("zh-hans"):
        return trail_rows(user, events)


def row_of(user, action, **lookup):
    rows = rows_of(user, action=action, **lookup)
    assert rows, f"no {action} event"
    return rows[0]


def lines(row) -> dict[str, tuple[str | None, str]]:
    return {line.label: (line.before, line.after) for line in row.changes}


def test_it_names_every_event_by_its_chinese_label(office_admin, admin_a, department_a, file_account):
    account = file_account(department_a, name="新城教育")
    running = campaign(office_admin)
    submitted(admin_a, inspection_of(running, account))
    user_services.sign_in_record(user=admin_a, succeeded=True)
    labels = {row.event.action: row.label for row in rows_of(office_admin)}
    assert labels["audits.campaign.created"] == "创建专项行动"
    assert labels["audits.self_inspection.submitted"] == "提交自查申请"
    assert labels["accounts.user.signed_in"] == "登录"
    assert labels["registry.filing.approved"] == "备案批准"


def test_it_names_fields_by_their_verbose_names_and_values_by_their_choices(
    office_admin, admin_a, department_a, file_account
):
    account = file_account(department_a, name="新城教育")
    running = campaign(office_admin, platforms=[Platform.WECHAT_OFFICIAL])
    created = lines(row_of(office_admin, "audits.campaign.created"))
    assert created["自查截止日期"][1] == running.self_inspection_due.isoformat()
    assert created["关停整合期限"][1] == running.closure_due.isoformat()
    assert created["平台"] == (None, "微信公众号")

    application = submitted(admin_a, inspection_of(running, account), Proposal.CLOSE)
    answers = lines(row_of(office_admin, "audits.self_inspection.submitted"))
    assert answers["处理意见"] == (None, "关停")
    assert answers["有实际需要"] == (None, "否")

    held = meeting(office_admin, running)
    campaign_services.decision_make(
        actor=office_admin, self_inspection=application, meeting=held, outcome=Outcome.RETURN, note="补充理由"
    )
    decision = lines(row_of(office_admin, "audits.decision.made"))
    assert decision["审议结论"] == (None, "退回修改")
    assert decision["自查申请"] == (None, str(application))
    assert "新城教育（微信公众号）" in decision["自查申请"][1]

    user_services.user_update(actor=office_admin, user=admin_a, role=Role.AUDITOR)
    assert lines(row_of(office_admin, "accounts.user.role_changed"))["角色"] == ("部门管理员", "审计员")


def test_it_names_the_rules_of_an_inspection_run_with_their_figures(office_admin, department_a, file_account):
    file_account(department_a, name="新城教育", activated_on=LIVE_SINCE)  # no post, under 100 followers
    run = InspectionRun.objects.create(inspection_date=timezone.localdate())
    inspections.inspection_run_execute(run_id=run.pk)
    finished = lines(row_of(office_admin, "audits.inspection_run.finished"))
    assert finished["长期未更新"] == (None, "未解决 1 个（新增 1 个），已解决 0 个")
    assert finished["关注用户过少"] == (None, "未解决 1 个（新增 1 个），已解决 0 个")
    assert finished["巡查账号数"] == (None, "1")
    assert not {"open", "opened", "resolved", "counts"} & set(finished)


def test_it_names_objects_the_way_users_call_them(office_admin, admin_a, department_a, file_account):
    account = file_account(department_a, name="新城教育")
    registry_services.media_accounts_reconfirm(actor=admin_a, media_accounts=[account])
    row = row_of(office_admin, "registry.media_account.reconfirmed")
    assert (row.kind, row.object_name) == ("政务新媒体账号", "新城教育（微信公众号）")
    filing = row_of(office_admin, "registry.filing.approved")
    assert filing.kind == "备案" and filing.object_name == "新城教育（微信公众号）：开设备案"


def test_it_reads_an_event_recorded_before_objects_had_their_names(office_admin, department_a):
    # Events are never rewritten: one from before keeps its old text, under its kind's label.
    old = _event(
        "registry.media_account.updated",
        actor=None,
        target=None,
        department_id=department_a.pk,
        changes={"before": {"status": "active"}, "after": {"status": "closing"}},
    )
    old.object_type, old.object_id, old.object_repr = "registry.mediaaccount", "98", "新城教育"
    _append([old])
    row = row_of(office_admin, "registry.media_account.updated", pk=old.pk)
    assert (row.label, row.kind, row.object_name) == ("宣传部更正登记信息", "政务新媒体账号", "新城教育")
    assert lines(row)["状态"] == ("运营中", "关停中")


def test_it_links_a_closure_screenshot_instead_of_showing_its_path(
    client_for, office_admin, admin_a, department_a, file_account
):
    account = file_account(department_a, name="停更号")
    order = ordered(office_admin, admin_a, campaign(office_admin), account)
    campaign_services.closure_order_confirm(
        actor=admin_a,
        order=order,
        evidence_file=SimpleUploadedFile("notice.png", PNG, content_type="image/png"),
    )
    screenshot = next(
        line
        for line in row_of(office_admin, "audits.closure_order.confirmed").changes
        if line.label == "截图"
    )
    assert screenshot.after == "查看截图" and "closure-evidence" not in screenshot.after
    assert screenshot.url == reverse("closure_order_evidence", args=[order.pk])
    assert client_for(office_admin).get(screenshot.url).status_code == 200
