"""Bad query strings (docs/design.md §11, §13): on the API a bad filter value is a 400 naming the filter, an
id the user may not see reads like an unknown one, a page that cannot be served is a 400 or 404 in
the one error shape; browser lists ignore or flag a bad value, never a 500. Nothing is written."""

import base64

import pytest

from tests.bad_input.conftest import HUGE_INT, UNKNOWN_ID, assert_names, unchanged

API = "/api/v1"

LISTS = [
    "/departments/",
    "/media-accounts/",
    "/filings/",
    "/metrics/",
    "/campaigns/",
    "/self-inspections/",
    "/meetings/",
    "/decisions/",
    "/closure-orders/",
    "/inspection-runs/",
    "/inspection-rules/",
    "/findings/",
    "/notices/",
    "/rankings/",
    "/events/",
]


@pytest.fixture
def office(api_for, office_admin):
    return api_for(office_admin)


@pytest.fixture
def unit(api_for, admin_a):
    return api_for(admin_a)


@pytest.mark.parametrize("path", LISTS)
def test_it_answers_a_page_it_cannot_serve_in_the_error_shape(office, world, path):
    for page in ["abc", "0", "-1", "1.5", str(10**12), str(HUGE_INT), "1e3", "\x00"]:
        with unchanged():
            response = office.get(API + path, {"page": page})
        assert response.status_code in (400, 404), (page, response.status_code, response.content[:300])
        body = response.json()
        assert body["detail"] and body["code"], (page, body)
    for page_size in ["-1", "0", "abc", str(10**12), str(HUGE_INT)]:
        with unchanged():
            response = office.get(API + path, {"page_size": page_size})
        assert response.status_code == 200, (page_size, response.status_code, response.content[:300])
        assert len(response.json()["results"]) <= 500


# The lists a client may walk by cursor (docs/api.md), and cursors the API never gives: text that is
# no cursor, a position that is no id, an offset (ids are unique: the API never needs one).
WALKABLE = ["/media-accounts/", "/filings/", "/metrics/", "/findings/", "/events/"]
FORGED_CURSORS = [
    "abc",
    "\x00",
    "é",
    base64.b64encode(b"p=abc").decode(),
    base64.b64encode(b"p=-1").decode(),
    base64.b64encode(b"p=1.5").decode(),
    base64.b64encode(b"o=5&p=3").decode(),
    base64.b64encode(b"o=-1").decode(),
    base64.b64encode(b"r=x&p=3").decode(),
    base64.b64encode("p=²".encode()).decode(),
]


@pytest.mark.parametrize("path", WALKABLE)
def test_it_refuses_a_cursor_the_api_never_gave_naming_it(office, world, path):
    for cursor in FORGED_CURSORS:
        with unchanged():
            response = office.get(API + path, {"cursor": cursor})
        assert_names(response, "cursor")


@pytest.mark.parametrize("path", WALKABLE)
def test_it_refuses_a_page_number_or_an_order_with_a_cursor(office, world, path):
    for name, value in [("page", "2"), ("ordering", "name")]:
        with unchanged():
            response = office.get(API + path, {"cursor": "", name: value})
        assert_names(response, name)


def test_it_answers_a_cursor_past_every_id_with_an_empty_page(office, world):
    past = base64.b64encode(b"p=" + b"9" * 40).decode()
    with unchanged():
        response = office.get(API + "/media-accounts/", {"cursor": past})
    assert response.status_code == 200 and response.json()["results"] == []


# (list, filter, bad value): each a 400 naming the filter.
BAD_FILTERS = [
    ("/departments/", "kind", "castle"),
    ("/departments/", "parent", "abc"),
    ("/departments/", "parent", str(HUGE_INT)),
    ("/departments/", "is_active", "perhaps"),
    ("/departments/", "q", "a\x00b"),
    ("/media-accounts/", "department", "abc"),
    ("/media-accounts/", "department", str(UNKNOWN_ID)),
    ("/media-accounts/", "department", str(HUGE_INT)),
    ("/media-accounts/", "department", "-1"),
    ("/media-accounts/", "department", "1.5"),
    ("/media-accounts/", "platform", "myspace"),
    ("/media-accounts/", "status", "zombie"),
    ("/media-accounts/", "department_kind", "castle"),
    ("/media-accounts/", "ordering", "password"),
    ("/media-accounts/", "ordering", "department__users__password"),
    ("/media-accounts/", "q", "\x00"),
    ("/filings/", "media_account", "abc"),
    ("/filings/", "kind", "delete"),
    ("/filings/", "status", "lost"),
    ("/metrics/", "media_account", str(HUGE_INT)),
    ("/metrics/", "date", "99999-01-01"),
    ("/metrics/", "date_after", "2024-02-30"),
    ("/metrics/", "date_before", "yesterday"),
    ("/campaigns/", "status", "over"),
    ("/self-inspections/", "campaign", "abc"),
    ("/self-inspections/", "campaign", str(UNKNOWN_ID)),
    ("/self-inspections/", "status", "lost"),
    ("/meetings/", "campaign", str(HUGE_INT)),
    ("/decisions/", "outcome", "explode"),
    ("/decisions/", "self_inspection", "abc"),
    ("/decisions/", "meeting", str(HUGE_INT)),
    ("/closure-orders/", "overdue", "maybe"),
    ("/closure-orders/", "status", "lost"),
    ("/findings/", "rule", "no_such_rule"),
    ("/findings/", "severity", "deadly"),
    ("/findings/", "media_account", str(HUGE_INT)),
    ("/notices/", "overdue", "maybe"),
    ("/notices/", "status", "lost"),
    ("/rankings/", "week", "99999-01-01"),
    ("/rankings/", "week", "0001-01-01"),
    ("/rankings/", "week", "9999-12-31"),
    ("/rankings/", "platform", "myspace"),
    ("/events/", "department", "abc"),
    ("/events/", "date_from", "99999-01-01"),
    ("/events/", "date_from", "0001-01-01"),
    ("/events/", "date_to", "9999-12-31"),
    ("/events/", "date_to", "2024-13-01"),
    ("/events/", "object_id", "\x00"),
]


@pytest.mark.parametrize(
    ("path", "name", "value"), BAD_FILTERS, ids=[f"{p} {n}={v!r}" for p, n, v in BAD_FILTERS]
)
def test_it_refuses_a_bad_filter_value_naming_it(office, world, path, name, value):
    with unchanged():
        response = office.get(API + path, {name: value})
    assert_names(response, name)


def test_it_refuses_a_huge_search_text_or_serves_it(office, world):
    with unchanged():
        response = office.get(API + "/media-accounts/", {"q": "教" * 5000})
    assert response.status_code in (200, 400), response.status_code


@pytest.mark.parametrize(
    "query",
    [
        {"platform": "myspace", "uid": "x"},
        {"platform": "wechat_official"},
        {"uid": "x" * 101},
        {"url": "u" * 501},
        {"name": "\x00"},
        {},
    ],
)
def test_it_refuses_a_bad_public_verification_query(api_for, world, query):
    client = api_for(None)
    with unchanged():
        response = client.get(API + "/verify/", query)
    assert response.status_code == 400, response.content
    assert response.json()["fields"]


# Another department's ids in filters: refused exactly like unknown ones ----------------------------

FOREIGN_FILTERS = [
    ("/media-accounts/", "department", "department_b"),
    ("/filings/", "media_account", "account_b"),
    ("/filings/", "department", "department_b"),
    ("/metrics/", "media_account", "account_b"),
    ("/self-inspections/", "media_account", "account_b"),
    ("/decisions/", "self_inspection", "inspection_b"),
    ("/closure-orders/", "media_account", "account_b"),
    ("/findings/", "media_account", "account_b"),
    ("/notices/", "department", "department_b"),
    ("/events/", "department", "department_b"),
]


@pytest.mark.parametrize(
    ("path", "name", "target"), FOREIGN_FILTERS, ids=[f"{p} {n}" for p, n, _t in FOREIGN_FILTERS]
)
def test_it_refuses_another_departments_id_in_a_filter_as_unknown(
    unit, world, department_b, path, name, target
):
    foreign_id = department_b.pk if target == "department_b" else world[target].pk
    with unchanged():
        foreign = unit.get(API + path, {name: foreign_id})
        unknown = unit.get(API + path, {name: UNKNOWN_ID})
    assert_names(foreign, name)
    assert foreign.json() == unknown.json()


# Browser lists: a bad value is ignored or shown on the filter form, never a 500 -----------------------

PAGES = [
    ("/media-accounts/", {"department": "abc", "platform": "myspace", "ordering": "password", "page": "abc"}),
    ("/media-accounts/", {"department": str(HUGE_INT), "q": "\x00", "page": str(10**12)}),
    ("/filings/", {"media_account": str(HUGE_INT), "status": "lost", "page": "-1"}),
    ("/self-inspections/", {"campaign": "abc", "department": str(HUGE_INT), "page": str(HUGE_INT)}),
    ("/closure-orders/", {"overdue": "maybe", "campaign": str(HUGE_INT), "page": "0"}),
    ("/findings/", {"media_account": str(HUGE_INT), "rule": "x", "severity": "deadly", "page": "x"}),
    ("/notices/", {"overdue": "maybe", "department": "abc", "page": "1e9"}),
    ("/trail/", {"date_from": "0001-01-01", "date_to": "9999-12-31", "department": "abc"}),
    ("/trail/", {"date_from": "99999-01-01", "object_id": "\x00", "page": str(10**12)}),
    ("/rankings/", {"week": "0001-01-01", "platform": "myspace", "page": "abc"}),
    ("/rankings/", {"week": "9999-12-31"}),
    ("/rankings/", {"week": "0001-01-08"}),
    ("/matrix/", {"closed": "\x00"}),
    ("/inspections/", {"page": str(HUGE_INT)}),
    ("/media-accounts/reconfirm/", {"department": str(HUGE_INT)}),
    ("/accounts/notifications/", {"page": "abc"}),
]


@pytest.mark.parametrize(("path", "query"), PAGES, ids=[f"{p} {q}" for p, q in PAGES])
def test_it_shows_a_browser_list_whatever_the_query_string(client_for, office_admin, world, path, query):
    client = client_for(office_admin)  # signing in is an event of its own
    with unchanged():
        response = client.get(path, query)
    assert response.status_code == 200, (response.status_code, response.content[:300])


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/media-accounts/export.csv", {"department": "abc"}),
        ("/media-accounts/export.xlsx", {"status": "zombie"}),
        ("/trail/export.csv", {"date_to": "9999-12-31"}),
        ("/trail/export.xlsx", {"date_from": "0001-01-01"}),
        ("/rankings/export.xlsx", {"week": "abc"}),
        ("/rankings/export.xlsx", {"week": "0001-01-01"}),
        ("/rankings/export.xlsx", {"platform": "myspace"}),
    ],
)
def test_it_refuses_an_export_with_a_bad_filter(client_for, office_admin, world, path, query):
    client = client_for(office_admin)  # signing in is an event of its own
    with unchanged():
        response = client.get(path, query)
    assert response.status_code == 400, (response.status_code, response.content[:300])
