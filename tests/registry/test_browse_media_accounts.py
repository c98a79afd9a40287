"""The media account list (filters, sorting, pages) and an account's page (record, operators,
filings, activity chart, audit trail)."""

import datetime
import re

import pytest
from django.utils import timezone

from audits.trail.selectors import HISTORY_LIMIT
from registry import services
from registry.choices import FilingKind, MediaAccountStatus, Platform
from registry.models import MediaAccount

pytestmark = pytest.mark.django_db


def import_accounts(actor, departments, count, *, start=0, platforms=tuple(Platform.values)) -> None:
    """``count`` active accounts spread over the departments and platforms, in one service call."""
    services.media_accounts_import(
        actor=actor,
        rows=[
            {
                "row": number + 2,
                "department_code": departments[number % len(departments)].code,
                "platform": platforms[number % len(platforms)],
                "name": f"批量账号{number}",
                "platform_uid": f"bulk-{number}",
                "verified": "是",
                "has_interaction": "是",
                "functions": "information",
            }
            for number in range(start, start + count)
        ],
    )


def names(response) -> list[str]:
    return [account.name for account in response.context["page"].object_list]


def set_followers(actor, account, followers: int, *, day=None) -> None:
    day = day or timezone.localdate()
    services.metrics_record(
        actor=actor, rows=[{"media_account": account, "date": day, "followers": followers, "posts": 1}]
    )


# The list -------------------------------------------------------------------------------------


def test_it_lists_only_the_accounts_in_scope(
    client_for, admin_a, file_account, department_a, sub_unit_a, department_b
):
    file_account(department_a, name="教育发布")
    file_account(sub_unit_a, name="招生办")
    file_account(department_b, name="健康新城")
    assert sorted(names(client_for(admin_a).get("/media-accounts/"))) == ["招生办", "教育发布"]


def test_it_offers_only_departments_in_scope_in_the_filter(client_for, admin_a, department_a, department_b):
    page = client_for(admin_a).get("/media-accounts/").content.decode()
    assert f'value="{department_a.pk}"' in page and "区卫生健康委" not in page


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"platform": "weibo"}, ["教育微博"]),
        ({"status": "pending"}, ["待批账号"]),
        ({"department_kind": "other"}, ["招生办"]),
        ({"q": "微博"}, ["教育微博"]),
        ({"q": "uid-special"}, ["招生办"]),
        ({"platform": "wechat_official", "status": "active"}, ["招生办", "教育发布"]),
    ],
)
def test_it_filters_by_platform_status_department_kind_and_free_text(
    client_for, office_admin, file_account, department_a, sub_unit_a, query, expected
):
    file_account(department_a, name="教育发布")
    file_account(department_a, name="教育微博", platform=Platform.WEIBO)
    file_account(department_a, name="待批账号", platform=Platform.DOUYIN, approve=False)
    special = file_account(sub_unit_a, name="招生办")
    MediaAccount.objects.filter(pk=special.pk).update(platform_uid="uid-special")  # a searchable id
    response = client_for(office_admin).get("/media-accounts/", query)
    assert sorted(names(response)) == sorted(expected)


def test_it_filters_by_department(client_for, office_admin, file_account, department_a, department_b):
    file_account(department_a, name="教育发布")
    file_account(department_b, name="健康新城")
    response = client_for(office_admin).get("/media-accounts/", {"department": department_b.pk})
    assert names(response) == ["健康新城"]


def test_it_names_a_bad_filter_value_and_still_answers(client_for, office_admin, file_account, department_a):
    file_account(department_a)
    response = client_for(office_admin).get("/media-accounts/", {"platform": "myspace"})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="alert"' in page and "myspace" in page and "平台" in page


def test_it_sorts_by_a_column_both_ways(client_for, office_admin, file_account, department_a):
    for name, followers in (("乙", 50), ("甲", 900), ("丙", 7)):
        set_followers(office_admin, file_account(department_a, name=name), followers)
    client = client_for(office_admin)
    assert names(client.get("/media-accounts/", {"ordering": "followers"})) == ["丙", "乙", "甲"]
    assert names(client.get("/media-accounts/", {"ordering": "-followers"})) == ["甲", "乙", "丙"]


def test_it_marks_the_sorted_column_and_links_the_other_way(
    client_for, office_admin, file_account, department_a
):
    file_account(department_a)
    page = (
        client_for(office_admin)
        .get("/media-accounts/?platform=wechat_official&ordering=name")
        .content.decode()
    )
    header = re.search(r'<th scope="col" aria-sort="ascending"><a href="([^"]+)">名称', page)
    assert header, "the name column is marked as sorted ascending"
    assert "ordering=-name" in header.group(1) and "platform=wechat_official" in header.group(1)
    assert page.count("aria-sort=") == 1


def test_it_pages_by_fifty_and_keeps_the_filters(client_for, office_admin, department_a, department_b):
    import_accounts(office_admin, [department_a], 51, platforms=("weibo",))
    import_accounts(office_admin, [department_b], 3, start=100, platforms=("douyin",))
    client = client_for(office_admin)
    first = client.get("/media-accounts/", {"platform": "weibo", "ordering": "name"})
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.count == 51
    page = first.content.decode()
    next_link = re.search(r'href="([^"]+)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "platform=weibo" in next_link and "ordering=name" in next_link and "page=2" in next_link
    second = client.get("/media-accounts/" + next_link)
    assert len(second.context["page"].object_list) == 1
    assert not set(names(first)) & set(names(second))


def test_it_shows_the_last_page_for_a_page_number_too_far(
    client_for, office_admin, file_account, department_a
):
    file_account(department_a, name="唯一")
    response = client_for(office_admin).get("/media-accounts/", {"page": "99"})
    assert response.status_code == 200 and names(response) == ["唯一"]


def test_it_says_so_when_nothing_matches(client_for, office_admin, file_account, department_a):
    file_account(department_a)
    page = client_for(office_admin).get("/media-accounts/", {"q": "不存在的账号"}).content.decode()
    assert "没有符合筛选条件的账号" in page and "清除筛选" in page


# One account ------------------------------------------------------------------------------------


def test_it_shows_the_record_of_an_account(client_for, office_admin, file_account, department_a):
    account = file_account(
        department_a,
        name="新城教育",
        url="https://example.gov.cn/edu",
        verified=True,
        responsible_person="王芳",
        functions=["information", "service"],
    )
    page = client_for(office_admin).get(f"/media-accounts/{account.pk}/").content.decode()
    for text in ("新城教育", "区教育局", "微信公众号", account.platform_uid, "https://example.gov.cn/edu"):
        assert text in page
    assert account.filing_number in page and "王芳" in page and "信息发布、政务服务" in page
    assert "运营中" in page


def test_it_shows_operator_phones_only_to_the_office_and_the_units_admins(
    client_for, office_admin, auditor, admin_a, file_account, sub_unit_a
):
    operators = [{"name": "李明", "phone": "13912345678", "employment": "staff"}]
    account = file_account(sub_unit_a, operators=operators)
    for user, sees_phone in ((office_admin, True), (admin_a, True), (auditor, False)):
        page = client_for(user).get(f"/media-accounts/{account.pk}/").content.decode()
        assert "李明" in page and "在编人员" in page
        # Not in the operators table, and not in the audit trail of the filing either.
        assert ("13912345678" in page) is sees_phone, user.username


def test_it_heads_the_operators_name_column_as_a_persons_name(
    client_for, office_admin, file_account, sub_unit_a
):
    account = file_account(sub_unit_a, operators=[{"name": "李明", "phone": "", "employment": "staff"}])
    page = client_for(office_admin).get(f"/media-accounts/{account.pk}/").content.decode()
    table = page[page.index('id="operators-title"') :]
    header = table[table.index("<thead>") : table.index("</thead>")]
    assert '<th scope="col">姓名</th>' in header and "名称" not in header


def test_it_lists_the_filing_history(client_for, office_admin, admin_a, file_account, department_a):
    account = file_account(department_a)
    filing = services.filing_submit_change(
        actor=admin_a, media_account=account, changes={"responsible_person": "赵六"}, reason="人员调整"
    )
    services.filing_reject(actor=office_admin, filing=filing, note="请附任命文件")
    detail = client_for(admin_a).get(f"/media-accounts/{account.pk}/").context["detail"]
    assert [(f.kind, f.status) for f in detail.filings] == [
        (FilingKind.CHANGE, "rejected"),
        (FilingKind.OPEN, "approved"),
    ]
    page = client_for(admin_a).get(f"/media-accounts/{account.pk}/").content.decode()
    assert "请附任命文件" in page and "已驳回" in page


def test_it_charts_followers_and_posts_of_the_last_90_days(
    client_for, office_admin, file_account, department_a
):
    account = file_account(department_a)
    today = timezone.localdate()
    services.metrics_record(
        actor=office_admin,
        rows=[
            {
                "media_account": account,
                "date": today - datetime.timedelta(days=days),
                "followers": 100 + days,
                "posts": 2,
            }
            for days in (0, 1, 89, 90)
        ],
    )
    response = client_for(office_admin).get(f"/media-accounts/{account.pk}/")
    chart = response.context["detail"].chart
    assert len(chart["dates"]) == 90 and chart["dates"][-1] == today.isoformat()
    assert chart["followers"][-1] == 100 and chart["followers"][-2] == 101 and chart["followers"][0] == 189
    assert chart["posts"][-3] is None  # a day without figures is a gap, not a zero
    page = response.content.decode()
    assert 'id="activity-chart" type="application/json"' in page and 'data-chart="activity"' in page


def test_it_shows_when_each_days_figures_arrived_to_the_units_admin(
    client_for, office_admin, admin_a, file_account, department_a, department_b
):
    # The office's upload for two units records one event the unit does not see; the unit still
    # sees on the account's page when its figures arrived (read from the figures themselves).
    account, other = file_account(department_a), file_account(department_b)
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in (3, 2, 1)]
    services.metrics_record(
        actor=office_admin,
        rows=[
            {"media_account": item, "date": day, "posts": 1} for item in (account, other) for day in days[:2]
        ],
    )
    services.metrics_record(actor=admin_a, rows=[{"media_account": account, "date": days[2], "posts": 2}])
    response = client_for(admin_a).get(f"/media-accounts/{account.pk}/")
    arrivals = response.context["detail"].arrivals
    assert [(arrival.days, arrival.first, arrival.last) for arrival in arrivals] == [
        (1, days[2], days[2]),
        (2, days[0], days[1]),
    ]
    assert arrivals[0].at > arrivals[1].at
    page = response.content.decode()
    assert 'data-testid="metric-arrivals"' in page and days[0].isoformat() in page


def test_it_says_so_when_there_are_no_figures(client_for, office_admin, file_account, department_a):
    account = file_account(department_a)
    page = client_for(office_admin).get(f"/media-accounts/{account.pk}/").content.decode()
    assert "近 90 天没有运营数据" in page and 'data-chart="activity"' not in page


def test_it_shows_the_trail_of_the_account_and_its_filings_newest_first(
    client_for, office_admin, admin_a, file_account, department_a
):
    account = file_account(department_a, actor=admin_a)
    services.media_accounts_reconfirm(actor=admin_a, media_accounts=[account])
    other = file_account(department_a)  # its events are not this account's
    response = client_for(office_admin).get(f"/media-accounts/{account.pk}/")
    events = response.context["history"].rows
    assert [row.event.action for row in events] == [
        "registry.media_account.reconfirmed",
        "registry.filing.approved",
        "registry.media_account.activated",
        "registry.filing.submitted",
    ]
    assert [row.label for row in events] == ["年度确认", "备案批准", "账号启用", "提交备案"]
    assert f"{events[1].event.object_repr}</div>" in response.text  # a filing's event names the filing
    assert events[1].event.object_repr == f"{account.name}（微信公众号）：开设备案"
    activated = events[2].changes
    # (PostgreSQL's jsonb keeps keys in its own order, so the lines are looked up by label.)
    assert ("状态", "待审核", "运营中") in [(line.label, line.before, line.after) for line in activated]
    submitted = {line.label: line.after for line in events[3].changes}
    assert submitted["单位"] == "区教育局"  # an id in the trail is shown by its name
    assert other.name not in {line.after for row in events for line in row.changes}


def test_it_shows_the_latest_events_and_links_to_the_rest(
    client_for, office_admin, file_account, department_a
):
    account = file_account(department_a)
    for _ in range(15):
        services.media_accounts_reconfirm(actor=office_admin, media_accounts=[account])
        filing = services.filing_submit_change(
            actor=office_admin, media_account=account, changes={"responsible_person": f"人{_}"}
        )
        services.filing_withdraw(actor=office_admin, filing=filing)
    history = client_for(office_admin).get(f"/media-accounts/{account.pk}/").context["history"]
    assert len(history.rows) == HISTORY_LIMIT and history.more
    times = [row.event.at for row in history.rows]
    assert times == sorted(times, reverse=True)


def test_it_links_the_successor_of_a_closed_account(
    client_for, office_admin, admin_a, file_account, department_a
):
    account = file_account(department_a, name="旧号")
    successor = file_account(department_a, name="新号")
    filing = services.filing_submit_close(
        actor=admin_a, media_account=account, reason="整合", successor=successor
    )
    services.filing_approve(actor=office_admin, filing=filing)
    page = client_for(admin_a).get(f"/media-accounts/{account.pk}/").content.decode()
    assert f'href="/media-accounts/{successor.pk}/"' in page and "承接账号" in page
    assert MediaAccount.objects.get(pk=account.pk).status == MediaAccountStatus.CLOSED
