"""The official order of units (排序): the government first, then the departments, the townships and
the other units, each in the order the office sets, every sub-unit right after its parent; and every
list, filter and export of units follows it."""

import csv
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audits.trail.models import AuditEvent
from registry import services
from registry.choices import DepartmentKind
from registry.models import Department
from tests.permission_matrix import check_matrix

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(government, department_a, sub_unit_a, department_b):
    """Units registered out of the official order: a township first, a department last."""
    township = services.department_create(
        actor=None, name="东湖镇", code="donghu", kind=DepartmentKind.TOWNSHIP
    )
    department_c = services.department_create(
        actor=None, name="区农业农村局", code="agri", kind=DepartmentKind.DISTRICT_DEPARTMENT
    )
    return {
        "gov": government,
        "a": department_a,
        "sub": sub_unit_a,
        "b": department_b,
        "town": township,
        "c": department_c,
    }


OFFICIAL = ["新城区人民政府", "区教育局", "区教育局招生办", "区卫生健康委", "区农业农村局", "东湖镇"]


def names(departments) -> list[str]:
    return [department.name for department in departments]


def district_departments():
    return Department.objects.filter(kind=DepartmentKind.DISTRICT_DEPARTMENT, parent=None)


def options(page: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no <select name={name}>"
    return [label.strip() for value, label in re.findall(r'<option value="(\d+)"[^>]*>([^<]*)<', select[1])]


def test_it_lists_the_government_first_and_each_sub_unit_after_its_parent(district):
    assert names(Department.objects.all()) == OFFICIAL


def test_it_puts_a_new_unit_last_of_its_kind(district):
    assert [district[key].sort_order for key in ("a", "b", "c")] == [1, 2, 3]
    assert district["town"].sort_order == 1 and district["sub"].sort_order == 1


@pytest.mark.parametrize(
    "url, field",
    [
        ("/media-accounts/", "department"),
        ("/filings/", "department"),
        ("/filings/open/", "department"),
        ("/media-accounts/reconfirm/", "department"),
        ("/campaigns/new/", "departments"),
        ("/self-inspections/", "department"),
        ("/closure-orders/", "department"),
        ("/findings/", "department"),
        ("/notices/", "department"),
        ("/trail/", "department"),
    ],
)
def test_it_offers_the_units_in_the_official_order_in_every_form_and_filter(
    client_for, office_admin, district, url, field
):
    response = client_for(office_admin).get(url)
    assert response.status_code == 200
    assert options(response.content.decode(), field) == OFFICIAL


def test_it_shows_the_unit_tree_in_the_official_order(client_for, office_admin, district):
    groups = client_for(office_admin).get("/departments/").context["groups"]
    assert [(group.kind, [(row.department.name, row.depth) for row in group.rows]) for group in groups] == [
        ("district_government", [("新城区人民政府", 0)]),
        # A sub-unit stays below its parent, whatever its own kind.
        (
            "district_department",
            [("区教育局", 0), ("区教育局招生办", 1), ("区卫生健康委", 0), ("区农业农村局", 0)],
        ),
        ("township", [("东湖镇", 0)]),
    ]


@pytest.fixture
def accounts(file_account, district):
    # Filed in the reverse of the official order, so an order by id would show it.
    return {
        key: file_account(district[key], name=f"账号-{key}", exception_reason="特殊需要")
        for key in ("town", "c", "b", "sub", "a", "gov")
    }


def test_it_exports_the_register_in_the_official_order(client_for, office_admin, accounts):
    content = b"".join(client_for(office_admin).get("/media-accounts/export.csv").streaming_content)
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))[1:]
    assert [row[1] for row in rows] == OFFICIAL


def test_it_sorts_the_account_list_by_unit_in_the_official_order(client_for, office_admin, accounts):
    client = client_for(office_admin)
    default = client.get("/media-accounts/").context["page"].object_list
    assert [account.department.name for account in default] == OFFICIAL
    by_unit = client.get("/media-accounts/?ordering=-department").context["page"].object_list
    assert [account.department.name for account in by_unit] == OFFICIAL[::-1]


def test_it_answers_the_api_in_the_official_order(client_for, office_admin, accounts):
    client = client_for(office_admin)
    units = client.get("/api/v1/departments/").json()["results"]
    assert [unit["name"] for unit in units] == OFFICIAL
    assert [unit["sort_order"] for unit in units] == [1, 1, 1, 2, 3, 1]
    media_accounts = client.get("/api/v1/media-accounts/").json()["results"]
    assert [account["department_name"] for account in media_accounts] == OFFICIAL


def test_it_lets_the_office_set_a_units_place_and_records_every_unit_that_moves(office_admin, district):
    services.department_update(actor=office_admin, department=district["c"], sort_order=1)
    assert names(Department.objects.filter(kind=DepartmentKind.DISTRICT_DEPARTMENT)) == [
        "区农业农村局",
        "区教育局",
        "区卫生健康委",
    ]
    changes = {
        event.object_repr: event.changes
        for event in AuditEvent.objects.filter(action="registry.department.updated")
    }
    assert changes == {
        "区农业农村局": {"before": {"sort_order": 3}, "after": {"sort_order": 1}},
        "区教育局": {"before": {"sort_order": 1}, "after": {"sort_order": 2}},
        "区卫生健康委": {"before": {"sort_order": 2}, "after": {"sort_order": 3}},
    }


def test_it_puts_a_unit_given_a_place_beyond_the_last_at_the_end(office_admin, district):
    services.department_update(actor=office_admin, department=district["a"], sort_order=99)
    assert [(unit.name, unit.sort_order) for unit in district_departments()] == [
        ("区卫生健康委", 1),
        ("区农业农村局", 2),
        ("区教育局", 3),
    ]


def test_it_registers_a_unit_at_the_place_given(office_admin, district):
    services.department_create(
        actor=office_admin,
        name="区司法局",
        code="justice",
        kind=DepartmentKind.DISTRICT_DEPARTMENT,
        sort_order=2,
    )
    assert [(unit.name, unit.sort_order) for unit in district_departments()] == [
        ("区教育局", 1),
        ("区司法局", 2),
        ("区卫生健康委", 3),
        ("区农业农村局", 4),
    ]


def test_it_puts_a_unit_moved_to_another_parent_last_there_and_closes_the_gap(office_admin, district):
    services.department_update(actor=office_admin, department=district["b"], parent=district["a"])
    assert [(unit.name, unit.sort_order) for unit in district_departments()] == [
        ("区教育局", 1),
        ("区农业农村局", 2),
    ]
    assert Department.objects.get(pk=district["b"].pk).sort_order == 1  # the only department below A
    assert names(Department.objects.all()) == [
        "新城区人民政府",
        "区教育局",
        "区卫生健康委",
        "区教育局招生办",
        "区农业农村局",
        "东湖镇",
    ]


def test_it_refuses_a_place_below_one(office_admin, district):
    with pytest.raises(ValidationError) as error:
        services.department_update(actor=office_admin, department=district["a"], sort_order=0)
    assert "sort_order" in error.value.message_dict
    assert Department.objects.get(pk=district["a"].pk).sort_order == 1


def test_it_moves_a_unit_up_among_its_kind_and_records_both_places(office_admin, district):
    services.department_move(actor=office_admin, department=district["b"], step=-1)
    assert names(Department.objects.all()) == [
        "新城区人民政府",
        "区卫生健康委",
        "区教育局",
        "区教育局招生办",
        "区农业农村局",
        "东湖镇",
    ]
    changes = {
        event.object_repr: event.changes
        for event in AuditEvent.objects.filter(action="registry.department.updated")
    }
    assert changes == {
        "区卫生健康委": {"before": {"sort_order": 2}, "after": {"sort_order": 1}},
        "区教育局": {"before": {"sort_order": 1}, "after": {"sort_order": 2}},
    }


def test_it_refuses_to_move_the_first_unit_up_and_changes_nothing(office_admin, district):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="已排在首位"):
        services.department_move(actor=office_admin, department=district["a"], step=-1)
    with pytest.raises(ValidationError, match="已排在末位"):
        services.department_move(actor=office_admin, department=district["c"], step=1)
    assert names(Department.objects.all()) == OFFICIAL and AuditEvent.objects.count() == before


def test_it_lets_only_the_office_move_a_unit(admin_a, auditor, district):
    for actor in (admin_a, auditor):
        with pytest.raises(PermissionDenied):
            services.department_move(actor=actor, department=district["a"], step=1)


def test_it_moves_a_unit_from_the_department_list(client_for, office_admin, district):
    client = client_for(office_admin)
    page = client.get("/departments/").content.decode()
    assert f'action="/departments/{district["b"].pk}/move/"' in page
    response = client.post(f"/departments/{district['b'].pk}/move/", {"direction": "up"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/departments/#unit-{district['b'].pk}"
    rows = [row.department.name for group in response.context["groups"] for row in group.rows]
    assert rows[:3] == ["新城区人民政府", "区卫生健康委", "区教育局"]
    assert "已上移" in response.content.decode()


def test_it_says_so_when_a_unit_cannot_move(client_for, office_admin, district):
    response = client_for(office_admin).post(
        f"/departments/{district['gov'].pk}/move/", {"direction": "up"}, follow=True
    )
    assert "已排在首位" in response.content.decode()


def test_it_refuses_a_move_without_a_direction(client_for, office_admin, district):
    response = client_for(office_admin).post(f"/departments/{district['a'].pk}/move/", {"direction": "x"})
    assert response.status_code == 400
    assert names(Department.objects.all()) == OFFICIAL


def test_it_offers_the_move_buttons_to_the_office_only(client_for, auditor, admin_a, district):
    for user in (auditor, admin_a):
        assert "/move/" not in client_for(user).get("/departments/").content.decode()


def test_it_lets_only_the_office_move_units_in_the_browser(client_for, personas, district):
    check_matrix(
        client_for,
        personas,
        "post",
        lambda name: f"/departments/{district['b'].pk}/move/",
        data="direction=down",
        content_type="application/x-www-form-urlencoded",
        office=302,
        auditor=403,
        admin_a=404,
        admin_b=403,
        admin_gov=404,
        anonymous=302,
    )


def test_it_sets_the_place_in_the_admin(client_for, office_admin, district):
    department = district["c"]
    response = client_for(office_admin).post(
        f"/admin/registry/department/{department.pk}/change/",
        {
            "name": department.name,
            "code": department.code,
            "kind": department.kind,
            "sort_order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert names(Department.objects.filter(parent=None, kind="district_department"))[0] == "区农业农村局"


def test_it_places_a_unit_added_in_the_admin_last_unless_told(client_for, office_admin, district):
    response = client_for(office_admin).post(
        "/admin/registry/department/add/",
        {"name": "区司法局", "code": "justice", "kind": "district_department", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Department.objects.get(code="justice").sort_order == 4
