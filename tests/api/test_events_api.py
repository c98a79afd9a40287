"""``GET /api/v1/events/``: the audit trail, read-only, scoped, with the page's filters."""

import pytest

from audits.trail.models import AuditEvent
from audits.trail.services import record
from tests.permission_matrix import check_matrix

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_actions")]

LIST = "/api/v1/events/"


@pytest.fixture
def events(office_admin, admin_a, admin_b, department_a, department_b):
    return {
        "a": record(
            "test.thing.changed",
            actor=admin_a,
            target=department_a,
            changes={"before": {"name": "旧"}, "after": {"name": "新"}},
        ),
        "b": record("test.thing.created", actor=admin_b, target=department_b),
        "office": record("test.other", actor=office_admin, department_id=department_a.pk),
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_it_answers_list_and_retrieve_for_every_persona(client_for, personas, events):
    check_matrix(
        client_for,
        personas,
        "get",
        LIST,
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=200,
        admin_gov=200,
        anonymous=401,
    )
    detail = f"{LIST}{events['a'].pk}/"
    check_matrix(
        client_for,
        personas,
        "get",
        detail,
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=404,
        admin_gov=404,
        anonymous=401,
    )
    detail_b = f"{LIST}{events['b'].pk}/"
    check_matrix(
        client_for,
        personas,
        "get",
        detail_b,
        office=200,
        auditor=200,
        admin_a=404,
        admin_b=200,
        admin_gov=404,
        anonymous=401,
    )


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_it_refuses_every_write_with_405(client_for, personas, events, method):
    # Signing the personas in writes events of its own; what matters is that nothing was forged
    # and no test event changed.
    before = list(AuditEvent.objects.filter(action__startswith="test").values_list("pk", "action", "hash"))
    for url in (LIST, f"{LIST}{events['a'].pk}/"):
        check_matrix(
            client_for,
            personas,
            method,
            url,
            data={"action": "forged"},
            office=405,
            auditor=405,
            admin_a=405,
            admin_b=405,
            admin_gov=405,
            anonymous=401,
        )
    assert (
        list(AuditEvent.objects.filter(action__startswith="test").values_list("pk", "action", "hash"))
        == before
    )
    assert not AuditEvent.objects.filter(action="forged").exists()


def test_it_never_shows_admin_b_the_events_of_department_a(
    client_for, office_admin, auditor, admin_b, events
):
    assert _ids(client_for(admin_b).get(LIST, {"action": "test", "page_size": 500})) == {events["b"].pk}
    seen = {row["department"] for row in client_for(admin_b).get(LIST, {"page_size": 500}).json()["results"]}
    assert seen <= {admin_b.department_id}
    for user in (office_admin, auditor):
        assert _ids(client_for(user).get(LIST, {"action": "test"})) == {event.pk for event in events.values()}


def test_it_filters_like_the_page(client_for, office_admin, admin_a, department_a, department_b, events):
    client = client_for(office_admin)
    assert _ids(client.get(LIST, {"actor": admin_a.username, "action": "test"})) == {events["a"].pk}
    assert _ids(client.get(LIST, {"department": department_b.pk, "action": "test"})) == {events["b"].pk}
    assert _ids(client.get(LIST, {"action": "test.thing"})) == {events["a"].pk, events["b"].pk}
    assert _ids(client.get(LIST, {"action": "test.other"})) == {events["office"].pk}
    assert _ids(client.get(LIST, {"object_type": "registry.department", "object_id": department_b.pk})) >= {
        events["b"].pk
    }
    assert _ids(client.get(LIST, {"date_from": "2000-01-01", "date_to": "2000-01-02"})) == set()


def test_it_answers_400_for_a_bad_filter(client_for, admin_b, department_a, events):
    response = client_for(admin_b).get(LIST, {"department": department_a.pk})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert client_for(admin_b).get(LIST, {"date_from": "not-a-day"}).status_code == 400


def test_it_lists_newest_first_with_the_changes(client_for, office_admin, events):
    results = client_for(office_admin).get(LIST, {"action": "test"}).json()["results"]
    assert [row["id"] for row in results] == [events["office"].pk, events["b"].pk, events["a"].pk]
    assert results[2]["changes"] == {"before": {"name": "旧"}, "after": {"name": "新"}}
    assert results[2]["hash"]


@pytest.mark.parametrize("count", [10, 100])
def test_it_keeps_the_query_count_constant(
    client_for, office_admin, department_a, count, django_assert_max_num_queries
):
    for _number in range(count):
        record("test.many", actor=office_admin, target=department_a)
    client = client_for(office_admin)
    with django_assert_max_num_queries(8):
        response = client.get(LIST, {"action": "test.many", "page_size": 500})
    assert response.json()["count"] == count


def test_it_labels_each_action_in_the_requests_language(client_for, office_admin):
    client = client_for(office_admin)
    params = {"action": "accounts.user.created", "object_id": office_admin.pk}
    row = client.get(LIST, params, HTTP_ACCEPT_LANGUAGE="zh-hans").json()["results"][0]
    assert (row["action_label"], row["object_type_label"]) == ("创建用户", "用户")
    row = client.get(LIST, params, HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert (row["action_label"], row["object_type_label"]) == ("User created", "user")


def test_it_filters_by_the_declared_codes_and_refuses_others(client_for, office_admin, department_a):
    client = client_for(office_admin)
    results = client.get(LIST, {"action": "registry.department.created", "page_size": 500}).json()["results"]
    assert results and {row["action"] for row in results} == {"registry.department.created"}
    # A namespace still names all of its actions, as docs/api.md says.
    results = client.get(LIST, {"action": "registry.department", "page_size": 500}).json()["results"]
    assert results and {row["action"].rsplit(".", 1)[0] for row in results} == {"registry.department"}
    response = client.get(LIST, {"action": "registry.department.renamed"})
    assert response.status_code == 400 and "action" in response.json()["fields"]
    assert client.get(LIST, {"action": "registry.depart"}).status_code == 400
    assert client.get(LIST, {"object_type": "registry.nothing"}).status_code == 400
