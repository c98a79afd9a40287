"""The department tree by kind and a department's page."""

import pytest

from accounts import services as user_services
from accounts.choices import Role
from registry import services
from registry.choices import DepartmentKind, Platform
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def groups_of(response) -> dict[str, list[tuple[str, int]]]:
    return {
        group.kind: [(row.department.name, row.depth) for row in group.rows]
        for group in response.context["groups"]
    }


def test_it_groups_the_departments_by_kind_in_tree_order(
    client_for, office_admin, government, department_a, sub_unit_a, department_b
):
    nested = services.department_create(
        actor=None,
        name="区卫健委直属科",
        code="health-sub",
        kind=DepartmentKind.DISTRICT_DEPARTMENT,
        parent=department_b,
    )
    response = client_for(office_admin).get("/departments/")
    assert groups_of(response) == {
        "district_government": [("新城区人民政府", 0)],
        # A unit follows its parent, indented, whatever its own kind.
        "district_department": [
            ("区教育局", 0),
            ("区教育局招生办", 1),
            ("区卫生健康委", 0),
            (nested.name, 1),
        ],
    }
    assert [group.label for group in response.context["groups"]] == ["区政府", "区直部门"]


def test_it_counts_each_units_own_accounts(client_for, office_admin, file_account, department_a, sub_unit_a):
    file_account(department_a)
    file_account(department_a, platform=Platform.WEIBO)
    file_account(department_a, platform=Platform.DOUYIN, approve=False)
    file_account(sub_unit_a)
    rows = {
        row.department.code: row.department
        for group in client_for(office_admin).get("/departments/").context["groups"]
        for row in group.rows
    }
    edu = rows["edu"]
    assert (edu.live_count, edu.pending_count, edu.ended_count, edu.account_count) == (2, 1, 0, 3)
    assert rows["edu-zsb"].account_count == 1 and rows["gov"].account_count == 0


def test_it_shows_a_department_admin_its_own_subtree_only(
    client_for, admin_a, government, sub_unit_a, department_b
):
    response = client_for(admin_a).get("/departments/")
    assert groups_of(response) == {"district_department": [("区教育局", 0), ("区教育局招生办", 1)]}
    assert "区卫生健康委" not in response.content.decode()


def test_it_shows_a_department_with_its_people_parent_children_and_accounts(
    client_for, office_admin, file_account, department_a, sub_unit_a
):
    services.department_update(
        actor=None,
        department=department_a,
        first_responsible_person="周强",
        contact_name="吴敏",
        contact_phone="0571-1234567",
    )
    file_account(department_a, name="新城教育", platform=Platform.WEIBO)
    file_account(department_a, name="待批抖音", platform=Platform.DOUYIN, approve=False)
    file_account(sub_unit_a, name="招生考试")  # the child's account is on the child's page
    response = client_for(office_admin).get(f"/departments/{department_a.pk}/")
    detail = response.context["detail"]
    assert [account.name for account in detail.media_accounts] == ["新城教育", "待批抖音"]
    assert [child.name for child in detail.children] == ["区教育局招生办"]
    page = response.content.decode()
    for text in ("周强", "吴敏", "0571-1234567", "区直部门", "微博", "待审核", "运营中"):
        assert text in page
    assert f'href="/departments/{sub_unit_a.pk}/"' in page
    assert "招生考试" not in page
    sub_page = client_for(office_admin).get(f"/departments/{sub_unit_a.pk}/").content.decode()
    assert f'href="/departments/{department_a.pk}/"' in sub_page


def test_it_names_the_parent_without_a_link_outside_the_scope(client_for, department_a, sub_unit_a):
    admin_sub = user_services.user_create(
        actor=None, username="dept-edu-zsb", password=PASSWORD, role=Role.DEPT_ADMIN, department=sub_unit_a
    )
    page = client_for(admin_sub).get(f"/departments/{sub_unit_a.pk}/").content.decode()
    assert "区教育局" in page and f'href="/departments/{department_a.pk}/"' not in page


def test_it_says_so_when_a_unit_has_no_accounts_or_children(client_for, office_admin, department_b):
    page = client_for(office_admin).get(f"/departments/{department_b.pk}/").content.decode()
    assert "本单位未开设账号" in page and "没有下级单位" in page
