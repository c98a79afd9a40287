"""The clean-up campaign in the browser (docs/design.md §1.3): every page and action, for every
persona; each step with its illegal moves and their messages; the decision sheet all or nothing;
evidence uploads; query counts that stay put as the district grows.

The district of ``tests/conftest.py``: department A (with a sub-unit, both run by admin_a) and
department B (admin_b). The campaign covers one account in each of A, A's sub-unit and B.
"""

import datetime
import itertools
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Notification
from audits.campaigns import services
from audits.campaigns.choices import (
    CampaignStatus,
    ClosureOrderStatus,
    Outcome,
    Proposal,
    SelfInspectionStatus,
)
from audits.campaigns.models import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.inspections import services as inspections
from registry import services as registry_services
from registry.choices import DepartmentKind, MediaAccountStatus, Platform
from registry.models import MediaAccount
from tests.conftest import established
from tests.permission_matrix import check_matrix

_names = itertools.count(1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
THREE_HAVES = {
    "has_need": True,
    "need_reason": "发布招生政策",
    "has_capacity": True,
    "staff_count": 2,
    "run_by": "staff",
    "has_support": True,
    "support_note": "年度经费",
}
NO_HAVES = {"has_need": False, "has_capacity": False, "has_support": False}


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def form_post(client, url, data=None, **kwargs):
    return client.post(url, data or {}, content_type=MULTIPART_CONTENT, **kwargs)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def accounts(file_account, department_a, sub_unit_a, department_b):
    return {
        "a": file_account(department_a, name="新城教育"),
        "a_sub": file_account(sub_unit_a, name="新城招生", platform=Platform.WEIBO),
        "b": file_account(department_b, name="健康新城"),
    }


def new_campaign(office, *, start=True, **scope) -> ReviewCampaign:
    campaign = services.campaign_create(
        actor=office,
        name=f"清理整顿{next(_names)}",
        self_inspection_due=days(14),
        closure_due=days(45),
        scope=scope,
    )
    if start:
        services.campaign_start(actor=office, campaign=campaign)
        campaign.refresh_from_db()
    return campaign


@pytest.fixture
def campaign(office_admin, accounts):
    return new_campaign(office_admin)


def inspection_of(campaign, account) -> SelfInspection:
    return SelfInspection.objects.get(campaign=campaign, media_account=account)


def submit(actor, inspection, proposal=Proposal.CLOSE, **answers) -> SelfInspection:
    answers = {**(THREE_HAVES if proposal == Proposal.RETAIN else NO_HAVES), **answers}
    services.self_inspection_save(actor=actor, self_inspection=inspection, proposal=proposal, **answers)
    return services.self_inspection_submit(actor=actor, self_inspection=inspection)


def meeting_of(office, campaign) -> ReviewMeeting:
    return services.meeting_create(
        actor=office, campaign=campaign, held_on=timezone.localdate(), attendees="宣传部、网信办"
    )


def closure_order(office, unit_admin, campaign, account) -> ClosureOrder:
    inspection = submit(unit_admin, inspection_of(campaign, account))
    decision = services.decision_make(
        actor=office, self_inspection=inspection, meeting=meeting_of(office, campaign), outcome=Outcome.CLOSE
    )
    return decision.closure_order


def confirmed(unit_admin, order, **evidence) -> ClosureOrder:
    return services.closure_order_confirm(
        actor=unit_admin, order=order, **(evidence or {"evidence_url": "https://example.cn/notice"})
    )


def answers_form(proposal="", merge_target="", **answers) -> dict:
    """The self-inspection form as a browser posts it."""
    data = {
        "has_need": "",
        "need_reason": "",
        "has_capacity": "",
        "staff_count": "",
        "run_by": "",
        "capacity_note": "",
        "has_support": "",
        "support_note": "",
        "proposal": proposal,
        "merge_target": merge_target,
    }
    for name, value in answers.items():
        data[name] = str(value) if not isinstance(value, bool) else ("True" if value else "False")
    return data


def sheet(rows: list[dict]) -> dict:
    """The meeting's decision sheet as a browser posts it; each row: self_inspection, outcome…"""
    data = {
        "decisions-TOTAL_FORMS": str(len(rows)),
        "decisions-INITIAL_FORMS": str(len(rows)),
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "2000",
    }
    for index, row in enumerate(rows):
        prefix = f"decisions-{index}-"
        data[prefix + "self_inspection"] = str(row["self_inspection"].pk)
        if row.get("decide", True):
            data[prefix + "decide"] = "on"
        data[prefix + "outcome"] = row["outcome"]
        deadline = row.get("deadline", days(45))
        data[prefix + "deadline"] = deadline.isoformat() if deadline else ""
        target = row.get("merge_target")
        data[prefix + "merge_target"] = target.filing_number if target else ""
        data[prefix + "note"] = row.get("note", "")
    return data


# The permission matrix --------------------------------------------------------------------------


def test_it_lets_each_persona_open_exactly_the_campaign_pages_it_should(
    client_for, personas, office_admin, admin_a, accounts, campaign
):
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    meeting = ReviewMeeting.objects.get(campaign=campaign)
    a = inspection_of(campaign, accounts["a_sub"])
    everyone = dict(office=200, auditor=200, admin_a=200, admin_b=200, admin_gov=200, anonymous=302)
    office_only = dict(office=200, auditor=403, admin_a=403, admin_b=403, admin_gov=403, anonymous=302)
    office_and_auditor = dict(office=200, auditor=200, admin_a=403, admin_b=403, admin_gov=403, anonymous=302)
    # The campaign covers the departments' accounts, none of the government's: to the
    # government's administrator it does not exist.
    covered = dict(everyone, admin_gov=404)
    pages = {
        reverse("campaign_list"): everyone,
        reverse("campaign_create"): office_only,
        reverse("campaign_detail", args=[campaign.pk]): covered,
        reverse("campaign_start", args=[campaign.pk]): dict(office_only, admin_gov=404),
        reverse("campaign_review", args=[campaign.pk]): dict(office_and_auditor, admin_gov=404),
        reverse("campaign_result_export", args=[campaign.pk]): covered,
        reverse("meeting_create", args=[campaign.pk]): dict(office_only, admin_gov=404),
        # Meetings are the office's record: for a unit they do not exist.
        reverse("meeting_detail", args=[meeting.pk]): dict(
            office_and_auditor, admin_a=404, admin_b=404, admin_gov=404
        ),
        reverse("meeting_update", args=[meeting.pk]): dict(
            office_only, admin_a=404, admin_b=404, admin_gov=404
        ),
        reverse("meeting_decisions_export", args=[meeting.pk]): dict(
            office_and_auditor, admin_a=404, admin_b=404, admin_gov=404
        ),
        reverse("self_inspection_list"): everyone,
        reverse("self_inspection_detail", args=[a.pk]): dict(everyone, admin_b=404, admin_gov=404),
        reverse("closure_order_list"): everyone,
        reverse("closure_order_detail", args=[order.pk]): dict(everyone, admin_b=404, admin_gov=404),
        reverse("notification_list"): everyone,
    }
    for url, expected in pages.items():
        check_matrix(client_for, personas, "get", url, **expected)


def test_it_hides_a_campaign_from_a_unit_it_does_not_cover(
    client_for, personas, office_admin, accounts, department_b
):
    only_b = new_campaign(office_admin, departments=[department_b.pk])
    check_matrix(
        client_for,
        personas,
        "get",
        reverse("campaign_detail", args=[only_b.pk]),
        office=200,
        auditor=200,
        admin_a=404,
        admin_b=200,
        admin_gov=404,
        anonymous=302,
    )
    check_matrix(
        client_for,
        personas,
        "get",
        reverse("campaign_review", args=[only_b.pk]),
        office=200,
        auditor=200,
        admin_a=404,
        admin_b=403,
        admin_gov=404,
        anonymous=302,
    )
    response = client_for(personas["admin_a"]).get(reverse("campaign_list"))
    assert only_b.name not in response.content.decode()


def test_it_shows_a_draft_campaign_to_the_office_and_auditors_only(
    client_for, personas, office_admin, accounts
):
    draft = new_campaign(office_admin, start=False)
    check_matrix(
        client_for,
        personas,
        "get",
        reverse("campaign_detail", args=[draft.pk]),
        office=200,
        auditor=200,
        admin_a=404,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )


def test_it_lets_each_persona_take_exactly_the_actions_it_should(
    client_for, personas, office_admin, admin_a, accounts, campaign, department_a
):
    # Each persona acts on its own fresh object, so no one finds the state moved on by another.
    def fresh_account():
        account = MediaAccount.objects.create(
            department=department_a,
            name=f"新账号{next(_names)}",
            platform=Platform.DOUYIN,
            platform_uid=f"fresh-{next(_names)}",
            status=MediaAccountStatus.ACTIVE,
            filing_number=f"T-{next(_names)}",
        )
        return account

    def fresh_campaign_with(account):
        return new_campaign(office_admin, departments=[account.department_id], platforms=[Platform.DOUYIN])

    def fresh_order(*, confirm=False):
        account = fresh_account()
        order = closure_order(office_admin, admin_a, fresh_campaign_with(account), account)
        return confirmed(admin_a, order) if confirm else order

    check_matrix(
        client_for,
        personas,
        "post",
        reverse("campaign_create"),
        data=lambda name: {
            "name": f"新行动{name}",
            "self_inspection_due": days(7).isoformat(),
            "closure_due": days(30).isoformat(),
        },
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )
    check_matrix(
        client_for,
        personas,
        "post",
        lambda name: reverse("campaign_start", args=[new_campaign(office_admin, start=False).pk]),
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=404,  # a draft covers no unit yet
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )
    check_matrix(
        client_for,
        personas,
        "post",
        reverse("self_inspection_detail", args=[inspection_of(campaign, accounts["a"]).pk]),
        data=answers_form(has_need=True, need_reason="需要", action="save"),
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=302,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )
    check_matrix(
        client_for,
        personas,
        "post",
        reverse("meeting_create", args=[campaign.pk]),
        data={"held_on": timezone.localdate().isoformat(), "attendees": "宣传部"},
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=404,
        anonymous=302,
    )

    sheets = {}

    def fresh_sheet(name):
        account = fresh_account()
        fresh = fresh_campaign_with(account)
        inspection = submit(admin_a, inspection_of(fresh, account))
        sheets[name] = reverse("meeting_detail", args=[meeting_of(office_admin, fresh).pk])
        return sheet([{"self_inspection": inspection, "outcome": Outcome.CLOSE}])

    check_matrix(
        client_for,
        personas,
        "post",
        lambda name: sheets[name],  # check_matrix builds the data (and so the sheet) first
        data=fresh_sheet,
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=404,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )
    check_matrix(
        client_for,
        personas,
        "post",
        lambda name: reverse("closure_order_confirm", args=[fresh_order().pk]),
        data={"evidence_url": "https://example.cn/notice"},
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=302,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )
    for action, data in (("closure_order_verify", {}), ("closure_order_reject", {"reject-note": "未见公告"})):
        check_matrix(
            client_for,
            personas,
            "post",
            lambda name, action=action: reverse(action, args=[fresh_order(confirm=True).pk]),
            data=data,
            content_type=MULTIPART_CONTENT,
            office=302,
            auditor=403,
            admin_a=403,
            admin_b=404,
            admin_gov=404,
            anonymous=302,
        )


def test_it_refuses_get_on_the_actions_that_change_state(
    client_for, office_admin, admin_a, accounts, campaign
):
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    client = client_for(office_admin)
    for name in ("closure_order_confirm", "closure_order_verify", "closure_order_reject"):
        assert client.get(reverse(name, args=[order.pk])).status_code == 405
    assert client_for(admin_a).get(reverse("notifications_read")).status_code == 405


def test_it_requires_the_csrf_token_on_every_form(office_admin, accounts, campaign):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office_admin)
    response = client.post(reverse("meeting_create", args=[campaign.pk]), {"attendees": "x"})
    assert response.status_code == 403
    assert not ReviewMeeting.objects.exists()


# The campaign -----------------------------------------------------------------------------------


def test_it_sets_up_a_campaign_with_its_scope(client_for, office_admin, accounts, department_a):
    response = form_post(
        client_for(office_admin),
        reverse("campaign_create"),
        {
            "name": "2026年政务新媒体清理整顿",
            "description": "三有原则",
            "department_kinds": [DepartmentKind.DISTRICT_DEPARTMENT],
            "platforms": [Platform.WECHAT_OFFICIAL, Platform.WEIBO],
            "departments": [department_a.pk],
            "self_inspection_due": days(14).isoformat(),
            "closure_due": days(45).isoformat(),
        },
    )
    campaign = ReviewCampaign.objects.get()
    assert response.status_code == 302 and response.url == reverse("campaign_detail", args=[campaign.pk])
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.scope == {
        "department_kinds": [DepartmentKind.DISTRICT_DEPARTMENT],
        "platforms": [Platform.WECHAT_OFFICIAL, Platform.WEIBO],
        "departments": [department_a.pk],
    }


@pytest.mark.parametrize(
    "change, field, message",
    [
        ({"name": ""}, "name", "required"),
        ({"closure_due": days(3).isoformat()}, "closure_due", "关停整合期限不能早于自查截止日期。"),
        ({"self_inspection_due": days(-1).isoformat()}, "self_inspection_due", "自查截止日期不能早于今天。"),
        ({"self_inspection_due": "明天"}, "self_inspection_due", "invalid"),
        ({"platforms": ["myspace"]}, "platforms", "invalid_choice"),
    ],
)
def test_it_tells_what_is_wrong_with_a_new_campaign_and_sets_up_nothing(
    client_for, office_admin, change, field, message
):
    data = {"name": "行动", "self_inspection_due": days(7).isoformat(), "closure_due": days(30).isoformat()}
    response = form_post(client_for(office_admin), reverse("campaign_create"), {**data, **change})
    assert response.status_code == 200
    errors = response.context["form"].errors
    # Our own messages are checked word for word; Django's own ones by their code.
    assert message in errors[field] or message in [error.code for error in errors.as_data()[field]]
    assert not ReviewCampaign.objects.exists()


def test_it_refuses_a_second_campaign_of_the_same_name(client_for, office_admin, accounts, campaign):
    data = {
        "name": campaign.name,
        "self_inspection_due": days(7).isoformat(),
        "closure_due": days(30).isoformat(),
    }
    response = form_post(client_for(office_admin), reverse("campaign_create"), data)
    assert response.status_code == 200 and response.context["form"].errors["name"]
    assert ReviewCampaign.objects.count() == 1


def test_it_asks_to_confirm_the_start_with_the_number_of_accounts_in_scope(
    client_for, office_admin, accounts, department_a
):
    draft = new_campaign(office_admin, start=False, departments=[department_a.pk])
    response = client_for(office_admin).get(reverse("campaign_start", args=[draft.pk]))
    assert response.status_code == 200 and response.context["total"] == 1
    assert "纳入范围的在用账号共 1 个。" in response.content.decode()
    assert not SelfInspection.objects.exists()


def test_it_starts_a_campaign_and_notifies_the_units(client_for, office_admin, admin_a, admin_b, accounts):
    draft = new_campaign(office_admin, start=False)
    response = form_post(client_for(office_admin), reverse("campaign_start", args=[draft.pk]))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.RUNNING
    assert SelfInspection.objects.filter(campaign=draft).count() == 3
    for admin in (admin_a, admin_b):
        notification = Notification.objects.get(user=admin)
        assert notification.url == reverse("self_inspection_list") + f"?campaign={draft.pk}"


def test_it_refuses_to_start_a_campaign_twice(client_for, office_admin, accounts, campaign):
    response = form_post(client_for(office_admin), reverse("campaign_start", args=[campaign.pk]))
    assert response.status_code == 409
    assert messages_of(response) == ["此专项行动已经启动。"]
    assert SelfInspection.objects.filter(campaign=campaign).count() == 3


def test_it_refuses_to_start_a_campaign_with_nothing_in_scope(client_for, office_admin, accounts):
    draft = new_campaign(office_admin, start=False, platforms=[Platform.BILIBILI])
    response = form_post(client_for(office_admin), reverse("campaign_start", args=[draft.pk]))
    assert response.status_code == 200
    assert messages_of(response) == ["此专项行动的范围内没有在用账号。"]
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT and not SelfInspection.objects.exists()


# Step 1: self-inspections -----------------------------------------------------------------------


def test_it_lists_a_units_own_self_inspections(client_for, admin_a, accounts, campaign):
    response = client_for(admin_a).get(reverse("self_inspection_list"), {"campaign": campaign.pk})
    names = {inspection.media_account.name for inspection in response.context["page"].object_list}
    assert names == {"新城教育", "新城招生"}


def test_it_filters_self_inspections_by_status(client_for, office_admin, admin_a, accounts, campaign):
    submit(admin_a, inspection_of(campaign, accounts["a"]))
    response = client_for(office_admin).get(
        reverse("self_inspection_list"), {"campaign": campaign.pk, "status": SelfInspectionStatus.SUBMITTED}
    )
    assert [i.media_account.name for i in response.context["page"].object_list] == ["新城教育"]


def test_it_saves_a_draft_of_the_answers(client_for, admin_a, accounts, campaign):
    inspection = inspection_of(campaign, accounts["a"])
    response = form_post(
        client_for(admin_a),
        reverse("self_inspection_detail", args=[inspection.pk]),
        answers_form(
            has_need=True, need_reason="发布招生政策", staff_count=1, run_by="part_time", action="save"
        ),
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.DRAFT
    assert (inspection.has_need, inspection.need_reason, inspection.staff_count, inspection.run_by) == (
        True,
        "发布招生政策",
        1,
        "part_time",
    )


def test_it_shows_the_accounts_figures_beside_the_form(client_for, admin_a, accounts, campaign):
    inspection = inspection_of(campaign, accounts["a"])
    response = client_for(admin_a).get(reverse("self_inspection_detail", args=[inspection.pk]))
    assert response.context["form"] is not None
    assert response.context["facts"].followers == accounts["a"].followers
    assert "账号数据" in response.content.decode()


def test_it_submits_a_proposal_to_close(client_for, admin_a, accounts, campaign):
    inspection = inspection_of(campaign, accounts["a"])
    response = form_post(
        client_for(admin_a),
        reverse("self_inspection_detail", args=[inspection.pk]),
        answers_form(
            proposal="close", has_need=False, has_capacity=False, has_support=False, action="submit"
        ),
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.SUBMITTED and inspection.submitted_by == admin_a


def test_it_takes_the_unit_on_to_its_next_self_inspection_once_one_is_submitted(
    client_for, office_admin, admin_a, accounts, file_account, department_a
):
    # Department A's administrator answers for A and its sub-unit: three accounts, in the list's order.
    extra = file_account(department_a, name="新城教育号", platform=Platform.DOUYIN)
    campaign = new_campaign(office_admin)
    other = new_campaign(office_admin)  # another campaign's applications are not the way on
    first, second, third = (
        inspection_of(campaign, account) for account in (accounts["a"], extra, accounts["a_sub"])
    )
    client = client_for(admin_a)
    closing = answers_form(proposal="close", **NO_HAVES, action="submit")

    response = form_post(client, reverse("self_inspection_detail", args=[first.pk]), closing)
    assert response.url == reverse("self_inspection_detail", args=[second.pk])
    told = messages_of(client.get(response.url))
    assert told == [
        "已提交：新城教育。在宣传部退回之前不可修改。",
        "本专项行动还有 2 份自查申请待填写，这是下一份。",
    ]
    # A submitted application offers the way on too, to whoever comes back to it.
    back = client.get(reverse("self_inspection_detail", args=[first.pk])).content.decode()
    assert f'href="{reverse("self_inspection_detail", args=[second.pk])}"' in back

    response = form_post(client, reverse("self_inspection_detail", args=[second.pk]), closing)
    assert response.url == reverse("self_inspection_detail", args=[third.pk])
    assert messages_of(client.get(response.url))[1] == "本专项行动还有 1 份自查申请待填写，这是下一份。"
    response = form_post(client, reverse("self_inspection_detail", args=[third.pk]), closing)
    assert response.url == f"{reverse('self_inspection_list')}?campaign={campaign.pk}"
    told = messages_of(client.get(response.url))
    assert told == ["已提交：新城招生。在宣传部退回之前不可修改。", "本专项行动中您的自查申请已全部提交。"]
    assert not SelfInspection.objects.filter(campaign=other).exclude(status=SelfInspectionStatus.PENDING)


def test_it_refuses_to_retain_without_the_three_haves_and_saves_nothing(
    client_for, admin_a, accounts, campaign
):
    inspection = inspection_of(campaign, accounts["a"])
    response = form_post(
        client_for(admin_a),
        reverse("self_inspection_detail", args=[inspection.pk]),
        answers_form(
            proposal="retain",
            has_need=True,
            need_reason="需要",
            has_capacity=False,
            has_support=True,
            action="submit",
        ),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["proposal"] == [
        "三有俱全的账号方可保留；否则该关停的关停，该整合的整合。"
    ]
    assert "未提交，也未保存。请改正下面标出的问题。" in messages_of(response)
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.PENDING and inspection.has_need is None


def test_it_names_each_missing_answer_of_a_submission(client_for, admin_a, accounts, campaign):
    inspection = inspection_of(campaign, accounts["a"])
    response = form_post(
        client_for(admin_a),
        reverse("self_inspection_detail", args=[inspection.pk]),
        answers_form(has_need=True, action="submit"),
    )
    errors = response.context["form"].errors
    assert errors["need_reason"] == ["请说明实际需要。"]
    assert errors["has_capacity"] == ["请回答是或否。"]
    assert errors["proposal"] == ["请提出保留、关停或整合的意见。"]


def test_it_refuses_to_merge_an_account_into_itself(client_for, admin_a, accounts, campaign):
    inspection = inspection_of(campaign, accounts["a"])
    response = form_post(
        client_for(admin_a),
        reverse("self_inspection_detail", args=[inspection.pk]),
        answers_form(proposal="merge", merge_target=accounts["a"].filing_number, **NO_HAVES, action="submit"),
    )
    assert response.context["form"].errors["merge_target"] == ["账号不能整合到其自身。"]
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.PENDING


def test_it_refuses_to_merge_into_an_account_that_is_not_live(
    client_for, office_admin, admin_a, accounts, campaign, file_account, department_b
):
    closed = file_account(department_b, name="已关停的号")
    registry_services.filing_approve(
        actor=office_admin,
        filing=registry_services.filing_submit_close(actor=office_admin, media_account=closed, reason="停更"),
    )
    inspection = inspection_of(campaign, accounts["a"])
    for number, error in (
        (closed.filing_number, "请整合到全区另一个在用账号。"),
        ("XC-1999-0001", "全区没有备案编号为 XC-1999-0001 的账号。"),
    ):
        response = form_post(
            client_for(admin_a),
            reverse("self_inspection_detail", args=[inspection.pk]),
            answers_form(proposal="merge", merge_target=number, **NO_HAVES, action="submit"),
        )
        assert response.context["form"].errors["merge_target"] == [error]
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.PENDING


def test_it_merges_into_another_units_live_account(client_for, admin_a, accounts, campaign):
    inspection = inspection_of(campaign, accounts["a_sub"])
    response = form_post(
        client_for(admin_a),
        reverse("self_inspection_detail", args=[inspection.pk]),
        answers_form(proposal="merge", merge_target=accounts["b"].filing_number, **NO_HAVES, action="submit"),
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.SUBMITTED and inspection.merge_target == accounts["b"]


def test_it_locks_a_submitted_application(client_for, admin_a, accounts, campaign):
    inspection = submit(admin_a, inspection_of(campaign, accounts["a"]))
    client = client_for(admin_a)
    page = client.get(reverse("self_inspection_detail", args=[inspection.pk]))
    assert page.context["form"] is None
    assert "已提交，在宣传部退回之前不可修改。" in page.content.decode()
    response = form_post(
        client,
        reverse("self_inspection_detail", args=[inspection.pk]),
        answers_form(proposal="retain", **THREE_HAVES, action="save"),
    )
    assert response.status_code == 409
    assert messages_of(response) == ["此申请已提交，在宣传部退回之前不可修改。"]
    inspection.refresh_from_db()
    assert inspection.proposal == Proposal.CLOSE


def test_it_shows_the_offices_note_on_a_returned_application_and_lets_the_unit_revise_it(
    client_for, office_admin, admin_a, accounts, campaign
):
    inspection = submit(admin_a, inspection_of(campaign, accounts["a"]))
    services.decision_make(
        actor=office_admin,
        self_inspection=inspection,
        meeting=meeting_of(office_admin, campaign),
        outcome=Outcome.RETURN,
        note="请补充运维人员情况",
    )
    page = client_for(admin_a).get(reverse("self_inspection_detail", args=[inspection.pk]))
    assert page.context["form"] is not None
    assert "请补充运维人员情况" in page.content.decode()
    response = form_post(
        client_for(admin_a),
        reverse("self_inspection_detail", args=[inspection.pk]),
        answers_form(proposal="retain", **THREE_HAVES, action="submit"),
    )
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.SUBMITTED and inspection.return_note == ""


def test_it_shows_an_auditor_the_answers_without_a_form(client_for, auditor, admin_a, accounts, campaign):
    inspection = submit(admin_a, inspection_of(campaign, accounts["a"]))
    response = client_for(auditor).get(reverse("self_inspection_detail", args=[inspection.pk]))
    assert response.context["form"] is None
    assert "单位的回答" in response.content.decode()


# Step 2: the review and the meeting -------------------------------------------------------------


def test_it_shows_the_reviewer_each_submitted_application_with_its_recommendation(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    submit(admin_a, inspection_of(campaign, accounts["a"]))
    submit(admin_b, inspection_of(campaign, accounts["b"]), Proposal.RETAIN)
    response = client_for(office_admin).get(reverse("campaign_review", args=[campaign.pk]))
    rows = {
        inspection.media_account.name: recommendation
        for inspection, recommendation in response.context["rows"]
    }
    assert set(rows) == {"新城教育", "健康新城"}
    assert rows["新城教育"].outcome == Outcome.CLOSE
    assert "单位提出关停" in rows["新城教育"].reasons
    page = response.content.decode()
    assert "单位提出关停" in page and "从未发布" in page


def _cell(page: str, testid: str) -> str:
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</td>", start)]


def test_it_shows_each_accounts_grade_and_open_findings_where_the_office_decides(
    client_for, office_admin, admin_a, file_account, department_a, accounts
):
    # What a review meeting looks at: the same red the account list shows, and why.
    mute = file_account(department_a, name="无互动入口号", has_interaction=False)
    run = inspections.inspection_run_request(actor=office_admin)
    inspections.inspection_run_execute(run_id=run.pk)
    campaign = new_campaign(office_admin)
    inspection = submit(admin_a, inspection_of(campaign, mute))
    meeting = meeting_of(office_admin, campaign)
    office = client_for(office_admin)
    for url in (
        reverse("campaign_review", args=[campaign.pk]),
        reverse("meeting_detail", args=[meeting.pk]),
    ):
        cell = _cell(office.get(url).content.decode(), f"findings-{inspection.pk}")
        assert 'data-grade="red"' in cell and "红色" in cell, url
        assert "未提供有效互动功能" in cell, url
    for user in (office_admin, admin_a):
        page = client_for(user).get(reverse("self_inspection_detail", args=[inspection.pk])).content.decode()
        assert 'data-grade="red"' in page and "未提供有效互动功能" in page
    listed = office.get(reverse("media_account_list"), {"q": "无互动入口号"}).content.decode()
    assert 'data-grade="red"' in listed


def test_it_records_a_meeting(client_for, office_admin, accounts, campaign):
    response = form_post(
        client_for(office_admin),
        reverse("meeting_create", args=[campaign.pk]),
        {"held_on": timezone.localdate().isoformat(), "attendees": "部长、副部长", "minutes": "集中审议"},
    )
    meeting = ReviewMeeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meeting_detail", args=[meeting.pk])
    assert (meeting.attendees, meeting.minutes, meeting.created_by) == (
        "部长、副部长",
        "集中审议",
        office_admin,
    )


def test_it_refuses_a_meeting_without_attendees(client_for, office_admin, accounts, campaign):
    response = form_post(
        client_for(office_admin),
        reverse("meeting_create", args=[campaign.pk]),
        {"held_on": timezone.localdate().isoformat(), "attendees": ""},
    )
    assert [error.code for error in response.context["form"].errors.as_data()["attendees"]] == ["required"]
    assert not ReviewMeeting.objects.exists()


def test_it_refuses_a_meeting_for_a_campaign_that_has_not_started(client_for, office_admin, accounts):
    draft = new_campaign(office_admin, start=False)
    response = form_post(
        client_for(office_admin),
        reverse("meeting_create", args=[draft.pk]),
        {"held_on": timezone.localdate().isoformat(), "attendees": "部长"},
    )
    assert response.status_code == 409
    assert messages_of(response) == ["审议会须在专项行动进行期间召开。"]
    assert not ReviewMeeting.objects.exists()


def test_it_corrects_a_meetings_record(client_for, office_admin, accounts, campaign):
    meeting = meeting_of(office_admin, campaign)
    response = form_post(
        client_for(office_admin),
        reverse("meeting_update", args=[meeting.pk]),
        {"held_on": timezone.localdate().isoformat(), "attendees": "部长", "minutes": "补记"},
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert (meeting.attendees, meeting.minutes) == ("部长", "补记")


def test_it_prefills_the_decision_sheet_with_the_recommendations(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    submit(admin_a, inspection_of(campaign, accounts["a"]))
    submit(admin_b, inspection_of(campaign, accounts["b"]), Proposal.RETAIN)
    meeting = meeting_of(office_admin, campaign)
    response = client_for(office_admin).get(reverse("meeting_detail", args=[meeting.pk]))
    initial = {row.inspection.media_account.name: row.form.initial for row in response.context["rows"]}
    assert initial["新城教育"]["outcome"] == Outcome.CLOSE
    assert initial["新城教育"]["deadline"] == campaign.closure_due
    assert initial["新城教育"]["decide"] is True


def test_it_decides_many_applications_in_one_action(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    a = submit(admin_a, inspection_of(campaign, accounts["a"]))
    a_sub = submit(
        admin_a, inspection_of(campaign, accounts["a_sub"]), Proposal.MERGE, merge_target=accounts["a"]
    )
    b = submit(admin_b, inspection_of(campaign, accounts["b"]), Proposal.RETAIN)
    meeting = meeting_of(office_admin, campaign)
    response = form_post(
        client_for(office_admin),
        reverse("meeting_detail", args=[meeting.pk]),
        sheet(
            [
                {"self_inspection": a, "outcome": Outcome.CLOSE, "deadline": days(20)},
                {"self_inspection": a_sub, "outcome": Outcome.MERGE, "merge_target": accounts["b"]},
                {"self_inspection": b, "outcome": Outcome.RETAIN},
            ]
        ),
    )
    assert response.status_code == 302
    decided = {d.self_inspection_id: d for d in ReviewDecision.objects.filter(meeting=meeting)}
    assert decided[a.pk].outcome == Outcome.CLOSE and decided[a.pk].deadline == days(20)
    assert decided[a_sub.pk].merge_target == accounts["b"]
    assert decided[b.pk].outcome == Outcome.RETAIN and decided[b.pk].deadline is None
    assert ClosureOrder.objects.count() == 2
    assert Notification.objects.filter(subject__contains="审议结论").count() == 2


def test_it_leaves_unticked_rows_for_another_meeting(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    a = submit(admin_a, inspection_of(campaign, accounts["a"]))
    b = submit(admin_b, inspection_of(campaign, accounts["b"]))
    meeting = meeting_of(office_admin, campaign)
    form_post(
        client_for(office_admin),
        reverse("meeting_detail", args=[meeting.pk]),
        sheet(
            [
                {"self_inspection": a, "outcome": Outcome.CLOSE},
                {"self_inspection": b, "outcome": Outcome.CLOSE, "decide": False},
            ]
        ),
    )
    b.refresh_from_db()
    assert b.status == SelfInspectionStatus.SUBMITTED
    assert ReviewDecision.objects.count() == 1


def test_it_records_none_of_the_sheet_when_one_row_is_wrong(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    a = submit(admin_a, inspection_of(campaign, accounts["a"]))
    b = submit(admin_b, inspection_of(campaign, accounts["b"]))
    meeting = meeting_of(office_admin, campaign)
    response = form_post(
        client_for(office_admin),
        reverse("meeting_detail", args=[meeting.pk]),
        sheet(
            [
                {"self_inspection": a, "outcome": Outcome.CLOSE},
                {"self_inspection": b, "outcome": Outcome.RETURN, "note": ""},
            ]
        ),
    )
    assert response.status_code == 200
    assert "未作出任何结论。请改正下面标出的行。" in messages_of(response)
    rows = {row.inspection.pk: row.form for row in response.context["rows"]}
    assert rows[b.pk].errors["note"] == ["请说明单位须修改的内容。"]
    assert not ReviewDecision.objects.exists() and not ClosureOrder.objects.exists()
    # The sheet comes back as the reviewer left it.
    page = response.content.decode()
    row_a = page[
        page.index(f'data-testid="sheet-row-{a.pk}"') : page.index(f'data-testid="sheet-row-{b.pk}"')
    ]
    assert '<option value="close" selected>' in row_a and f'value="{days(45).isoformat()}"' in row_a
    assert 'name="decisions-0-decide" checked' in row_a
    assert '<option value="return" selected>' in page[page.index(f'data-testid="sheet-row-{b.pk}"') :]


def test_it_refuses_a_merger_into_the_account_itself_on_the_sheet(
    client_for, office_admin, admin_a, accounts, campaign
):
    a = submit(admin_a, inspection_of(campaign, accounts["a"]))
    meeting = meeting_of(office_admin, campaign)
    response = form_post(
        client_for(office_admin),
        reverse("meeting_detail", args=[meeting.pk]),
        sheet([{"self_inspection": a, "outcome": Outcome.MERGE, "merge_target": accounts["a"]}]),
    )
    assert response.context["rows"][0].form.errors["merge_target"] == ["账号不能整合到其自身。"]
    assert not ReviewDecision.objects.exists()


def test_it_tells_the_reviewer_who_was_decided_meanwhile_and_records_nothing(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    a = submit(admin_a, inspection_of(campaign, accounts["a"]))
    b = submit(admin_b, inspection_of(campaign, accounts["b"]))
    meeting = meeting_of(office_admin, campaign)
    # The reviewer's sheet was loaded with both rows; another reviewer decides B first.
    posted = sheet(
        [
            {"self_inspection": a, "outcome": Outcome.RETAIN},
            {"self_inspection": b, "outcome": Outcome.CLOSE},
        ]
    )
    services.decision_make(
        actor=office_admin,
        self_inspection=b,
        meeting=meeting,
        outcome=Outcome.MERGE,
        merge_target=accounts["a"],
    )
    response = form_post(client_for(office_admin), reverse("meeting_detail", args=[meeting.pk]), posted)
    assert response.status_code == 409
    assert messages_of(response) == ["“健康新城”的申请不在待审议状态（当前为已审议）。"]
    a.refresh_from_db()
    assert a.status == SelfInspectionStatus.SUBMITTED
    assert ReviewDecision.objects.count() == 1
    # The sheet comes back as the reviewer left it, less the row that was decided meanwhile.
    rows = response.context["rows"]
    assert [row.inspection.pk for row in rows] == [a.pk]
    assert rows[0].form.initial["outcome"] == Outcome.RETAIN


def test_it_refuses_a_sheet_naming_an_application_of_another_campaign(
    client_for, office_admin, admin_a, accounts, campaign
):
    other = new_campaign(office_admin)
    stray = submit(admin_a, inspection_of(other, accounts["a"]))
    meeting = meeting_of(office_admin, campaign)
    response = form_post(
        client_for(office_admin),
        reverse("meeting_detail", args=[meeting.pk]),
        sheet([{"self_inspection": stray, "outcome": Outcome.CLOSE}]),
    )
    assert response.status_code == 200
    assert response.context["formset"].non_form_errors() == ["审议表已过时，请刷新页面。"]
    assert not ReviewDecision.objects.exists()


def test_it_asks_for_at_least_one_ticked_row(client_for, office_admin, admin_a, accounts, campaign):
    a = submit(admin_a, inspection_of(campaign, accounts["a"]))
    meeting = meeting_of(office_admin, campaign)
    response = form_post(
        client_for(office_admin),
        reverse("meeting_detail", args=[meeting.pk]),
        sheet([{"self_inspection": a, "outcome": Outcome.CLOSE, "decide": False}]),
    )
    assert response.context["formset"].non_form_errors() == ["请至少选择一项申请作出结论。"]


# Merge targets: a search, not a list of every account ------------------------------------------


def _search(client, **query) -> dict:
    response = client.get(reverse("merge_target_search"), query)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()


def test_it_finds_merge_targets_grouped_by_unit_its_own_unit_first_never_itself(
    client_for, office_admin, admin_a, file_account, department_a, department_b, accounts
):
    weibo = file_account(department_a, name="新城教育微博", platform=Platform.WEIBO)
    file_account(department_b, name="新城教育观察", approve=False)  # pending: not a live account
    client = client_for(admin_a)
    found = _search(client, q="新城教育", account=accounts["a"].pk)
    assert found == {
        "results": [
            {
                "unit": "区教育局",
                "accounts": [
                    {
                        "filing_number": weibo.filing_number,
                        "name": "新城教育微博",
                        "label": "新城教育微博（微博）",
                    }
                ],
            }
        ],
        "more": False,
    }
    # Any unit's live account may take the merger; the account's own unit comes first.
    units = [group["unit"] for group in _search(client, account=accounts["a"].pk)["results"]]
    assert units[0] == "区教育局" and "区卫生健康委" in units
    # Every word must match: the unit, the platform and a part of the filing number.
    assert _search(client, q="卫生 微信")["results"][0]["accounts"][0]["name"] == "健康新城"
    number = accounts["b"].filing_number
    assert [a["name"] for g in _search(client, q=number[-4:])["results"] for a in g["accounts"]] == [
        "健康新城"
    ]


def test_it_says_when_more_merge_targets_match_than_it_shows(
    client_for, office_admin, file_account, department_b, accounts
):
    for n in range(21):
        file_account(department_b, name=f"健康新城{n:02d}", platform=Platform.DOUYIN)
    found = _search(client_for(office_admin), q="健康新城")
    assert sum(len(group["accounts"]) for group in found["results"]) == 20 and found["more"] is True


def test_it_answers_the_merge_target_search_to_those_who_name_targets(
    client_for, personas, office_admin, admin_a, accounts
):
    url = reverse("merge_target_search")
    check_matrix(
        client_for,
        personas,
        "get",
        url,
        office=200,
        auditor=403,
        admin_a=200,
        admin_b=200,
        admin_gov=200,
        anonymous=302,
    )
    # The account being merged must be one the user may see.
    mine = f"{url}?account={accounts['a'].pk}"
    check_matrix(
        client_for,
        personas,
        "get",
        mine,
        office=200,
        auditor=403,
        admin_a=200,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )
    assert client_for(admin_a).get(f"{url}?account=abc").status_code == 404


def test_it_searches_merge_targets_in_one_query_however_many_accounts(
    client_for,
    office_admin,
    file_account,
    department_a,
    department_b,
    accounts,
    django_assert_max_num_queries,
):
    client = client_for(office_admin)
    with django_assert_max_num_queries(20) as few:
        _search(client, q="新城", account=accounts["a"].pk)
    for n in range(30):
        file_account(
            department_a if n % 2 else department_b, name=f"新城{n:02d}", platform=Platform.values[n % 9]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        _search(client, q="新城", account=accounts["a"].pk)


def test_it_names_merge_targets_on_the_sheet_by_filing_number_not_by_a_list_of_every_account(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    # The office's complaint: every row carried a <select> of every account of the district.
    a = submit(admin_a, inspection_of(campaign, accounts["a"]))
    b = submit(admin_b, inspection_of(campaign, accounts["b"]))
    meeting = meeting_of(office_admin, campaign)
    page = client_for(office_admin).get(reverse("meeting_detail", args=[meeting.pk])).content.decode()
    table = page[page.index('data-testid="decision-sheet"') : page.index("</table>")]
    assert table.count("<option") == 2 * len(Outcome.values)  # the outcome of each row, nothing more
    for inspection in (a, b):
        row = page[page.index(f'data-testid="sheet-row-{inspection.pk}"') :]
        box = re.search(r'<input[^>]*name="decisions-\d+-merge_target"[^>]*>', row).group(0)
        assert f'data-merge-picker="{reverse("merge_target_search")}"' in box
        assert f'data-account="{inspection.media_account_id}"' in box


def test_it_merges_into_the_account_the_sheet_names_by_its_filing_number(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    a = submit(admin_a, inspection_of(campaign, accounts["a"]))
    b = submit(admin_b, inspection_of(campaign, accounts["b"]))
    meeting = meeting_of(office_admin, campaign)
    url = reverse("meeting_detail", args=[meeting.pk])
    unknown = sheet(
        [
            {"self_inspection": a, "outcome": Outcome.CLOSE},
            {"self_inspection": b, "outcome": Outcome.MERGE, "merge_target": accounts["a_sub"]},
        ]
    )
    unknown["decisions-1-merge_target"] = "XC-1999-0001"
    response = form_post(client_for(office_admin), url, unknown)
    assert response.context["rows"][1].form.errors["merge_target"] == [
        "全区没有备案编号为 XC-1999-0001 的账号。"
    ]
    assert not ReviewDecision.objects.exists()
    # The number is read as a clerk types it: spaces around it and lower case do no harm.
    typed = dict(unknown, **{"decisions-1-merge_target": f" {accounts['a_sub'].filing_number.lower()} "})
    assert form_post(client_for(office_admin), url, typed).status_code == 302
    assert ReviewDecision.objects.get(self_inspection=b).merge_target == accounts["a_sub"]


def test_it_pages_the_review_and_the_decision_sheet_like_a_list(
    client_for, office_admin, admin_a, file_account, department_a
):
    for n in range(55):
        file_account(department_a, name=f"账号{n:02d}", platform=Platform.values[n % 9])
    campaign = new_campaign(office_admin)
    for inspection in SelfInspection.objects.filter(campaign=campaign):
        submit(admin_a, inspection)
    meeting = meeting_of(office_admin, campaign)
    office = client_for(office_admin)
    review = office.get(reverse("campaign_review", args=[campaign.pk]))
    assert len(review.context["rows"]) == 50 and review.context["page"].paginator.count == 55
    assert sum(count for _label, count in review.context["recommended"]) == 50  # of this page
    assert len(office.get(reverse("campaign_review", args=[campaign.pk]), {"page": 2}).context["rows"]) == 5
    url = reverse("meeting_detail", args=[meeting.pk])
    second = office.get(url, {"page": 2})
    rows = second.context["rows"]
    assert len(rows) == 5 and "待审议的 55 项申请中的第 51–55 项" in second.content.decode()
    # Recording the second page decides its rows and comes back to it; what is left moves up.
    response = form_post(
        office,
        f"{url}?page=2",
        sheet([{"self_inspection": row.inspection, "outcome": Outcome.CLOSE} for row in rows]),
    )
    assert response.status_code == 302 and response.url == f"{url}?page=2"
    after = office.get(response.url)
    assert after.context["page"].paginator.count == 50 and len(after.context["rows"]) == 50


# Step 3: closure orders -------------------------------------------------------------------------


def test_it_lists_closure_orders_with_the_overdue_ones_marked(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    late = closure_order(office_admin, admin_a, campaign, accounts["a"])
    ClosureOrder.objects.filter(pk=late.pk).update(deadline=days(-1))
    closure_order(office_admin, admin_b, campaign, accounts["b"])
    response = client_for(office_admin).get(reverse("closure_order_list"))
    assert response.context["overdue_count"] == 1
    page = response.content.decode()
    assert f'class="overdue" data-testid="order-{late.pk}"' in page
    only_late = client_for(office_admin).get(reverse("closure_order_list"), {"overdue": "true"})
    assert [order.pk for order in only_late.context["page"].object_list] == [late.pk]
    units = client_for(admin_b).get(reverse("closure_order_list"))
    assert [order.media_account.name for order in units.context["page"].object_list] == ["健康新城"]


def test_it_calls_an_open_order_awaiting_the_unit_wherever_its_status_is_named(
    client_for, office_admin, admin_a, accounts, campaign
):
    # A bare "Open" reads as 开设 (opening an account) in Chinese.
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    with translation.override("zh-hans"):
        assert order.get_status_display() == "待单位办理"
        assert dict(ClosureOrderStatus.choices)["verified"] == "已核验"
    response = client_for(admin_a).get(reverse("closure_order_list"))
    assert ("open", "待单位办理") in list(response.context["filter"].form.fields["status"].choices)
    detail = client_for(admin_a).get(reverse("closure_order_detail", args=[order.pk])).content.decode()
    assert 'data-testid="order-status">待单位办理</span>' in detail


def test_it_lets_the_unit_confirm_a_closure_with_a_notice_url(
    client_for, office_admin, admin_a, accounts, campaign
):
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    response = form_post(
        client_for(admin_a),
        reverse("closure_order_confirm", args=[order.pk]),
        {"evidence_url": "https://example.cn/notice/1", "note": "已发布关停公告"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == ClosureOrderStatus.CONFIRMED
    assert (order.evidence_url, order.evidence_note, order.confirmed_by) == (
        "https://example.cn/notice/1",
        "已发布关停公告",
        admin_a,
    )


def test_it_asks_for_some_evidence(client_for, office_admin, admin_a, accounts, campaign):
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    response = form_post(client_for(admin_a), reverse("closure_order_confirm", args=[order.pk]), {})
    assert response.status_code == 200
    assert response.context["confirm_form"].errors["evidence_url"] == ["请提供公告链接、截图或说明作为佐证。"]
    order.refresh_from_db()
    assert order.status == ClosureOrderStatus.OPEN


def test_it_stores_a_screenshot_and_serves_it_only_within_scope(
    client_for, personas, office_admin, admin_a, accounts, campaign, settings
):
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    screenshot = SimpleUploadedFile("公告 截图.PNG", PNG, content_type="image/png")
    response = form_post(
        client_for(admin_a), reverse("closure_order_confirm", args=[order.pk]), {"evidence_file": screenshot}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.evidence_file.name.startswith("closure-evidence/") and order.evidence_file.name.endswith(
        ".png"
    )
    assert "截图" not in order.evidence_file.name  # the stored name is ours, not the uploader's
    assert (settings.MEDIA_ROOT / order.evidence_file.name).exists()
    url = reverse("closure_order_evidence", args=[order.pk])
    check_matrix(
        client_for,
        personas,
        "get",
        url,
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )
    served = client_for(office_admin).get(url)
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == PNG
    assert "sandbox" in served["Content-Security-Policy"]


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("notice.txt", b"hello", "请上传 PNG、JPEG、GIF 或 WebP 格式的图片。"),
        ("notice.png", b"<svg onload=alert(1)>", "请上传 PNG、JPEG、GIF 或 WebP 格式的图片。"),
        ("notice.svg", b"<svg></svg>", "请上传 PNG、JPEG、GIF 或 WebP 格式的图片。"),
        ("big.png", PNG + b"\x00" * (5 * 1024 * 1024), "图片过大（不超过 5 MB）。"),
    ],
)
def test_it_refuses_an_upload_that_is_not_a_small_image(
    client_for, office_admin, admin_a, accounts, campaign, name, content, message
):
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    response = form_post(
        client_for(admin_a),
        reverse("closure_order_confirm", args=[order.pk]),
        {"evidence_file": SimpleUploadedFile(name, content), "note": "已关停"},
    )
    assert response.status_code == 200
    assert response.context["confirm_form"].errors["evidence_file"] == [message]
    order.refresh_from_db()
    assert order.status == ClosureOrderStatus.OPEN and not order.evidence_file


def test_it_answers_404_for_an_order_without_a_screenshot(
    client_for, office_admin, admin_a, accounts, campaign
):
    order = confirmed(admin_a, closure_order(office_admin, admin_a, campaign, accounts["a"]))
    assert client_for(office_admin).get(reverse("closure_order_evidence", args=[order.pk])).status_code == 404


def test_it_refuses_to_confirm_an_order_twice(client_for, office_admin, admin_a, accounts, campaign):
    order = confirmed(admin_a, closure_order(office_admin, admin_a, campaign, accounts["a"]))
    response = form_post(
        client_for(admin_a), reverse("closure_order_confirm", args=[order.pk]), {"note": "再次确认"}
    )
    assert response.status_code == 409
    assert messages_of(response) == ["此关停令不是待办理状态。"]


def test_it_lets_the_unit_name_the_successor_of_a_merger(
    client_for, office_admin, admin_a, accounts, campaign
):
    inspection = submit(
        admin_a, inspection_of(campaign, accounts["a_sub"]), Proposal.MERGE, merge_target=accounts["a"]
    )
    order = services.decision_make(
        actor=office_admin,
        self_inspection=inspection,
        meeting=meeting_of(office_admin, campaign),
        outcome=Outcome.MERGE,
    ).closure_order
    page = client_for(admin_a).get(reverse("closure_order_detail", args=[order.pk]))
    assert page.context["confirm_form"]["merge_target"].value() == accounts["a"].filing_number
    form_post(
        client_for(admin_a),
        reverse("closure_order_confirm", args=[order.pk]),
        {"note": "粉丝已迁移", "merge_target": accounts["b"].filing_number},
    )
    order.refresh_from_db()
    assert order.status == ClosureOrderStatus.CONFIRMED and order.merge_target == accounts["b"]


def test_it_verifies_a_closure_and_closes_the_account(client_for, office_admin, admin_a, accounts, campaign):
    order = confirmed(admin_a, closure_order(office_admin, admin_a, campaign, accounts["a"]))
    response = form_post(
        client_for(office_admin), reverse("closure_order_verify", args=[order.pk]), {"verify-note": "已核实"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    accounts["a"].refresh_from_db()
    assert order.status == ClosureOrderStatus.VERIFIED and order.verified_by == office_admin
    assert accounts["a"].status == MediaAccountStatus.CLOSED


def test_it_refuses_to_verify_an_order_the_unit_has_not_confirmed(
    client_for, office_admin, admin_a, accounts, campaign
):
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    response = form_post(client_for(office_admin), reverse("closure_order_verify", args=[order.pk]))
    assert response.status_code == 409
    assert messages_of(response) == ["只有单位已确认的关停令才能核验。"]
    accounts["a"].refresh_from_db()
    assert accounts["a"].status == MediaAccountStatus.CLOSING


def test_it_sends_a_confirmation_back_with_a_note(client_for, office_admin, admin_a, accounts, campaign):
    order = confirmed(admin_a, closure_order(office_admin, admin_a, campaign, accounts["a"]))
    response = form_post(
        client_for(office_admin),
        reverse("closure_order_reject", args=[order.pk]),
        {"reject-note": "账号仍可访问"},
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == ClosureOrderStatus.OPEN and order.rejection_note == "账号仍可访问"
    page = client_for(admin_a).get(reverse("closure_order_detail", args=[order.pk]))
    assert "账号仍可访问" in page.content.decode() and page.context["confirm_form"] is not None


def test_it_needs_a_note_to_send_a_confirmation_back(client_for, office_admin, admin_a, accounts, campaign):
    order = confirmed(admin_a, closure_order(office_admin, admin_a, campaign, accounts["a"]))
    response = form_post(
        client_for(office_admin), reverse("closure_order_reject", args=[order.pk]), {"reject-note": " "}
    )
    assert response.status_code == 200
    assert [error.code for error in response.context["reject_form"].errors.as_data()["note"]] == ["required"]
    order.refresh_from_db()
    assert order.status == ClosureOrderStatus.CONFIRMED


# The campaign page ------------------------------------------------------------------------------


def test_it_reports_the_campaign_as_the_model_case_does(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    verified_order = confirmed(admin_a, closure_order(office_admin, admin_a, campaign, accounts["a"]))
    services.closure_order_verify(actor=office_admin, order=verified_order)
    submit(admin_b, inspection_of(campaign, accounts["b"]), Proposal.RETAIN)
    response = client_for(office_admin).get(reverse("campaign_detail", args=[campaign.pk]))
    page = response.content.decode()
    assert "已关停或整合 1 个，占 3 个的 33.3%" in page
    steps = {step["key"]: (step["count"], step["percent"]) for step in response.context["steps"]}
    assert steps["in_scope"] == (3, 100.0)
    assert steps["submitted"] == (2, 66.7)
    assert steps["closed"] == (1, 33.3) and steps["verified"] == (1, 33.3)
    by_unit = {department.name: row for department, row in response.context["by_department"]}
    assert by_unit["区教育局"].closed == 1 and by_unit["区卫生健康委"].submitted == 1
    charts = response.context["charts"]
    assert charts["funnel"][0]["value"] == 3
    assert "campaign-charts" in page and 'data-campaign-chart="outcomes"' in page


def _funnel(page: str) -> dict[str, int]:
    return {
        step: int(count)
        for step, count in re.findall(
            r'data-testid="funnel-(\w+)">\s*<span class="figure">(\d+)</span>', page
        )
    }


def test_it_counts_in_the_headline_only_the_closures_the_office_has_verified(
    client_for, office_admin, admin_a, accounts, campaign
):
    # The share a district reports upward (docs/design.md §9.4): a decision or the unit's word is not yet
    # a closed account, and an order sent back is not done.
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    office = client_for(office_admin)

    def seen() -> tuple[str, dict[str, int]]:
        page = office.get(reverse("campaign_detail", args=[campaign.pk])).content.decode()
        return page, _funnel(page)

    page, funnel = seen()
    assert "已关停或整合 0 个，占 3 个的 0.0%" in page
    assert "只计入宣传部已核验的关停和整合" in page
    assert funnel == {"decided": 1, "confirmed": 0, "verified": 0}
    confirmed(admin_a, order)
    page, funnel = seen()
    assert "已关停或整合 0 个，占 3 个的 0.0%" in page and funnel == {
        "decided": 1,
        "confirmed": 1,
        "verified": 0,
    }
    services.closure_order_reject(actor=office_admin, order=order, note="公告未发布")
    page, funnel = seen()
    assert "已关停或整合 0 个，占 3 个的 0.0%" in page and funnel == {
        "decided": 1,
        "confirmed": 0,
        "verified": 0,
    }
    services.closure_order_verify(actor=office_admin, order=confirmed(admin_a, order))
    page, funnel = seen()
    assert "已关停或整合 1 个，占 3 个的 33.3%" in page and funnel == {
        "decided": 1,
        "confirmed": 1,
        "verified": 1,
    }


def test_it_shows_each_running_campaigns_verified_share_and_funnel_on_the_dashboard(
    client_for, office_admin, admin_a, admin_b, accounts, campaign
):
    order = closure_order(office_admin, admin_a, campaign, accounts["a"])
    services.closure_order_verify(actor=office_admin, order=confirmed(admin_a, order))
    closure_order(office_admin, admin_b, campaign, accounts["b"])  # decided, still with the unit
    draft = new_campaign(office_admin, start=False)  # not under way
    page = client_for(office_admin).get(reverse("home")).content.decode()
    assert f'data-testid="dashboard-campaign-{draft.pk}"' not in page
    card = page[page.index(f'data-testid="dashboard-campaign-{campaign.pk}"') :]
    assert f'href="{reverse("campaign_detail", args=[campaign.pk])}"' in card
    assert "已关停或整合 1 个，占 3 个的 33.3%" in card and "只计入宣传部已核验的关停和整合" in card
    assert _funnel(card) == {"decided": 2, "confirmed": 1, "verified": 1}
    # A unit sees the share of its own accounts.
    mine = client_for(admin_b).get(reverse("home")).content.decode()
    assert "已关停或整合 0 个，占 1 个的 0.0%" in mine
    assert _funnel(mine) == {"decided": 1, "confirmed": 0, "verified": 0}


def test_it_shows_a_unit_its_own_counts(client_for, admin_b, accounts, campaign):
    response = client_for(admin_b).get(reverse("campaign_detail", args=[campaign.pk]))
    assert response.context["progress"].in_scope == 1
    assert [department.name for department, _row in response.context["by_department"]] == ["区卫生健康委"]
    assert response.context["meetings"] is None


# Notifications ----------------------------------------------------------------------------------


def test_it_lists_a_users_notifications_newest_first_and_marks_them_read(
    client_for, office_admin, admin_a, admin_b, accounts
):
    first = new_campaign(office_admin)
    second = new_campaign(office_admin)
    client = client_for(admin_a)
    response = client.get(reverse("notification_list"))
    subjects = [n.subject for n in response.context["page"].object_list]
    assert subjects == [f"自查申请：{second.name}", f"自查申请：{first.name}"]
    assert '<span class="nav-count" data-testid="unread-count">2</span>' in response.content.decode()
    newest = response.context["page"].object_list[0]
    opened = client.post(reverse("notifications_read"), {"id": newest.pk, "open": "1"})
    assert opened.url == newest.url
    assert Notification.objects.filter(user=admin_a, read_at__isnull=True).count() == 1
    client.post(reverse("notifications_read"))
    assert not Notification.objects.filter(user=admin_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=admin_b, read_at__isnull=True).count() == 2


def test_it_marks_read_only_the_users_own_notification(client_for, office_admin, admin_a, admin_b, accounts):
    new_campaign(office_admin)
    theirs = Notification.objects.get(user=admin_b)
    response = client_for(admin_a).post(reverse("notifications_read"), {"id": theirs.pk, "open": "1"})
    assert response.url == reverse("notification_list")
    theirs.refresh_from_db()
    assert theirs.read_at is None


# Query counts -----------------------------------------------------------------------------------


@pytest.fixture
def district(file_account, office_admin, admin_a, department_a, sub_unit_a):
    """A campaign over ``n`` inspected accounts (one in four without a way to interact: red), each
    submitted, one in three decided, one in ten confirmed closed."""

    def build(n: int):
        created = [
            file_account(
                department_a if i % 2 else sub_unit_a,
                name=f"账号{i:03d}",
                platform=Platform.values[i % 3],  # siblings on a platform from the first ten
                has_interaction=i % 4 != 0,
            )
            for i in range(n)
        ]
        run = inspections.inspection_run_request(actor=office_admin)
        inspections.inspection_run_execute(run_id=run.pk)
        campaign = new_campaign(office_admin)
        meeting = meeting_of(office_admin, campaign)
        for i, account in enumerate(created):
            inspection = submit(admin_a, inspection_of(campaign, account))
            if i % 3 == 0:
                decision = services.decision_make(
                    actor=office_admin, self_inspection=inspection, meeting=meeting, outcome=Outcome.CLOSE
                )
                if i % 10 == 0:
                    confirmed(admin_a, decision.closure_order)
        return campaign, meeting

    return build


def _pages(campaign, meeting):
    return [
        reverse("home"),
        reverse("campaign_list"),
        reverse("campaign_detail", args=[campaign.pk]),
        reverse("campaign_review", args=[campaign.pk]),
        reverse("meeting_detail", args=[meeting.pk]),
        reverse("self_inspection_list"),
        reverse("self_inspection_detail", args=[campaign.self_inspections.order_by("pk").last().pk]),
        reverse("closure_order_list"),
        reverse("notification_list"),
    ]


def test_it_keeps_the_query_count_of_each_page_as_the_district_grows(
    client_for, district, office_admin, admin_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Both personas read the same two districts: the office every unit's rows, unit A its own.
    clients = {"office_admin": client_for(office_admin), "admin_a": client_for(admin_a)}
    budgets = {persona: [] for persona in clients}
    small = _pages(*district(10))
    for persona, client in clients.items():
        for url in small:
            with CaptureQueriesContext(connection) as captured:
                status = client.get(url).status_code
            budgets[persona].append((len(captured), status))
    large = _pages(*district(40))
    for persona, client in clients.items():
        for url, (budget, status) in zip(large, budgets[persona], strict=True):
            with django_assert_max_num_queries(budget):
                assert client.get(url).status_code == status, (persona, url)
