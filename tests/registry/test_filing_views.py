"""Filing in the browser: open, change, close, the office's queue, withdrawal, re-confirmation.

The pages are in Chinese by default, so the messages a user reads are checked in Chinese.
"""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from accounts import services as user_services
from accounts.choices import Role
from registry import services
from registry.choices import DepartmentKind, FilingKind, FilingStatus, MediaAccountStatus, Platform
from registry.models import Filing, MediaAccount
from tests.permission_matrix import check_matrix


def _messages(response) -> list[str]:
    """The messages the response leaves for the next page (and any not yet shown before it)."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def _open_data(department, **overrides):
    data = {
        "department": department.pk,
        "name": "区教育局发布",
        "platform": Platform.WEIBO,
        "platform_uid": "edu-weibo",
        "url": "https://weibo.com/edu",
        "verified": "on",
        "functions": ["information", "interaction"],
        "responsible_person": "王五",
        "has_interaction": "on",
        "reason": "发布教育政策信息，有专人运维",
        "exception_reason": "",
        "operators-TOTAL_FORMS": "3",
        "operators-INITIAL_FORMS": "0",
        "operators-0-name": "张三",
        "operators-0-phone": "13800000000",
        "operators-0-employment": "staff",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _change_data(account, **overrides):
    """The change form as the browser sends it untouched: the current record."""
    data = {
        "name": account.name,
        "url": account.url,
        "functions": account.functions,
        "responsible_person": account.responsible_person,
        "exception_reason": account.exception_reason,
        "reason": "信息更新",
        "operators-TOTAL_FORMS": "2",
        "operators-INITIAL_FORMS": "0",
    }
    if account.verified:
        data["verified"] = "on"
    if account.has_interaction:
        data["has_interaction"] = "on"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# Who may see and do what --------------------------------------------------------------------------


def test_it_scopes_every_filing_page_by_persona(client_for, personas, file_account, department_a, admin_a):
    account = file_account(department_a)
    filing = services.filing_submit_change(
        actor=admin_a, media_account=account, changes={"responsible_person": "李四"}
    )
    other = file_account(department_a)
    pages = {
        reverse("filing_list"): dict(
            office=200, auditor=200, admin_a=200, admin_b=200, admin_gov=200, anonymous=302
        ),
        reverse("filing_open"): dict(
            office=200, auditor=403, admin_a=200, admin_b=200, admin_gov=200, anonymous=302
        ),
        reverse("filing_queue"): dict(
            office=200, auditor=200, admin_a=403, admin_b=403, admin_gov=403, anonymous=302
        ),
        reverse("filing_detail", args=[filing.pk]): dict(
            office=200, auditor=200, admin_a=200, admin_b=404, admin_gov=404, anonymous=302
        ),
        reverse("filing_change", args=[other.pk]): dict(
            office=200, auditor=403, admin_a=200, admin_b=404, admin_gov=404, anonymous=302
        ),
        reverse("filing_close", args=[other.pk]): dict(
            office=200, auditor=403, admin_a=200, admin_b=404, admin_gov=404, anonymous=302
        ),
        reverse("media_accounts_reconfirm"): dict(
            office=200, auditor=403, admin_a=200, admin_b=200, admin_gov=200, anonymous=302
        ),
    }
    for url, expected in pages.items():
        check_matrix(client_for, personas, "get", url, **expected)


def test_it_lets_only_the_office_decide(client_for, personas, file_account, department_a, admin_a):
    for action, platform in (("filing_approve", Platform.DOUYIN), ("filing_reject", Platform.KUAISHOU)):
        filing = services.filing_submit_open(
            actor=admin_a, department=department_a, name=action, platform=platform, platform_uid=action
        )
        check_matrix(
            client_for,
            personas,
            "post",
            reverse(action, args=[filing.pk]),
            office=302,
            auditor=403,
            admin_a=403,
            admin_b=404,
            admin_gov=404,
            anonymous=302,
        )
    approved, rejected = Filing.objects.order_by("pk")
    assert approved.status == FilingStatus.APPROVED
    assert rejected.status == FilingStatus.SUBMITTED  # a rejection without a note is refused


def test_it_lets_the_submitter_and_the_office_withdraw(
    client_for, personas, file_account, department_a, admin_a
):
    account = file_account(department_a)
    filing = services.filing_submit_close(actor=admin_a, media_account=account, reason="整合")
    check_matrix(
        client_for,
        personas,
        "post",
        reverse("filing_withdraw", args=[filing.pk]),
        office=302,
        auditor=403,
        admin_a=302,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )
    filing.refresh_from_db()
    assert filing.status == FilingStatus.WITHDRAWN and filing.decided_by.username == "office"


def test_it_keeps_a_colleagues_filing_out_of_a_department_admins_hands(
    client_for, file_account, department_a, admin_a, office_admin
):
    account = file_account(department_a)
    filing = services.filing_submit_close(actor=office_admin, media_account=account, reason="整合")
    response = client_for(admin_a).post(reverse("filing_withdraw", args=[filing.pk]))
    assert response.status_code == 403
    assert "撤回备案" not in client_for(admin_a).get(reverse("filing_detail", args=[filing.pk])).text


def test_it_scopes_the_action_that_reconfirms_one_account(client_for, personas, file_account, department_a):
    account = file_account(department_a)
    check_matrix(
        client_for,
        personas,
        "post",
        reverse("media_account_reconfirm", args=[account.pk]),
        office=302,
        auditor=403,
        admin_a=302,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )


def test_it_refuses_get_on_actions(client_for, office_admin, file_account, department_a):
    filing = file_account(department_a, approve=False).filings.get()
    client = client_for(office_admin)
    for name in ("filing_approve", "filing_reject", "filing_withdraw"):
        assert client.get(reverse(name, args=[filing.pk])).status_code == 405
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


# Opening ------------------------------------------------------------------------------------------


def test_it_files_a_new_account_from_the_browser(client_for, admin_a, department_a):
    response = client_for(admin_a).post(reverse("filing_open"), _open_data(department_a))
    filing = Filing.objects.get()
    assert response.status_code == 302 and response.url == reverse("filing_detail", args=[filing.pk])
    assert "已提交备案，等待宣传部审核。" in _messages(response)
    account = filing.media_account
    assert (filing.kind, filing.status, filing.submitted_by) == (
        FilingKind.OPEN,
        FilingStatus.SUBMITTED,
        admin_a,
    )
    assert account.status == MediaAccountStatus.PENDING and account.filing_number is None
    assert (account.department, account.platform, account.functions) == (
        department_a,
        Platform.WEIBO,
        ["information", "interaction"],
    )
    assert list(account.operators.values_list("name", "phone", "employment")) == [
        ("张三", "13800000000", "staff")
    ]


def test_it_offers_a_department_admin_only_its_own_units(
    client_for, admin_a, department_a, sub_unit_a, department_b
):
    page = client_for(admin_a).get(reverse("filing_open"))
    choices = list(page.context["form"].fields["department"].queryset)
    assert choices == sorted([department_a, sub_unit_a], key=lambda d: (d.kind, d.code))
    response = client_for(admin_a).post(reverse("filing_open"), _open_data(department_b))
    assert response.status_code == 200
    assert response.context["form"].errors["department"] == ["选择一个有效的选项： 该选择不在可用的选项中。"]
    assert not MediaAccount.objects.exists()


def test_it_names_every_bad_field_in_chinese_and_writes_nothing(client_for, admin_a, department_a):
    data = _open_data(
        department_a,
        name="",
        platform="myspace",
        url="not a url",
        reason="",
        **{"operators-1-phone": "139", "operators-2-name": "赵六"},
    )
    response = client_for(admin_a).post(reverse("filing_open"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["该字段是必填项。"]
    assert errors["reason"] == ["该字段是必填项。"]
    assert errors["url"] == ["请输入合法的URL。"]
    assert "platform" in errors
    operator_errors = response.context["operators"].errors
    assert operator_errors[1]["name"] == ["请填写运维人员姓名。"]
    assert operator_errors[2]["employment"] == ["请选择运维人员的用工性质。"]
    assert "未提交备案，请更正下面标出的问题。" in response.text
    assert not MediaAccount.objects.exists() and not Filing.objects.exists()


def test_it_asks_a_township_for_its_exception_reason(client_for, office_admin):
    township = services.department_create(
        actor=None, name="东城街道", code="dcjd", kind=DepartmentKind.TOWNSHIP
    )
    client = client_for(office_admin)
    response = client.post(reverse("filing_open"), _open_data(township))
    assert response.context["form"].errors["exception_reason"] == [
        "镇（街道）原则上不开设政务新媒体，确需开设的请填写例外理由。"
    ]
    assert not MediaAccount.objects.exists()

    client.post(reverse("filing_open"), _open_data(township, exception_reason="街道承担全区文旅宣传任务"))
    filing = Filing.objects.get()
    assert filing.media_account.exception_reason == "街道承担全区文旅宣传任务"
    queue = client.get(reverse("filing_queue")).text
    assert "镇街例外" in queue and "街道承担全区文旅宣传任务" in queue


def test_it_warns_of_a_second_account_on_a_platform_until_acknowledged(
    client_for, admin_a, department_a, file_account, office_admin
):
    existing = file_account(department_a, name="教育微博", platform=Platform.WEIBO)
    client = client_for(admin_a)
    response = client.post(reverse("filing_open"), _open_data(department_a))
    assert response.status_code == 200
    assert response.context["form"].has_duplicate_warning()
    assert 'data-testid="duplicate-warning"' in response.text
    assert "本单位在该平台已有“教育微博”" in response.text
    assert MediaAccount.objects.count() == 1

    # A reason without the acknowledgement is not enough.
    response = client.post(reverse("filing_open"), _open_data(department_a, duplicate_reason="面向家长"))
    assert response.context["form"].errors["duplicate_acknowledged"] == [
        "请勾选确认已知晓“一个单位一个平台原则上只开设一个账号”。"
    ]

    response = client.post(
        reverse("filing_open"),
        _open_data(department_a, duplicate_acknowledged="on", duplicate_reason="面向家长的招生服务"),
    )
    assert response.status_code == 302
    filing = Filing.objects.get(media_account__platform_uid="edu-weibo")
    assert filing.duplicate_reason == "面向家长的招生服务"
    queue = client_for(office_admin).get(reverse("filing_queue")).text
    assert "同平台第二个账号" in queue and f"“{existing.name}”" in queue and "面向家长的招生服务" in queue


def test_it_names_the_account_that_already_has_the_platform_id(
    client_for, admin_b, department_a, department_b, file_account
):
    existing = file_account(department_a, name="教育抖音", platform=Platform.DOUYIN)
    response = client_for(admin_b).post(
        reverse("filing_open"),
        _open_data(department_b, platform=Platform.DOUYIN, platform_uid=existing.platform_uid),
    )
    assert response.context["form"].errors["platform_uid"] == ["该平台账号 ID 已登记为区教育局的“教育抖音”。"]
    assert MediaAccount.objects.count() == 1


# The queue and deciding ---------------------------------------------------------------------------


def test_it_lists_submitted_filings_oldest_first_with_what_the_office_needs(
    client_for, office_admin, admin_a, department_a, file_account
):
    first = file_account(department_a, name="先提交", approve=False, actor=admin_a)
    changed = file_account(department_a, name="旧名", operators=[{"name": "甲", "employment": "staff"}])
    services.filing_submit_change(
        actor=admin_a,
        media_account=changed,
        changes={"name": "新名", "operators": [{"name": "乙", "employment": "outsourced"}]},
        reason="机构更名",
    )
    file_account(department_a, name="已批准")
    response = client_for(office_admin).get(reverse("filing_queue"))
    cards = response.context["cards"]
    assert [card.filing.media_account.name for card in cards] == [first.name, "旧名"]
    assert [card.filing.kind for card in cards] == [FilingKind.OPEN, FilingKind.CHANGE]
    diff = {row.label: (row.before, row.after) for row in cards[1].rows}
    assert diff == {"名称": ("旧名", "新名"), "运维人员": ("甲（在编人员）", "乙（外包服务）")}
    text = response.text
    for expected in ("区教育局", "dept-edu", "机构更名", "批准", "驳回"):
        assert expected in text


def test_it_approves_an_open_filing_from_the_queue(
    client_for, office_admin, admin_a, department_a, file_account
):
    account = file_account(department_a, approve=False, actor=admin_a)
    filing = account.filings.get()
    response = client_for(office_admin).post(
        reverse("filing_approve", args=[filing.pk]), {"note": "符合三有原则", "next": reverse("filing_queue")}
    )
    assert response.status_code == 302 and response.url == reverse("filing_queue")
    account.refresh_from_db()
    assert f"已批准“{filing}”，备案编号 {account.filing_number}。" in _messages(response)
    filing.refresh_from_db()
    assert account.status == MediaAccountStatus.ACTIVE and account.filing_number
    assert (filing.status, filing.decision_note) == (FilingStatus.APPROVED, "符合三有原则")
    detail = client_for(admin_a).get(reverse("filing_detail", args=[filing.pk])).text
    assert account.filing_number in detail and "符合三有原则" in detail


def test_it_rejects_only_with_a_note(client_for, office_admin, admin_a, department_a, file_account):
    account = file_account(department_a, approve=False, actor=admin_a)
    filing = account.filings.get()
    client = client_for(office_admin)
    response = client.post(reverse("filing_reject", args=[filing.pk]), {"note": " "})
    assert "该字段是必填项。" in _messages(response)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED

    client.post(reverse("filing_reject", args=[filing.pk]), {"note": "不符合三有原则"})
    filing.refresh_from_db()
    account.refresh_from_db()
    assert (filing.status, filing.decision_note, account.status) == (
        FilingStatus.REJECTED,
        "不符合三有原则",
        MediaAccountStatus.REJECTED,
    )


def test_it_tells_the_second_decider_that_the_filing_is_already_decided(
    client_for, office_admin, admin_a, department_a, file_account
):
    colleague = user_services.user_create(
        actor=None, username="office2", password="x", role=Role.OFFICE_ADMIN, validate=False
    )
    filing = file_account(department_a, approve=False, actor=admin_a).filings.get()
    client_for(office_admin).post(reverse("filing_approve", args=[filing.pk]))
    for action in ("filing_approve", "filing_reject", "filing_withdraw"):
        response = client_for(colleague).post(reverse(action, args=[filing.pk]), {"note": "同意"})
        assert response.status_code == 302
        assert _messages(response) == ["该备案状态已为“已批准”。"]
    filing.refresh_from_db()
    assert (filing.status, filing.decided_by, filing.decision_note) == (
        FilingStatus.APPROVED,
        office_admin,
        "",
    )


def test_it_lets_the_submitter_withdraw_and_then_not_again(client_for, admin_a, department_a, file_account):
    account = file_account(department_a, approve=False, actor=admin_a)
    filing = account.filings.get()
    client = client_for(admin_a)
    assert "撤回备案" in client.get(reverse("filing_detail", args=[filing.pk])).text
    response = client.post(reverse("filing_withdraw", args=[filing.pk]))
    assert _messages(response) == [f"已撤回：{filing}。"]
    response = client_for(admin_a).post(reverse("filing_withdraw", args=[filing.pk]))
    assert _messages(response) == ["该备案状态已为“已撤回”。"]
    account.refresh_from_db()
    assert account.status == MediaAccountStatus.REJECTED


def test_it_shows_a_department_admin_its_units_filings_in_every_status(
    client_for, admin_a, admin_b, department_a, sub_unit_a, department_b, file_account
):
    mine = [
        file_account(department_a, name="已批准的"),
        file_account(sub_unit_a, name="待审核的", approve=False, actor=admin_a),
    ]
    file_account(department_b, name="别人的")
    page = client_for(admin_a).get(reverse("filing_list"))
    assert {filing.media_account.name for filing in page.context["page"]} == {a.name for a in mine}
    assert "本单位备案" in page.text
    filtered = client_for(admin_a).get(reverse("filing_list"), {"status": "submitted"})
    assert [filing.media_account.name for filing in filtered.context["page"]] == ["待审核的"]


# Change and close ---------------------------------------------------------------------------------


def test_it_proposes_only_the_changed_fields_and_shows_them_as_a_diff(
    client_for, admin_a, office_admin, department_a, file_account
):
    account = file_account(
        department_a,
        name="旧名",
        functions=["service", "information"],
        operators=[{"name": "甲", "phone": "1", "employment": "staff"}],
    )
    client = client_for(admin_a)
    form = client.get(reverse("filing_change", args=[account.pk])).context["form"]
    assert form["name"].value() == "旧名" and set(form["functions"].value()) == {"service", "information"}

    data = _change_data(
        account,
        name="新名",
        functions=["information", "service"],  # the same choice in another order is no change
        **{"operators-0-name": "甲", "operators-0-phone": "1", "operators-0-employment": "staff"},
    )
    response = client.post(reverse("filing_change", args=[account.pk]), data)
    filing = Filing.objects.get(kind=FilingKind.CHANGE)
    assert response.url == reverse("filing_detail", args=[filing.pk])
    assert filing.changes == {"name": "新名"}
    account.refresh_from_db()
    assert account.name == "旧名"  # nothing applies before approval

    detail = client_for(office_admin).get(reverse("filing_detail", args=[filing.pk]))
    assert [(row.label, row.before, row.after) for row in detail.context["card"].rows] == [
        ("名称", "旧名", "新名")
    ]
    client_for(office_admin).post(reverse("filing_approve", args=[filing.pk]))
    account.refresh_from_db()
    assert account.name == "新名"
    # After the decision the diff still shows the record as it was when filed.
    detail = client_for(admin_a).get(reverse("filing_detail", args=[filing.pk]))
    assert [(row.before, row.after) for row in detail.context["card"].rows] == [("旧名", "新名")]


def test_it_refuses_a_change_that_changes_nothing(client_for, admin_a, department_a, file_account):
    account = file_account(department_a, name="原样")
    response = client_for(admin_a).post(reverse("filing_change", args=[account.pk]), _change_data(account))
    assert response.status_code == 200
    assert "拟变更内容与现有登记信息相同。" in response.text
    assert not Filing.objects.filter(kind=FilingKind.CHANGE).exists()


def test_it_sends_a_user_back_when_an_account_cannot_be_changed(
    client_for, admin_a, department_a, file_account
):
    pending = file_account(department_a, approve=False)
    response = client_for(admin_a).get(reverse("filing_change", args=[pending.pk]))
    assert response.url == reverse("media_account_detail", args=[pending.pk])
    assert _messages(response) == ["只有运营中的账号可以申请变更或注销。"]

    busy = file_account(department_a)
    services.filing_submit_close(actor=admin_a, media_account=busy, reason="整合")
    response = client_for(admin_a).get(reverse("filing_close", args=[busy.pk]))
    assert _messages(response) == ["该账号已有一条待审核的备案。"]
    response = client_for(admin_a).post(
        reverse("filing_change", args=[busy.pk]), _change_data(busy, name="另一个名字")
    )
    assert _messages(response) == ["该账号已有一条待审核的备案。"]
    assert busy.filings.count() == 2


def test_it_files_a_closure_with_successor_and_notice(
    client_for, admin_a, office_admin, department_a, department_b, file_account
):
    account = file_account(department_a, name="要关停的")
    successor = file_account(department_b, name="主账号")
    closed = file_account(department_a, name="早已关停")
    services.filing_approve(
        actor=office_admin, filing=services.filing_submit_close(actor=None, media_account=closed, reason="x")
    )
    client = client_for(admin_a)
    form = client.get(reverse("filing_close", args=[account.pk])).context["form"]
    # The successor may be any live account of the district, not only the unit's own.
    assert set(form.fields["successor"].queryset) == {successor}

    response = client.post(reverse("filing_close", args=[account.pk]), {"reason": "", "successor": closed.pk})
    errors = response.context["form"].errors
    assert errors["reason"] == ["该字段是必填项。"] and "successor" in errors

    client.post(
        reverse("filing_close", args=[account.pk]),
        {"reason": "整合到区主账号", "successor": successor.pk, "notice_url": "https://gov.cn/notice"},
    )
    filing = Filing.objects.get(kind=FilingKind.CLOSE, media_account=account)
    queue = client_for(office_admin).get(reverse("filing_queue")).text
    assert "整合到区主账号" in queue and "主账号" in queue and "https://gov.cn/notice" in queue
    client_for(office_admin).post(reverse("filing_approve", args=[filing.pk]))
    account.refresh_from_db()
    assert (account.status, account.merged_into) == (MediaAccountStatus.CLOSED, successor)


# Re-confirmation ----------------------------------------------------------------------------------


def test_it_reconfirms_one_account_from_its_page(client_for, admin_a, department_a, file_account):
    account = file_account(department_a)
    detail = client_for(admin_a).get(reverse("media_account_detail", args=[account.pk])).text
    assert reverse("media_account_reconfirm", args=[account.pk]) in detail
    response = client_for(admin_a).post(reverse("media_account_reconfirm", args=[account.pk]))
    assert response.url == reverse("media_account_detail", args=[account.pk])
    account.refresh_from_db()
    assert account.last_confirmed_on == timezone.localdate()


def test_it_reconfirms_all_live_accounts_of_a_department_at_once(
    client_for, admin_a, department_a, sub_unit_a, department_b, file_account
):
    mine = [file_account(department_a), file_account(sub_unit_a)]
    pending = file_account(department_a, approve=False)
    other = file_account(department_b)
    client = client_for(admin_a)
    page = client.get(reverse("media_accounts_reconfirm"))
    assert list(page.context["accounts"]) == sorted(
        mine, key=lambda a: (a.department.code, a.platform, a.name)
    )
    response = client.post(reverse("media_accounts_reconfirm"))
    assert _messages(response) == ["已确认 2 个账号的登记信息准确。"]
    for account in (*mine, pending, other):
        account.refresh_from_db()
    assert [a.last_confirmed_on for a in mine] == [timezone.localdate()] * 2
    assert pending.last_confirmed_on is None and other.last_confirmed_on is None


def test_it_has_the_office_reconfirm_one_unit_at_a_time(client_for, office_admin, department_a, file_account):
    account = file_account(department_a)
    client = client_for(office_admin)
    assert list(client.get(reverse("media_accounts_reconfirm")).context["accounts"]) == []
    response = client.post(reverse("media_accounts_reconfirm"))
    assert _messages(response) == ["没有需要确认的运营中账号。"]
    client.post(reverse("media_accounts_reconfirm"), {"department": department_a.pk})
    account.refresh_from_db()
    assert account.last_confirmed_on == timezone.localdate()


# Query counts -------------------------------------------------------------------------------------


# Measured: 10 for the queue and the list, whatever the count (session, user, the navigation's
# counts, the filings, their accounts' operators, the second accounts' siblings); a little headroom
# for the page chrome, none for a query per filing.
QUEUE_QUERIES = 12


@pytest.mark.parametrize("count", [10, 60])
def test_it_builds_the_queue_and_the_list_in_a_fixed_number_of_queries(
    count, client_for, office_admin, admin_a, department_a, file_account, django_assert_max_num_queries
):
    for number in range(count):
        if number % 2:
            file_account(department_a, approve=False, actor=admin_a, platform=Platform.DOUYIN)
        else:
            account = file_account(department_a, operators=[{"name": "甲", "employment": "staff"}])
            services.filing_submit_change(
                actor=admin_a, media_account=account, changes={"name": f"新{number}"}
            )
    client = client_for(office_admin)
    with django_assert_max_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("filing_queue"))
    assert len(response.context["cards"]) == count
    with django_assert_max_num_queries(QUEUE_QUERIES):
        client.get(reverse("filing_list"))


# The pages themselves -----------------------------------------------------------------------------


def test_it_speaks_english_when_asked(client_for, office_admin, admin_a, department_a, file_account):
    file_account(department_a, approve=False, actor=admin_a)
    client = client_for(office_admin)
    client.cookies["django_language"] = "en"
    text = client.get(reverse("filing_queue")).text
    assert "Filings awaiting approval" in text and "Approve" in text and "待审核备案" not in text


def test_it_refuses_a_form_without_its_csrf_token(admin_a, department_a):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_a)
    assert client.post(reverse("filing_open"), _open_data(department_a)).status_code == 403
    assert not MediaAccount.objects.exists()


def test_it_puts_no_script_inline_in_its_templates():
    import re
    from pathlib import Path

    from django.conf import settings

    templates = Path(settings.BASE_DIR, "templates", "registry")
    for path in [
        *templates.glob("filing_*.html"),
        *templates.glob("import_*.html"),
        *templates.glob("_media_*.html"),
    ]:
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), path.name
        assert not re.search(r"\son[a-z]+=", text), path.name
