"""The to-do counts and the office's reminders over REST: the same selector and service as the browser."""

import pytest

from accounts.models import Notification
from audits.todo.models import Reminder
from audits.trail.models import AuditEvent
from tests.permission_matrix import check_matrix
from tests.todo import late_district, more_work

pytestmark = pytest.mark.django_db
API = "/api/v1"


@pytest.fixture
def district(office_admin, admin_a, admin_b, file_account, department_a, sub_unit_a, department_b):
    return late_district(office_admin, admin_a, admin_b, file_account, department_a, sub_unit_a, department_b)


def test_it_answers_every_persona_its_to_do(client_for, personas, district):
    check_matrix(
        client_for,
        personas,
        "get",
        f"{API}/todo/",
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=200,
        admin_gov=200,
        anonymous=401,
    )


def test_it_counts_the_office_s_queues_and_names_the_late_units(
    api_for, office_admin, district, department_a
):
    body = api_for(office_admin).get(f"{API}/todo/").json()
    assert body["total"] == 7
    assert [(queue["key"], queue["count"], queue["overdue"]) for queue in body["queues"]] == [
        ("filings", 1, None),
        ("applications", 1, None),
        ("closures", 1, None),
        ("answers", 1, None),
        ("late_units", 3, None),
    ]
    assert body["queues"][0] == {
        "key": "filings",
        "label": "备案待审批",
        "count": 1,
        "overdue": None,
        "url": "/filings/queue/",
    }
    unit_a = next(unit for unit in body["late_units"] if unit["department"] == department_a.pk)
    assert unit_a == {
        "department": department_a.pk,
        "department_name": "区教育局",
        "self_inspections": 0,
        "closure_orders": 1,
        "notices": 1,
        "last_reminded_at": None,
    }


def test_it_counts_a_unit_s_own_queues(api_for, admin_a, auditor, district):
    body = api_for(admin_a).get(f"{API}/todo/").json()
    assert body["total"] == 3 and body["late_units"] == []
    assert [(queue["key"], queue["count"], queue["overdue"]) for queue in body["queues"]] == [
        ("self_inspections", 1, 1),
        ("closure_orders", 1, 1),
        ("notices", 1, 1),
    ]
    read_only = api_for(auditor).get(f"{API}/todo/").json()
    assert (read_only["total"], read_only["queues"], len(read_only["late_units"])) == (0, [], 3)


def test_it_answers_the_to_do_in_the_same_number_of_queries_as_units_grow(
    api_for, office_admin, district, django_assert_max_num_queries
):
    client = api_for(office_admin)
    with django_assert_max_num_queries(20) as captured:
        client.get(f"{API}/todo/")
    more_work(office_admin, 5)
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert len(client.get(f"{API}/todo/").json()["late_units"]) == 3 + 5


def test_it_lets_only_the_office_send_a_reminder(client_for, personas, district, department_a):
    check_matrix(
        client_for,
        personas,
        "post",
        f"{API}/reminders/",
        data={"department": department_a.pk, "message": "请尽快办理"},
        office=201,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=401,
    )
    assert Reminder.objects.count() == 1


def test_it_sends_a_reminder_and_answers_it(api_for, office_admin, admin_a, district, department_a):
    response = api_for(office_admin).post(
        f"{API}/reminders/", {"department": department_a.pk, "message": "请本周内办结。"}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    reminder = Reminder.objects.get()
    assert body == {
        "id": reminder.pk,
        "department": department_a.pk,
        "department_name": "区教育局",
        "sent_by": "office",
        "sent_at": body["sent_at"],
        "message": "请本周内办结。",
        "overdue": {"self_inspections": 0, "closure_orders": 1, "notices": 1},
        "recipients": 1,
    }
    assert AuditEvent.objects.filter(action="audits.reminder.sent", object_id=str(reminder.pk)).exists()
    assert Notification.objects.filter(user=admin_a, url="/todo/").count() == 1
    late = api_for(office_admin).get(f"{API}/todo/").json()["late_units"]
    assert next(unit for unit in late if unit["department"] == department_a.pk)["last_reminded_at"]


def test_it_refuses_a_reminder_the_state_does_not_allow_with_409(
    api_for, office_admin, district, department_a, government
):
    client = api_for(office_admin)
    client.post(f"{API}/reminders/", {"department": department_a.pk}, format="json")
    again = client.post(f"{API}/reminders/", {"department": department_a.pk}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "conflict")
    nothing = client.post(f"{API}/reminders/", {"department": government.pk}, format="json")
    assert (nothing.status_code, nothing.json()["code"]) == (409, "conflict")
    assert Reminder.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "department"),
        ({"department": 999999}, "department"),
        ({"department": "edu"}, "department"),
        ({"department": 1, "message": "催" * 501}, "message"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api_for, office_admin, district, department_a, body, field):
    if body.get("department") == 1:
        body["department"] = department_a.pk
    response = api_for(office_admin).post(f"{API}/reminders/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert not Reminder.objects.exists()


def test_it_lists_the_reminders_within_the_user_s_scope(
    api_for, client_for, personas, office_admin, admin_a, admin_b, district, department_a, department_b
):
    client = api_for(office_admin)
    to_a = client.post(f"{API}/reminders/", {"department": department_a.pk}, format="json").json()["id"]
    to_b = client.post(f"{API}/reminders/", {"department": department_b.pk}, format="json").json()["id"]
    assert [item["id"] for item in client.get(f"{API}/reminders/").json()["results"]] == [to_b, to_a]
    assert [item["id"] for item in api_for(admin_a).get(f"{API}/reminders/").json()["results"]] == [to_a]
    assert [
        item["id"] for item in client.get(f"{API}/reminders/?department={department_b.pk}").json()["results"]
    ] == [to_b]
    check_matrix(
        client_for,
        personas,
        "get",
        f"{API}/reminders/{to_a}/",
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=404,
        admin_gov=404,
        anonymous=401,
    )
