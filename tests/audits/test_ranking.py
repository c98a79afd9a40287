"""The weekly ranking agrees with itself (issue 10): one definition of who is ranked — the accounts
live during the week — for the computation, the page, the API and the export; headings that say
what the list holds; the O/A/P legend on the page; the week named for what it is."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from audits.ranking.models import WeeklyIndex
from audits.ranking.selectors import WEEK, latest_complete_week, week_start_of
from audits.ranking.services import weekly_index_compute
from registry import services
from registry.choices import MediaAccountStatus, Platform
from registry.models import MediaAccount
from tests.permission_matrix import check_matrix

LAST = latest_complete_week()


def day(n: int) -> datetime.date:
    """``n`` days after last week's Sunday (before it, if negative)."""
    return LAST + datetime.timedelta(days=n)


LONG_AGO = day(-365)


def posted(account, week, reads):
    tuesday = week + datetime.timedelta(days=2)
    services.metrics_record(
        actor=None,
        rows=[{"media_account": account.pk, "date": tuesday, "posts": 1, "reads": reads}],
    )


def ended(account, status, day, into=None):
    """The account closed or merged on ``day``: the services stamp today, the test goes back in time."""
    MediaAccount.objects.filter(pk=account.pk).update(status=status, closed_on=day, merged_into=into)


@pytest.fixture
def district(file_account, department_a, department_b):
    """Accounts that came and went around last week (Sunday LAST to Saturday LAST + 6)."""
    accounts = {
        "old": file_account(department_a, name="教育发布", activated_on=LONG_AGO),
        "new_in_week": file_account(
            department_a, name="教育新号", platform=Platform.DOUYIN, activated_on=day(3)
        ),
        "after_week": file_account(department_a, name="教育最新号", platform=Platform.KUAISHOU),
        "merged_before": file_account(department_b, name="健康旧号", activated_on=LONG_AGO),
        "closed_in_week": file_account(
            department_b, name="健康微博", platform=Platform.WEIBO, activated_on=LONG_AGO
        ),
        "pending": file_account(department_b, name="健康待批", platform=Platform.DOUYIN, approve=False),
    }
    ended(accounts["merged_before"], MediaAccountStatus.MERGED, day(-1), accounts["old"])
    ended(accounts["closed_in_week"], MediaAccountStatus.CLOSED, day(4))
    for reads, key in enumerate(accounts, start=1):
        posted(accounts[key], LAST, reads * 1000)
    return accounts


def ranked_names(rows) -> set[str]:
    return {row.media_account.name for row in rows}


def test_it_ranks_the_accounts_live_during_the_week(district):
    """Gone live by Saturday (or registered as running), not closed or merged before Sunday."""
    assert weekly_index_compute(week_start=LAST) == 3
    assert ranked_names(WeeklyIndex.objects.filter(week_start=LAST)) == {"教育发布", "教育新号", "健康微博"}


def test_computing_again_drops_an_account_that_was_not_live_that_week(district, file_account, department_a):
    """The issue's merged account, still ranked after the week was computed again."""
    weekly_index_compute(week_start=LAST)
    ended(district["old"], MediaAccountStatus.MERGED, day(-30), into=district["new_in_week"])
    assert weekly_index_compute(week_start=LAST) == 2
    assert ranked_names(WeeklyIndex.objects.filter(week_start=LAST)) == {"教育新号", "健康微博"}


def test_the_page_counts_the_accounts_the_computation_counted(client_for, office_admin, district):
    """ "已计算…共 99 个账号" above "参与排名的账号：109 个": the week's rows of accounts no longer
    counted (computed before they were known to have gone) are not ranked either."""
    weekly_index_compute(week_start=LAST)
    ended(district["old"], MediaAccountStatus.MERGED, day(-30), into=district["new_in_week"])
    client = client_for(office_admin)
    page = client.post(reverse("ranking_compute"), {"week": LAST.isoformat()}, follow=True).content.decode()
    assert "共 2 个账号" in page and "共 2 个账号参与排名" in page
    assert "教育发布" not in page
    api = client.get("/api/v1/rankings/", {"week": LAST.isoformat()}).json()
    assert api["count"] == 2 and {row["name"] for row in api["results"]} == {"教育新号", "健康微博"}


def test_it_shows_the_rows_of_an_earlier_computation_only_for_accounts_live_that_week(
    client_for, auditor, district
):
    weekly_index_compute(week_start=LAST)
    ended(district["old"], MediaAccountStatus.MERGED, day(-30), into=district["new_in_week"])
    page = client_for(auditor).get(reverse("ranking"))
    assert ranked_names(page.context["rows"]) == {"教育新号", "健康微博"}
    assert [row.rank for row in page.context["rows"]] == [1, 2]


def test_it_marks_an_account_that_has_gone_since(client_for, auditor, district):
    weekly_index_compute(week_start=LAST)
    page = client_for(auditor).get(reverse("ranking")).content.decode()
    row = page.split("健康微博")[1].split("</tr>")[0]
    closed_on = day(4).isoformat()
    assert f"已于 {closed_on} 关停" in row


# Headings, legend, the week's name ------------------------------------------------------------------


@pytest.fixture
def many(department_a):
    """55 ranked accounts: a page of 50 and a second page of 5."""
    accounts = MediaAccount.objects.bulk_create(
        MediaAccount(
            department=department_a,
            name=f"号{n:02d}",
            platform=Platform.WEIBO,
            platform_uid=f"many-{n}",
            status=MediaAccountStatus.ACTIVE,
            filing_number=f"M-{n}",
        )
        for n in range(55)
    )
    services.metrics_record(
        actor=None,
        rows=[
            {"media_account": account.pk, "date": day(1), "posts": 1, "reads": 100 + n}
            for n, account in enumerate(accounts)
        ],
    )
    weekly_index_compute(week_start=LAST)
    return accounts


def heading(page: str, testid: str) -> str:
    return page.split(f'id="{testid}"')[1].split(">", 1)[1].split("</h2>")[0]


def test_its_headings_say_what_the_chart_and_the_list_hold(client_for, auditor, admin_a, many):
    """ "全部平台前 20 名" stood above a list of three pages."""
    client = client_for(auditor)
    first = client.get(reverse("ranking")).content.decode()
    assert heading(first, "chart-title") == "全部平台指数前 20 名（条形图）"
    assert heading(first, "results-title") == "全部平台排名：第 1–50 名，共 55 个账号参与排名"
    second = client.get(reverse("ranking"), {"page": 2}).content.decode()
    assert heading(second, "results-title") == "全部平台排名：第 51–55 名，共 55 个账号参与排名"
    assert 'id="chart-title"' not in second
    weibo = client.get(reverse("ranking"), {"platform": Platform.WEIBO}).content.decode()
    assert heading(weibo, "chart-title") == "微博指数前 20 名（条形图）"
    assert heading(weibo, "results-title") == "微博排名：第 1–50 名，共 55 个账号参与排名"
    unit = client_for(admin_a).get(reverse("ranking")).content.decode()
    assert heading(unit, "chart-title") == "全部平台·本单位账号指数前 20 名（条形图）"
    assert heading(unit, "results-title") == "全部平台·本单位账号：第 1–50 个，共 55 个"


def test_it_writes_the_legend_on_the_page(client_for, auditor, many):
    page = client_for(auditor).get(reverse("ranking")).content.decode()
    legend = page.split('data-testid="ranking-legend"')[1].split("</dl>")[0]
    for text in ("(0.7 O + 0.2 A + 0.1 P)² × 12", "O 日均", "A 篇均", "P 峰值", "该周未发文的账号计 0 分"):
        assert text in legend


def test_it_names_the_week_it_shows(client_for, office_admin, many):
    client = client_for(office_admin)
    saturday = day(6).isoformat()
    page = client.get(reverse("ranking")).content.decode()
    assert "上周（最近一个完整周）" in page
    assert f"重新计算 {LAST.isoformat()} 至 {saturday} 的指数" in page
    assert "本周" not in page
    earlier = client.get(reverse("ranking"), {"week": (LAST - WEEK).isoformat()}).content.decode()
    assert "上周" not in earlier and "本周" not in earlier
    assert f"计算 {(LAST - WEEK).isoformat()} 至" in earlier


def test_it_says_the_current_week_has_not_ended(client_for, office_admin, many):
    today = timezone.localdate()  # a day of the week under way
    page = client_for(office_admin).get(reverse("ranking"), {"week": today.isoformat()}).content.decode()
    assert "本周（尚未结束）" in page
    assert "本周结束后" in page and 'data-testid="compute-week"' not in page


# The export ---------------------------------------------------------------------------------------


def _sheet(response):
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_it_exports_the_weeks_ranking(client_for, auditor, district):
    weekly_index_compute(week_start=LAST)
    response = client_for(auditor).get(reverse("ranking_export"), {"week": LAST.isoformat()})
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment") and LAST.strftime("%Y%m%d") in disposition
    rows = _sheet(response)
    saturday = day(6).isoformat()
    assert rows[0][0] == f"周榜（全部平台）：{LAST.isoformat()} 至 {saturday}"
    assert any(row[0] and "共 3 个账号参与排名" in row[0] for row in rows[:6])
    assert any(row[0] and "(0.7 O + 0.2 A + 0.1 P)² × 12" in row[0] for row in rows[:6])
    header = rows.index(
        ("名次", "账号", "平台", "主办单位", "指数", "O 日均", "A 篇均", "P 峰值")
        + ("发文数", "阅读数", "点赞数", "转发数", "评论数", "有数据的天数", "现状")
    )
    body = rows[header + 1 :]
    assert [(row[0], row[1]) for row in body] == [(1, "健康微博"), (2, "教育新号"), (3, "教育发布")]
    assert body[0][-1] == f"已于 {day(4).isoformat()} 关停"


def test_it_exports_a_units_own_accounts_with_their_district_rank(client_for, admin_a, district):
    weekly_index_compute(week_start=LAST)
    rows = _sheet(client_for(admin_a).get(reverse("ranking_export"), {"week": LAST.isoformat()}))
    header = next(index for index, row in enumerate(rows) if row[0] == "名次")
    assert [(row[0], row[1]) for row in rows[header + 1 :]] == [(2, "教育新号"), (3, "教育发布")]


def test_every_signed_in_role_may_export_the_ranking(client_for, personas, district):
    weekly_index_compute(week_start=LAST)
    check_matrix(
        client_for,
        personas,
        "get",
        f"{reverse('ranking_export')}?week={LAST.isoformat()}",
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=200,
        admin_gov=200,
        anonymous=302,
    )


@pytest.mark.parametrize("volume", [10, 120])
def test_the_export_reads_the_week_in_a_fixed_number_of_queries(
    client_for, office_admin, department_a, volume, django_assert_max_num_queries
):
    accounts = MediaAccount.objects.bulk_create(
        MediaAccount(
            department=department_a,
            name=f"号{n}",
            platform=Platform.WEIBO,
            platform_uid=f"q-{n}",
            status=MediaAccountStatus.ACTIVE,
            filing_number=f"Q-{n}",
        )
        for n in range(volume)
    )
    services.metrics_record(
        actor=None,
        rows=[{"media_account": a.pk, "date": LAST, "posts": 1, "reads": n} for n, a in enumerate(accounts)],
    )
    weekly_index_compute(week_start=LAST)
    client = client_for(office_admin)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("ranking_export"), {"week": LAST.isoformat()})
    assert len(_sheet(response)) > volume


def test_the_ranking_page_links_to_the_export_of_the_week_shown(client_for, auditor, many):
    page = client_for(auditor).get(reverse("ranking"), {"platform": Platform.WEIBO}).content.decode()
    assert f'href="{reverse("ranking_export")}?week={LAST.isoformat()}&amp;platform=weibo"' in page


def test_a_week_is_named_by_its_sunday():
    assert week_start_of(day(6)) == LAST
