"""The office's reminders (催办) to late units: recorded in the trail, sent to the unit's
administrators in the app and by e-mail, refused when there is nothing to remind of or when the
unit was just reminded."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test.client import MULTIPART_CONTENT

from accounts import services as user_services
from accounts.models import Notification
from audits.todo.models import Reminder
from audits.todo.selectors import late_unit_rows
from audits.todo.services import reminder_send
from audits.trail.models import AuditEvent
from config.errors import InvalidTransition
from tests.permission_matrix import check_matrix
from tests.todo import late_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def district(office_admin, admin_a, admin_b, file_account, department_a, sub_unit_a, department_b):
    for user in (admin_a, admin_b):
        user_services.user_update(actor=None, user=user, email=f"{user.username}@example.gov.cn")
        user.refresh_from_db()
    return late_district(office_admin, admin_a, admin_b, file_account, department_a, sub_unit_a, department_b)


def nothing_written() -> bool:
    return (
        not Reminder.objects.exists()
        and not AuditEvent.objects.filter(action="audits.reminder.sent").exists()
        and not Notification.objects.filter(url="/todo/").exists()
    )


def test_it_reminds_a_late_unit_records_it_and_tells_its_administrators(
    district, office_admin, admin_a, department_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reminder = reminder_send(actor=office_admin, department=department_a, message="请本周内办结。")
    assert (reminder.sent_by, reminder.department, reminder.recipients) == (office_admin, department_a, 1)
    assert reminder.overdue == {"self_inspections": 0, "closure_orders": 1, "notices": 1}

    event = AuditEvent.objects.get(action="audits.reminder.sent")
    assert (event.actor, event.department_id, event.object_id) == (
        office_admin,
        department_a.pk,
        str(reminder.pk),
    )
    assert event.changes["after"] == {
        "message": "请本周内办结。",
        "self_inspections": 0,
        "closure_orders": 1,
        "notices": 1,
        "recipients": 1,
    }

    # Only unit A's administrator is told, with the message and what is overdue, named.
    notification = Notification.objects.get(url="/todo/")
    assert (notification.user, notification.url) == (admin_a, "/todo/")
    assert department_a.name in notification.subject
    assert notification.body.startswith("请本周内办结。\n")
    assert "教育抖音" in notification.body and str(district.late_order.deadline) in notification.body
    assert str(district.late_notice.run.inspection_date) in notification.body
    assert [message.to for message in mail.outbox] == [[admin_a.email]]
    assert mail.outbox[0].subject == notification.subject


def test_it_shows_when_each_late_unit_was_last_reminded(district, office_admin, department_a, department_b):
    reminder = reminder_send(actor=office_admin, department=department_a)
    last = {row.department.pk: row.last_reminded_at for row in late_unit_rows(office_admin)}
    assert last[department_a.pk] == reminder.sent_at
    assert last[department_b.pk] is None


def test_it_refuses_to_remind_a_unit_twice_within_an_hour(district, office_admin, department_a):
    first = reminder_send(actor=office_admin, department=department_a)
    with pytest.raises(InvalidTransition, match="一小时后"):
        reminder_send(actor=office_admin, department=department_a, message="再催一次")
    assert Reminder.objects.count() == 1
    # An hour on, the unit may be reminded again.
    Reminder.objects.filter(pk=first.pk).update(sent_at=first.sent_at - datetime.timedelta(minutes=61))
    reminder_send(actor=office_admin, department=department_a, message="再催一次")
    assert Reminder.objects.count() == 2


def test_it_refuses_to_remind_a_unit_with_nothing_overdue(district, office_admin, government):
    with pytest.raises(InvalidTransition, match="没有逾期事项"):
        reminder_send(actor=office_admin, department=government)
    assert nothing_written()


@pytest.mark.parametrize("persona", ["auditor", "admin_a"])
def test_it_lets_only_the_office_remind(persona, request, district, department_a):
    with pytest.raises(PermissionDenied):
        reminder_send(actor=request.getfixturevalue(persona), department=department_a)
    assert nothing_written()


def test_it_refuses_a_message_longer_than_500_characters(district, office_admin, department_a):
    with pytest.raises(ValidationError) as refused:
        reminder_send(actor=office_admin, department=department_a, message="催" * 501)
    assert list(refused.value.message_dict) == ["message"]
    assert nothing_written()


def test_it_records_a_reminder_to_a_unit_without_administrators_and_says_so(
    district, office_admin, client_for, sub_unit_a
):
    response = client_for(office_admin).post(
        f"/departments/{sub_unit_a.pk}/remind/", {"message": ""}, follow=True
    )
    assert Reminder.objects.get().recipients == 0
    assert "没有管理员账号" in response.content.decode()


# In the browser ----------------------------------------------------------------------------------


def test_it_lets_only_the_office_remind_from_the_browser(client_for, personas, district, department_a):
    check_matrix(
        client_for,
        personas,
        "post",
        f"/departments/{department_a.pk}/remind/",
        data={"message": "请尽快办理"},
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=403,  # its own unit: it may see it, not remind it
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )
    assert Reminder.objects.count() == 1


def test_it_sends_a_reminder_from_the_to_do_page(client_for, office_admin, admin_a, district, department_a):
    office = client_for(office_admin)
    response = office.post(f"/departments/{department_a.pk}/remind/", {"message": "请本周内办结。"})
    assert response.status_code == 302 and response["Location"] == "/todo/"
    page = office.get("/todo/").content.decode()
    assert "已催办区教育局，已通知 1 名管理员。" in page
    reminder = Reminder.objects.get()
    assert reminder.message == "请本周内办结。"

    # Again at once: refused, told, nothing sent.
    again = office.post(f"/departments/{department_a.pk}/remind/", {"message": "再催一次"})
    assert again.status_code == 409
    assert "一小时后" in again.content.decode()
    assert (
        Reminder.objects.count() == 1 and Notification.objects.filter(user=admin_a, url="/todo/").count() == 1
    )


def test_it_keeps_a_too_long_message_in_the_form_and_sends_nothing(
    client_for, office_admin, district, department_a
):
    response = client_for(office_admin).post(
        f"/departments/{department_a.pk}/remind/", {"message": "催" * 501}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "催" * 501 in html and 'role="alert"' in html
    assert nothing_written()


def test_it_answers_404_for_a_unit_that_does_not_exist(client_for, office_admin, district):
    assert client_for(office_admin).post("/departments/999999/remind/", {"message": ""}).status_code == 404
