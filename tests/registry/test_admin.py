"""The Django admin is the office's tool: it writes through the services, so it leaves the same trail."""

from accounts.choices import Role
from accounts.models import User
from audits.trail.models import AuditEvent
from registry.models import Department


def test_it_creates_a_department_through_the_service(client_for, office_admin):
    response = client_for(office_admin).post(
        "/admin/registry/department/add/",
        {
            "name": "区司法局",
            "code": "justice",
            "kind": "district_department",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    department = Department.objects.get(code="justice")
    assert AuditEvent.objects.filter(
        action="registry.department.created", object_id=str(department.pk)
    ).exists()


def test_it_creates_a_user_through_the_service(client_for, office_admin, department_a):
    response = client_for(office_admin).post(
        "/admin/accounts/user/add/",
        {
            "username": "dept-new",
            "password1": "Xq7!long-enough",
            "password2": "Xq7!long-enough",
            "usable_password": "true",
            "role": Role.DEPT_ADMIN,
            "department": department_a.pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="dept-new")
    assert user.department == department_a and user.check_password("Xq7!long-enough")
    assert AuditEvent.objects.filter(action="accounts.user.created", object_id=str(user.pk)).exists()


def test_it_lets_auditors_look_but_not_change(client_for, auditor, department_a):
    client = client_for(auditor)
    assert client.get("/admin/audits/auditevent/").status_code == 200
    assert client.get(f"/admin/registry/department/{department_a.pk}/change/").status_code == 200
    response = client.post(f"/admin/registry/department/{department_a.pk}/change/", {"name": "改名"})
    assert response.status_code == 403
    assert client.get("/admin/registry/department/add/").status_code == 403


def test_it_keeps_department_admins_out(client_for, admin_a):
    response = client_for(admin_a).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_it_never_offers_to_change_an_audit_event(client_for, office_admin, department_a):
    event = AuditEvent.objects.first()
    client = client_for(office_admin)
    assert client.post(f"/admin/audits/auditevent/{event.pk}/change/", {"action": "x"}).status_code == 403
    assert client.post(f"/admin/audits/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=event.pk).action == event.action


def test_it_heads_an_operators_name_as_a_persons(client_for, office_admin, department_a, file_account):
    account = file_account(
        department_a, operators=[{"name": "张三", "phone": "13800000000", "employment": "staff"}]
    )
    page = client_for(office_admin).get(f"/admin/registry/mediaaccount/{account.pk}/change/").content.decode()
    operators = page.split('id="operators-group"')[1]
    assert "姓名" in operators and ">名称<" not in operators


def test_it_shows_an_accounts_operators_and_their_phones_to_the_office_only(
    client_for, office_admin, auditor, department_a, file_account
):
    account = file_account(
        department_a, operators=[{"name": "张三", "phone": "13800000000", "employment": "staff"}]
    )
    url = f"/admin/registry/mediaaccount/{account.pk}/change/"
    office_page = client_for(office_admin).get(url).content.decode()
    auditor_page = client_for(auditor).get(url).content.decode()
    assert "张三" in office_page and "13800000000" in office_page
    assert "张三" in auditor_page and "13800000000" not in auditor_page
