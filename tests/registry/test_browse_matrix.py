"""The matrix: units × platforms, each cell the unit's accounts on it as status chips."""

import re

import pytest

from audits.inspections.choices import Severity
from registry import selectors, services
from registry.choices import Platform
from tests.audits.test_grades import find
from tests.registry.test_browse_media_accounts import import_accounts

pytestmark = pytest.mark.django_db


def chips(page: str) -> list[tuple[str, str]]:
    """(status, name) of each chip in the table, in order."""
    return re.findall(r'<a class="chip status-(\w+)" href="/media-accounts/\d+/"[^>]*>([^<]+)<', page)


def row_of(page: str, unit: str) -> str:
    return re.search(rf"<tr>\s*<th scope=\"row\"[^>]*><a [^>]*>{unit}</a>(.*?)</tr>", page, re.S).group(1)


def test_it_puts_each_account_in_its_units_row_and_platforms_column(
    client_for, office_admin, file_account, department_a, department_b
):
    file_account(department_a, name="教育公众号")
    file_account(department_a, name="教育抖音", platform=Platform.DOUYIN)
    file_account(department_b, name="健康微博", platform=Platform.WEIBO)
    response = client_for(office_admin).get("/matrix/")
    matrix = response.context["matrix"]
    # Only platforms in use get a column, in the order of the platforms' list.
    assert [code for code, _label in matrix.platforms] == ["wechat_official", "weibo", "douyin"]
    rows = {row.department.code: row for group in matrix.groups for row in group.rows}
    names = {code: [[a.name for a in cell.accounts] for cell in row.cells] for code, row in rows.items()}
    assert names["edu"] == [["教育公众号"], [], ["教育抖音"]]
    assert names["health"] == [[], ["健康微博"], []]
    page = response.content.decode()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row_of(page, "区教育局"), re.S)
    assert "教育公众号" in cells[0] and cells[1] == "" and "教育抖音" in cells[2]


def test_it_colours_the_chips_by_status_and_shows_pending_ones(
    client_for, office_admin, admin_a, file_account, department_a
):
    file_account(department_a, name="在用")
    file_account(department_a, name="待批", platform=Platform.WEIBO, approve=False)
    closing = file_account(department_a, name="将关", platform=Platform.DOUYIN)
    services.filing_submit_close(actor=admin_a, media_account=closing, reason="不再需要")  # still active
    page = client_for(office_admin).get("/matrix/").content.decode()
    assert chips(page) == [("active", "在用"), ("pending", "待批"), ("active", "将关")]


def test_it_leaves_closed_accounts_out_unless_asked(
    client_for, office_admin, admin_a, file_account, department_a
):
    file_account(department_a, name="在用")
    closed = file_account(department_a, name="已关", platform=Platform.WEIBO)
    rejected = file_account(department_a, name="未批", platform=Platform.DOUYIN, approve=False)
    services.filing_approve(
        actor=office_admin,
        filing=services.filing_submit_close(actor=admin_a, media_account=closed, reason="整合"),
    )
    services.filing_reject(actor=office_admin, filing=rejected.filings.get())
    client = client_for(office_admin)
    page = client.get("/matrix/").content.decode()
    assert chips(page) == [("active", "在用")]
    assert 'href="/matrix/?closed=1"' in page
    with_closed = client.get("/matrix/", {"closed": "1"}).content.decode()
    assert chips(with_closed) == [("active", "在用"), ("closed", "已关")]  # rejected ones never opened
    assert 'href="/matrix/"' in with_closed


def test_it_groups_rows_by_kind_and_keeps_units_without_accounts(
    client_for, office_admin, file_account, government, department_a, sub_unit_a
):
    file_account(department_a)
    matrix = client_for(office_admin).get("/matrix/").context["matrix"]
    assert [
        (group.label, [(row.department.name, row.depth) for row in group.rows]) for group in matrix.groups
    ] == [
        ("区政府", [("新城区人民政府", 0)]),
        # A sub-unit stays below its parent, whatever its own kind.
        ("区直部门", [("区教育局", 0), ("区教育局招生办", 1)]),
    ]


def test_it_shows_a_department_admin_its_own_units_only(
    client_for, admin_a, file_account, department_a, sub_unit_a, department_b
):
    file_account(sub_unit_a, name="招生办")
    file_account(department_b, name="健康新城")
    page = client_for(admin_a).get("/matrix/").content.decode()
    assert chips(page) == [("active", "招生办")]
    assert "区卫生健康委" not in page and "新城区人民政府" not in page


def test_it_marks_a_cell_with_more_than_one_account(client_for, office_admin, file_account, department_a):
    file_account(department_a, name="一号")
    file_account(department_a, name="二号")
    page = client_for(office_admin).get("/matrix/").content.decode()
    assert '<td class="several">' in row_of(page, "区教育局")


# A large matrix: counted cells, a unit opened on demand ------------------------------------------


@pytest.fixture
def large(monkeypatch):
    """A matrix past the number of accounts it names one by one (three, for the test)."""
    monkeypatch.setattr(selectors, "MATRIX_NAMED_ACCOUNTS", 3)


def test_it_counts_each_cell_by_grade_once_it_holds_too_many_accounts_to_name(
    large, client_for, office_admin, file_account, department_a, sub_unit_a, department_b
):
    red = file_account(department_a, name="一号")
    file_account(department_a, name="二号")
    file_account(sub_unit_a, name="招生办")
    file_account(department_b, name="健康微博", platform=Platform.WEIBO)
    find(red, Severity.SERIOUS)
    response = client_for(office_admin).get("/matrix/")
    matrix = response.context["matrix"]
    assert not matrix.named and matrix.account_count == 4
    rows = {row.department.code: row for group in matrix.groups for row in group.rows}
    assert [(cell.count, cell.grades) for cell in rows["edu"].cells] == [(2, {"red": 1, "green": 1}), (0, {})]
    page = response.content.decode()
    assert chips(page) == []  # no account is named
    edu = row_of(page, "区教育局")
    accounts = f"/media-accounts/?department={department_a.pk}&amp;platform=wechat_official"
    assert f'href="{accounts}">2 个账号</a>' in edu
    assert '<span class="grade-count" data-grade="red">1 个红色</span>' in edu
    assert f'href="/matrix/units/{department_a.pk}/"' in edu


def test_it_opens_a_unit_into_its_accounts_and_those_of_the_units_below_it(
    large, client_for, office_admin, file_account, department_a, sub_unit_a, department_b
):
    for name in ("一号", "二号", "三号"):
        file_account(department_a, name=name)
    file_account(sub_unit_a, name="招生办")
    file_account(department_b, name="健康微博")
    response = client_for(office_admin).get(f"/matrix/units/{department_a.pk}/")
    matrix = response.context["matrix"]
    assert matrix.named and matrix.unit == department_a
    assert [(row.department.name, row.depth) for group in matrix.groups for row in group.rows] == [
        ("区教育局", 0),
        ("区教育局招生办", 1),
    ]
    page = response.content.decode()
    assert chips(page) == [("active", "一号"), ("active", "二号"), ("active", "三号"), ("active", "招生办")]
    assert "<h1>政务新媒体矩阵：区教育局</h1>" in page and 'href="/matrix/"' in page


def test_it_answers_a_unit_outside_the_scope_as_an_unknown_one(client_for, admin_a, department_b):
    client = client_for(admin_a)
    assert client.get(f"/matrix/units/{department_b.pk}/").status_code == 404
    assert client.get("/matrix/units/999999999/").status_code == 404


def test_it_counts_a_large_matrix_in_as_many_queries_for_10_accounts_as_for_100(
    large, client_for, office_admin, government, department_a, sub_unit_a, department_b,
    django_assert_max_num_queries,
):  # fmt: skip
    units = [government, department_a, sub_unit_a, department_b]
    client = client_for(office_admin)
    import_accounts(office_admin, units, 10)
    with django_assert_max_num_queries(50) as captured:
        assert not client.get("/matrix/").context["matrix"].named
    import_accounts(office_admin, units, 90, start=10)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert client.get("/matrix/").context["matrix"].account_count == 100
