"""The unit tree means who answers for whom: a unit's administrator acts for the unit and its own
sub-units. The district's departments and townships are not below the government, whose
administrator runs the government's own accounts only (the propaganda office oversees the rest)."""

import pytest
from django.core.exceptions import ValidationError

from accounts import permissions
from audits.trail.models import AuditEvent
from registry import services
from registry.choices import DepartmentKind
from registry.models import Department, MediaAccount

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("kind", [DepartmentKind.DISTRICT_DEPARTMENT, DepartmentKind.TOWNSHIP])
def test_it_refuses_to_put_a_department_or_township_below_the_government(office_admin, government, kind):
    before = (Department.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        services.department_create(
            actor=office_admin, name="区司法局", code="justice", kind=kind, parent=government
        )
    assert "宣传部" in error.value.message_dict["parent"][0]
    assert (Department.objects.count(), AuditEvent.objects.count()) == before


def test_it_refuses_to_move_a_department_below_the_government(office_admin, government, department_a):
    with pytest.raises(ValidationError) as error:
        services.department_update(actor=office_admin, department=department_a, parent=government)
    assert "parent" in error.value.message_dict
    assert Department.objects.get(pk=department_a.pk).parent is None


def test_it_refuses_to_put_the_government_below_another_unit(office_admin, government, department_a):
    with pytest.raises(ValidationError) as error:
        services.department_update(actor=office_admin, department=government, parent=department_a)
    assert "parent" in error.value.message_dict


def test_it_refuses_a_parent_that_is_below_the_unit(office_admin, department_a, sub_unit_a):
    with pytest.raises(ValidationError) as error:
        services.department_update(
            actor=office_admin, department=department_a, kind=DepartmentKind.OTHER, parent=sub_unit_a
        )
    assert "下级单位" in error.value.message_dict["parent"][0]


def test_it_keeps_the_governments_own_sub_unit_below_it(government, government_sub_unit):
    assert government_sub_unit.parent == government


def test_it_lets_the_governments_admin_see_and_act_for_its_own_unit_only(
    file_account, admin_gov, government, government_sub_unit, department_a, sub_unit_a, department_b
):
    own = {file_account(government).pk, file_account(government_sub_unit).pk}
    for unit in (department_a, sub_unit_a, department_b):
        file_account(unit)
    assert permissions.visible_department_ids(admin_gov) == {government.pk, government_sub_unit.pk}
    assert set(MediaAccount.objects.restrict(admin_gov, "view").values_list("pk", flat=True)) == own
    assert permissions.can_act_for_department(admin_gov, government_sub_unit.pk)
    for unit in (department_a, sub_unit_a, department_b):
        assert not permissions.can_act_for_department(admin_gov, unit.pk)


def test_it_refuses_a_department_below_the_government_in_the_admin(
    client_for, office_admin, government, department_a
):
    response = client_for(office_admin).post(
        f"/admin/registry/department/{department_a.pk}/change/",
        {
            "name": department_a.name,
            "code": department_a.code,
            "kind": department_a.kind,
            "parent": government.pk,
            "sort_order": 1,
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "不隶属于区政府" in response.content.decode()
    assert Department.objects.get(pk=department_a.pk).parent is None
