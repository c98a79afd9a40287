"""The campaign's spreadsheets, read back as the office would open them: the meeting's decision
list (the annex to its minutes) and the result by department. Text that looks like a formula stays text."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audits.campaigns import services
from audits.campaigns.choices import Outcome, Proposal
from audits.campaigns.models import ClosureOrder, SelfInspection
from registry.choices import Platform

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NO_HAVES = {"has_need": False, "has_capacity": False, "has_support": False}
THREE_HAVES = {
    "has_need": True,
    "need_reason": "发布政策",
    "has_capacity": True,
    "staff_count": 1,
    "run_by": "staff",
    "has_support": True,
}


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def sheet_of(response):
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook.worksheets[0]


def rows_of(sheet) -> list[list]:
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def decided(office_admin, admin_a, admin_b, file_account, department_a, department_b):
    """A campaign whose meeting closed a formula-named account of A, merged one of A and retained B's."""
    risky = file_account(department_a, name='=HYPERLINK("http://evil.example","点我")')
    weak = file_account(department_a, name="新城教育号", platform=Platform.WEIBO)
    strong = file_account(department_b, name="健康新城")
    campaign = services.campaign_create(
        actor=office_admin, name="2026年清理整顿", self_inspection_due=days(7), closure_due=days(30)
    )
    services.campaign_start(actor=office_admin, campaign=campaign)
    campaign.refresh_from_db()
    meeting = services.meeting_create(
        actor=office_admin, campaign=campaign, held_on=timezone.localdate(), attendees="部长\n副部长"
    )

    def submitted(actor, account, proposal, **answers):
        inspection = SelfInspection.objects.get(campaign=campaign, media_account=account)
        services.self_inspection_save(actor=actor, self_inspection=inspection, proposal=proposal, **answers)
        return services.self_inspection_submit(actor=actor, self_inspection=inspection)

    services.decisions_make(
        actor=office_admin,
        meeting=meeting,
        items=[
            {
                "self_inspection": submitted(admin_a, risky, Proposal.CLOSE, **NO_HAVES),
                "outcome": Outcome.CLOSE,
                "note": "+cmd|' /C calc'!A0",
            },
            {
                "self_inspection": submitted(admin_a, weak, Proposal.MERGE, merge_target=strong, **NO_HAVES),
                "outcome": Outcome.MERGE,
                "deadline": days(20),
            },
            {
                "self_inspection": submitted(admin_b, strong, Proposal.RETAIN, **THREE_HAVES),
                "outcome": Outcome.RETAIN,
            },
        ],
    )
    return campaign, meeting


def test_it_exports_the_meetings_decision_list(client_for, office_admin, decided):
    campaign, meeting = decided
    sheet = sheet_of(client_for(office_admin).get(reverse("meeting_decisions_export", args=[meeting.pk])))
    rows = rows_of(sheet)
    assert rows[0][0] == f"2026年清理整顿——{meeting.held_on.isoformat()} 集中审议会审议结论"
    assert rows[1][0] == "参会人员：部长 副部长"
    header = rows[3]
    assert header == [
        "序号",
        "主办单位",
        "账号名称",
        "平台",
        "三有",
        "单位意见",
        "建议结论",
        "审议结论",
        "整合到",
        "期限",
        "备注",
    ]
    body = {row[2]: row for row in rows[4:]}
    assert body["健康新城"][7] == "保留" and body["健康新城"][9] is None
    assert body["健康新城"][4] == "需要✓ 能力✓ 保障✓"
    assert body["新城教育号"][7] == "整合" and body["新城教育号"][8] == "健康新城"
    assert body["新城教育号"][9].date() == days(20)
    assert [row[0] for row in rows[4:]] == [1, 2, 3]


def test_it_keeps_formula_like_text_as_text(client_for, office_admin, decided):
    _campaign, meeting = decided
    sheet = sheet_of(client_for(office_admin).get(reverse("meeting_decisions_export", args=[meeting.pk])))
    cells = [cell for row in sheet.iter_rows(min_row=5) for cell in row]
    risky = [cell for cell in cells if isinstance(cell.value, str) and cell.value[:1] in "=+-@"]
    assert {cell.value for cell in risky} == {
        '=HYPERLINK("http://evil.example","点我")',
        "+cmd|' /C calc'!A0",
    }
    assert all(cell.data_type == "s" for cell in risky)


def test_it_lets_auditors_but_not_units_export_a_meetings_decisions(client_for, auditor, admin_a, decided):
    _campaign, meeting = decided
    url = reverse("meeting_decisions_export", args=[meeting.pk])
    assert client_for(auditor).get(url).status_code == 200
    assert client_for(admin_a).get(url).status_code == 404


def test_it_exports_the_campaigns_result_by_department(client_for, office_admin, decided):
    campaign, _meeting = decided
    sheet = sheet_of(client_for(office_admin).get(reverse("campaign_result_export", args=[campaign.pk])))
    rows = rows_of(sheet)
    assert rows[0][0] == "2026年清理整顿——各单位清理整顿结果"
    # Decided is not closed: the share counts only what the office has verified, and says so.
    assert rows[1][0] == "已关停或整合 0 个，占 3 个的 0.0%"
    assert (
        rows[2][0]
        == "只计入宣传部已核验的关停和整合。决定关停或整合 2 个，单位已确认办结 0 个，宣传部已核验 0 个。"
    )
    assert rows[4] == [
        "主办单位",
        "纳入范围",
        "已提交",
        "已审议",
        "保留",
        "决定关停",
        "决定整合",
        "退回修改",
        "逾期",
        "单位已确认办结",
        "宣传部已核验",
        "关停整合率（已核验，%）",
    ]
    body = {row[0]: row[1:] for row in rows[5:]}
    assert body["区教育局"] == [2, 2, 2, 0, 1, 1, 0, 0, 0, 0, 0.0]
    assert body["区卫生健康委"] == [1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0.0]
    assert body["合计"] == [3, 3, 3, 1, 1, 1, 0, 0, 0, 0, 0.0]


def test_it_exports_the_verified_closures_as_the_closed_share(client_for, office_admin, admin_a, decided):
    campaign, _meeting = decided
    for order in ClosureOrder.objects.filter(campaign=campaign):
        services.closure_order_confirm(actor=admin_a, order=order, note="已完成")
    services.closure_order_verify(
        actor=office_admin, order=ClosureOrder.objects.get(merge_target__isnull=True)
    )
    rows = rows_of(
        sheet_of(client_for(office_admin).get(reverse("campaign_result_export", args=[campaign.pk])))
    )
    assert rows[1][0] == "已关停或整合 1 个，占 3 个的 33.3%"
    assert (
        rows[2][0]
        == "只计入宣传部已核验的关停和整合。决定关停或整合 2 个，单位已确认办结 2 个，宣传部已核验 1 个。"
    )
    assert {row[0]: row[1:] for row in rows[5:]}["合计"] == [3, 3, 3, 1, 1, 1, 0, 0, 2, 1, 33.3]


def test_it_exports_a_unit_only_its_own_result(client_for, admin_b, decided):
    campaign, _meeting = decided
    rows = rows_of(sheet_of(client_for(admin_b).get(reverse("campaign_result_export", args=[campaign.pk]))))
    assert [row[0] for row in rows[5:]] == ["区卫生健康委", "合计"]
    assert rows[1][0] == "已关停或整合 0 个，占 1 个的 0.0%"


def test_it_names_both_files_in_chinese(client_for, office_admin, decided):
    campaign, meeting = decided
    client = client_for(office_admin)
    sheet = client.get(reverse("meeting_decisions_export", args=[meeting.pk]))
    result = client.get(reverse("campaign_result_export", args=[campaign.pk]))
    assert quote("2026年清理整顿-审议结论清单-") in sheet["Content-Disposition"]
    assert quote("2026年清理整顿-分单位结果-") in result["Content-Disposition"]
