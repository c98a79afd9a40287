"""Every campaign endpoint for every persona (docs/design.md §6): out of scope is 404, never 403;
without credentials 401; auditors only read (403 on any write); only the office runs campaigns,
meetings, decisions and verification (403); units answer and confirm for their own accounts."""

import pytest

from audits.campaigns import services
from tests.campaigns import THREE_HAVES, campaign, days_from_now, inspection_of, meeting, ordered, submitted
from tests.conftest import account_filer
from tests.permission_matrix import check_matrix
from tests.shared_district import *  # noqa: F403  (the fixtures, by name)

API = "/api/v1"

SEES_ALL = {"office": 200, "auditor": 200, "admin_a": 200, "admin_b": 200, "admin_gov": 200, "anonymous": 401}
SEES_A = {"office": 200, "auditor": 200, "admin_a": 200, "admin_b": 404, "admin_gov": 404, "anonymous": 401}
SEES_B = {"office": 200, "auditor": 200, "admin_a": 404, "admin_b": 200, "admin_gov": 404, "anonymous": 401}
OFFICE_SEES = {
    "office": 200,
    "auditor": 200,
    "admin_a": 404,
    "admin_b": 404,
    "admin_gov": 404,
    "anonymous": 401,
}
# Writes on an object of unit A.
UNIT_A_ACTS = {
    "office": 200,
    "auditor": 403,
    "admin_a": 200,
    "admin_b": 404,
    "admin_gov": 404,
    "anonymous": 401,
}
OFFICE_ACTS_ON_A = {
    "office": 200,
    "auditor": 403,
    "admin_a": 403,
    "admin_b": 404,
    "admin_gov": 404,
    "anonymous": 401,
}
OFFICE_CREATES = {
    "office": 201,
    "auditor": 403,
    "admin_a": 403,
    "admin_b": 403,
    "admin_gov": 403,
    "anonymous": 401,
}


@pytest.fixture(scope="module", autouse=True)
def shared_world(shared_district, django_db_blocker):
    """Campaigns (running, of unit A only, a draft) and closure orders in A and B, built once for the
    module (each test rolls back what it writes)."""
    office_admin, admin_a, admin_b = (
        shared_district[name] for name in ("office_admin", "admin_a", "admin_b")
    )
    department_a, sub_unit_a, department_b = (
        shared_district[name] for name in ("department_a", "sub_unit_a", "department_b")
    )
    file_account = account_filer(office_admin)
    with django_db_blocker.unblock():
        accounts = {
            "a": file_account(department_a, name="教育发布"),
            "sub": file_account(sub_unit_a, name="招生发布"),
            "b": file_account(department_b, name="健康发布"),
        }
        running = campaign(office_admin)
        only_a = campaign(office_admin, departments=[department_a.pk])
        draft = campaign(office_admin, start=False)
        order_a = ordered(office_admin, admin_a, running, accounts["a"])
        order_b = ordered(office_admin, admin_b, running, accounts["b"])
        return {
            "running": running.pk,
            "only_a": only_a.pk,
            "draft": draft.pk,
            "department_b": department_b.pk,
            "account_b": accounts["b"].pk,
            "inspection_a": inspection_of(running, accounts["a"]).pk,
            "inspection_sub": inspection_of(running, accounts["sub"]).pk,
            "inspection_b": inspection_of(running, accounts["b"]).pk,
            "meeting": order_a.decision.meeting_id,
            "decision_a": order_a.decision_id,
            "decision_b": order_b.decision_id,
            "order_a": order_a.pk,
            "order_b": order_b.pk,
        }


@pytest.fixture
def world(shared_world, personas):
    """The module's ids, every persona of the matrix there to use them."""
    return dict(shared_world)


@pytest.fixture
def fresh(office_admin, admin_a, department_a, file_account):
    """A new account of unit A in a new campaign, brought to the step a write needs."""

    def make(step: str):
        account = file_account(department_a)
        started = campaign(office_admin, departments=[department_a.pk])
        inspection = inspection_of(started, account)
        if step == "answered":
            return services.self_inspection_save(
                actor=admin_a, self_inspection=inspection, proposal="retain", **THREE_HAVES
            )
        if step == "submitted":
            return submitted(admin_a, inspection)
        order = ordered(office_admin, admin_a, started, account)
        if step == "confirmed":
            services.closure_order_confirm(actor=admin_a, order=order, note="已注销")
        return order

    return make


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/campaigns/", SEES_ALL),
        # The running campaign covers no account of the government: its administrator is not told of it.
        ("/campaigns/{running}/", {**SEES_ALL, "admin_gov": 404}),
        ("/campaigns/{only_a}/", SEES_A),
        ("/campaigns/{draft}/", OFFICE_SEES),
        ("/campaigns/{running}/progress/", {**SEES_ALL, "admin_gov": 404}),
        ("/campaigns/{only_a}/progress/", SEES_A),
        ("/campaigns/{draft}/progress/", OFFICE_SEES),
        ("/self-inspections/", SEES_ALL),
        ("/self-inspections/{inspection_a}/", SEES_A),
        ("/self-inspections/{inspection_sub}/", SEES_A),
        ("/self-inspections/{inspection_b}/", SEES_B),
        ("/meetings/", SEES_ALL),
        ("/meetings/{meeting}/", OFFICE_SEES),
        ("/decisions/", SEES_ALL),
        ("/decisions/{decision_a}/", SEES_A),
        ("/decisions/{decision_b}/", SEES_B),
        ("/closure-orders/", SEES_ALL),
        ("/closure-orders/?overdue=true", SEES_ALL),
        ("/closure-orders/{order_a}/", SEES_A),
        ("/closure-orders/{order_b}/", SEES_B),
        ("/campaigns/999999/", {**OFFICE_SEES, "office": 404, "auditor": 404}),
    ],
)
def test_it_answers_every_read_by_scope(client_for, personas, world, path, expected):
    check_matrix(client_for, personas, "get", API + path.format(**world), **expected)


@pytest.mark.parametrize(
    "path",
    [
        "/self-inspections/?department={department_b}",
        "/self-inspections/?media_account={account_b}",
        "/self-inspections/?campaign={draft}",
        "/decisions/?media_account={account_b}",
        "/closure-orders/?media_account={account_b}",
        "/closure-orders/?department={department_b}",
    ],
)
def test_it_refuses_a_filter_naming_what_the_user_cannot_see(client_for, personas, world, path):
    expected = {
        "office": 200,
        "auditor": 200,
        "admin_a": 400,
        "admin_b": 200,
        "admin_gov": 400,
        "anonymous": 401,
    }
    if "draft" in path:
        expected["admin_b"] = 400
    check_matrix(client_for, personas, "get", API + path.format(**world), **expected)


def test_it_lets_only_the_office_create_a_campaign(client_for, personas, world):
    def body(name):
        return {
            "name": f"专项行动-{name}",
            "self_inspection_due": str(days_from_now(10)),
            "closure_due": str(days_from_now(40)),
        }

    check_matrix(client_for, personas, "post", f"{API}/campaigns/", data=body, **OFFICE_CREATES)


def test_it_lets_only_the_office_start_a_campaign(client_for, personas, world, office_admin):
    def url(name):
        return f"{API}/campaigns/{campaign(office_admin, start=False).pk}/start/"

    check_matrix(client_for, personas, "post", url, data={}, **OFFICE_SEES | {"auditor": 403})


def test_it_lets_the_unit_and_the_office_answer(client_for, personas, world):
    url = f"{API}/self-inspections/{world['inspection_sub']}/"
    check_matrix(client_for, personas, "patch", url, data={"has_need": True}, **UNIT_A_ACTS)


def test_it_lets_the_unit_and_the_office_submit(client_for, personas, world, fresh):
    def url(name):
        return f"{API}/self-inspections/{fresh('answered').pk}/submit/"

    check_matrix(client_for, personas, "post", url, data={}, **UNIT_A_ACTS)


def test_it_lets_only_the_office_record_a_meeting(client_for, personas, world):
    body = {"campaign": world["running"], "held_on": str(days_from_now(0)), "attendees": "宣传部"}
    check_matrix(client_for, personas, "post", f"{API}/meetings/", data=body, **OFFICE_CREATES)


def test_it_lets_only_the_office_correct_a_meeting(client_for, personas, world):
    url = f"{API}/meetings/{world['meeting']}/"
    check_matrix(
        client_for, personas, "patch", url, data={"minutes": "逐一审议"}, **OFFICE_SEES | {"auditor": 403}
    )


@pytest.mark.parametrize("shape", ["one", "bulk", "list"])
def test_it_lets_only_the_office_decide(client_for, personas, world, fresh, office_admin, shape):
    def body(name):
        inspection = fresh("submitted")
        item = {"self_inspection": inspection.pk, "outcome": "retain"}
        held = meeting(office_admin, inspection.campaign).pk
        if shape == "one":
            return {**item, "meeting": held}
        if shape == "bulk":
            return {"meeting": held, "items": [item]}
        return [{**item, "meeting": held}]

    check_matrix(client_for, personas, "post", f"{API}/decisions/", data=body, **OFFICE_CREATES)


def test_it_lets_the_unit_and_the_office_confirm_an_order(client_for, personas, world, fresh):
    def url(name):
        return f"{API}/closure-orders/{fresh('ordered').pk}/confirm/"

    data = {"evidence_url": "https://example.gov.cn/notice/1", "note": "已注销"}
    check_matrix(client_for, personas, "post", url, data=data, **UNIT_A_ACTS)


@pytest.mark.parametrize("verdict", ["verify", "reject"])
def test_it_lets_only_the_office_verify_or_reject_an_order(client_for, personas, world, fresh, verdict):
    def url(name):
        return f"{API}/closure-orders/{fresh('confirmed').pk}/{verdict}/"

    check_matrix(client_for, personas, "post", url, data={"note": "账号仍可访问"}, **OFFICE_ACTS_ON_A)


@pytest.mark.parametrize(
    ("path", "action"),
    [
        ("/self-inspections/{inspection_b}/", "submit"),
        ("/closure-orders/{order_b}/", "confirm"),
        ("/closure-orders/{order_b}/", "verify"),
        ("/closure-orders/{order_b}/", "reject"),
        ("/campaigns/{only_a}/", "start"),
    ],
)
def test_it_hides_other_units_objects_from_their_actions_too(client_for, personas, world, path, action):
    url = f"{API}{path.format(**world)}{action}/"
    expected = {"admin_b": 404, "admin_gov": 404} if "only_a" in path else {"admin_a": 404}
    check_matrix(client_for, {name: personas[name] for name in expected}, "post", url, data={}, **expected)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("put", "/self-inspections/{inspection_a}/"),
        ("delete", "/self-inspections/{inspection_a}/"),
        ("put", "/campaigns/{running}/"),
        ("delete", "/campaigns/{running}/"),
        ("patch", "/decisions/{decision_a}/"),
        ("delete", "/closure-orders/{order_a}/"),
    ],
)
def test_it_keeps_the_record_append_only(client_for, personas, world, method, path):
    # Auditors are refused any write before the method is looked at.
    expected = {
        "office": 405,
        "auditor": 403,
        "admin_a": 405,
        "admin_b": 405,
        "admin_gov": 405,
        "anonymous": 401,
    }
    check_matrix(client_for, personas, method, API + path.format(**world), data={}, **expected)


def test_it_closes_nothing_for_a_persona_refused(world, fresh, client_for, personas):
    order = fresh("confirmed")
    for name in ("auditor", "admin_a", "admin_b", "anonymous"):
        client_for(personas[name]).post(f"{API}/closure-orders/{order.pk}/verify/", data={})
    order.refresh_from_db()
    assert order.status == "confirmed" and order.media_account.status == "closing"
