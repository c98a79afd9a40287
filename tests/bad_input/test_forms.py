"""Bad browser forms (docs/design.md §13): the page comes back with the field's error (200, never a 500),
a refused action is a message, another department's object is a 404, and nothing is written."""

import pytest
from django import forms

from tests.bad_input.conftest import HUGE_INT, unchanged

HUGE = str(HUGE_INT)
TOO_MANY_DIGITS = "9" * 5000  # more digits than Python turns into an int by default


def form_errors(response) -> dict[str, list[str]]:
    """Every field error of the forms and formsets the page was rendered with."""
    errors: dict[str, list[str]] = {}
    contexts = response.context if isinstance(response.context, list) else [response.context]
    for context in contexts:
        for value in context.flatten().values() if context is not None else []:
            found = [value] if isinstance(value, forms.BaseForm) else []
            if isinstance(value, forms.BaseFormSet):
                found = list(value.forms)
                if value.non_form_errors():
                    errors.setdefault("__formset__", []).extend(value.non_form_errors())
            for form in found:
                for name, messages in form.errors.items():
                    errors.setdefault(name, []).extend(messages)
    return errors


@pytest.fixture
def browsers(client_for, office_admin, admin_a):
    return {"office": client_for(office_admin), "admin_a": client_for(admin_a)}


def _path(template: str, world, department_b) -> str:
    ids = {name: value.pk for name, value in world.items()}
    return template.format(rule=1, department_b=department_b.pk, **ids)


def _open(**fields) -> dict:
    base = {
        "department": "",
        "name": "新号",
        "platform": "douyin",
        "platform_uid": "dy-new",
        "reason": "工作需要",
        "has_interaction": "on",
        "operators-TOTAL_FORMS": "0",
        "operators-INITIAL_FORMS": "0",
    }
    return {**base, **fields}


def _campaign(**fields) -> dict:
    return {"name": "新行动", "self_inspection_due": "2999-01-01", "closure_due": "2999-02-01", **fields}


def _figures(**fields) -> dict:
    return {"date": "2024-01-01", "followers": "10", **fields}


# (persona, path, data, the field whose error the page shows)
BAD_FORMS = [
    ("admin_a", "/filings/open/", _open(department="abc"), "department"),
    ("admin_a", "/filings/open/", _open(department=HUGE), "department"),
    ("admin_a", "/filings/open/", _open(department="{department_b}"), "department"),
    ("admin_a", "/filings/open/", _open(department="{department_b}", platform="myspace"), "platform"),
    ("admin_a", "/filings/open/", _open(name=""), "name"),
    ("admin_a", "/filings/open/", _open(name="号" * 101), "name"),
    ("admin_a", "/filings/open/", _open(url="javascript:alert(1)"), "url"),
    ("admin_a", "/filings/open/", _open(**{"functions": "gossip"}), "functions"),
    (
        "admin_a",
        "/filings/open/",
        _open(
            **{"operators-TOTAL_FORMS": "1", "operators-0-name": "张三", "operators-0-employment": "slave"}
        ),
        "employment",
    ),
    ("admin_a", "/filings/open/", _open(**{"operators-TOTAL_FORMS": "abc"}), "__formset__"),
    ("admin_a", "/filings/open/", _open(**{"operators-TOTAL_FORMS": TOO_MANY_DIGITS}), "__formset__"),
    ("admin_a", "/media-accounts/{account_a}/close/", {"reason": ""}, "reason"),
    ("admin_a", "/media-accounts/{account_a}/close/", {"reason": "撤并", "successor": HUGE}, "successor"),
    (
        "admin_a",
        "/media-accounts/{account_a}/close/",
        {"reason": "撤并", "notice_url": "not a url"},
        "notice_url",
    ),
    (
        "admin_a",
        "/media-accounts/{account_a}/change/",
        {"name": "", "reason": "改", "operators-TOTAL_FORMS": "0", "operators-INITIAL_FORMS": "0"},
        "name",
    ),
    ("admin_a", "/media-accounts/{account_a}/metrics/", _figures(date="99999-01-01"), "date"),
    ("admin_a", "/media-accounts/{account_a}/metrics/", _figures(date="2999-01-01"), "date"),
    ("admin_a", "/media-accounts/{account_a}/metrics/", _figures(followers=HUGE), "followers"),
    ("admin_a", "/media-accounts/{account_a}/metrics/", _figures(followers="-1"), "followers"),
    ("admin_a", "/media-accounts/{account_a}/metrics/", _figures(reads="abc"), "reads"),
    ("admin_a", "/media-accounts/{account_a}/metrics/", _figures(posts=str(2**31)), "posts"),
    ("office", "/campaigns/new/", _campaign(name=""), "name"),
    ("office", "/campaigns/new/", _campaign(self_inspection_due="99999-01-01"), "self_inspection_due"),
    ("office", "/campaigns/new/", _campaign(closure_due="2998-01-01"), "closure_due"),
    ("office", "/campaigns/new/", _campaign(departments=HUGE), "departments"),
    ("office", "/campaigns/new/", _campaign(departments="abc"), "departments"),
    ("office", "/campaigns/new/", _campaign(platforms="myspace"), "platforms"),
    ("admin_a", "/self-inspections/{inspection_a}/", {"staff_count": HUGE}, "staff_count"),
    ("admin_a", "/self-inspections/{inspection_a}/", {"staff_count": "-1"}, "staff_count"),
    ("admin_a", "/self-inspections/{inspection_a}/", {"proposal": "explode"}, "proposal"),
    (
        "admin_a",
        "/self-inspections/{inspection_a}/",
        {"proposal": "merge", "merge_target": HUGE},
        "merge_target",
    ),
    (
        "admin_a",
        "/self-inspections/{inspection_a}/",
        {"proposal": "merge", "merge_target": "abc"},
        "merge_target",
    ),
    (
        "office",
        "/campaigns/{campaign}/meetings/new/",
        {"held_on": "99999-01-01", "attendees": "甲"},
        "held_on",
    ),
    (
        "office",
        "/campaigns/{campaign}/meetings/new/",
        {"held_on": "2024-01-01", "attendees": ""},
        "attendees",
    ),
    ("office", "/meetings/{meeting}/edit/", {"held_on": "someday", "attendees": "甲"}, "held_on"),
    ("office", "/meetings/{meeting}/", {"decisions-TOTAL_FORMS": "abc"}, "__formset__"),
    (
        "office",
        "/meetings/{meeting}/",
        {
            "decisions-TOTAL_FORMS": "1",
            "decisions-INITIAL_FORMS": "1",
            "decisions-0-self_inspection": "²",
            "decisions-0-decide": "on",
            "decisions-0-outcome": "retain",
        },
        "self_inspection",
    ),
    (
        "office",
        "/meetings/{meeting}/",
        {
            "decisions-TOTAL_FORMS": "1",
            "decisions-INITIAL_FORMS": "1",
            "decisions-0-self_inspection": HUGE,
            "decisions-0-decide": "on",
            "decisions-0-outcome": "retain",
        },
        "__formset__",
    ),
    ("admin_a", "/closure-orders/{order_a}/confirm/", {"evidence_url": "not a url"}, "evidence_url"),
    ("admin_a", "/closure-orders/{order_a}/confirm/", {"note": "  "}, "evidence_url"),
    ("office", "/inspections/rules/{rule}/edit/", {"severity": "veto", "days": HUGE}, "days"),
    ("office", "/inspections/rules/{rule}/edit/", {"severity": "veto", "days": "abc"}, "days"),
    ("office", "/inspections/rules/{rule}/edit/", {"severity": "deadly", "days": "14"}, "severity"),
    ("office", "/inspections/schedule/", {"time": "25:99", "enabled": "on"}, "time"),
    ("office", "/findings/{finding_a}/waive/", {"reason": ""}, "reason"),
    ("office", "/findings/{finding_a}/waive/", {"reason": "理" * 2001}, "reason"),
    ("admin_a", "/notices/{notice_a}/respond/", {"respond-response": ""}, "response"),
    ("admin_a", "/notices/{notice_a}/respond/", {"respond-response": "改" * 5001}, "response"),
    ("office", "/media-accounts/reconfirm/", {"department": HUGE}, "department"),
    ("admin_a", "/media-accounts/reconfirm/", {"department": "{department_b}"}, "department"),
    ("admin_a", "/accounts/tokens/", {"name": ""}, "name"),
    ("admin_a", "/accounts/tokens/", {"name": "采集", "valid_days": HUGE}, "valid_days"),
    ("admin_a", "/accounts/tokens/", {"name": "采集", "valid_days": "-1"}, "valid_days"),
]


@pytest.mark.parametrize(
    ("who", "path", "data", "field"), BAD_FORMS, ids=[f"{p} {f}" for _w, p, _d, f in BAD_FORMS]
)
def test_it_shows_the_form_again_with_the_fields_error(browsers, world, department_b, who, path, data, field):
    data = {key: value.format(department_b=department_b.pk) for key, value in data.items()}
    with unchanged():
        response = browsers[who].post(_path(path, world, department_b), data)
    assert response.status_code == 200, (response.status_code, response.content[:300])
    errors = form_errors(response)
    assert errors.get(field), (field, errors)


# Actions answered with a message and a redirect: nothing done, and never a 500.
REFUSED_ACTIONS = [
    ("office", "/filings/{filing_b}/reject/", {"note": ""}),
    ("office", "/rankings/compute/", {"week": "abc"}),
    ("office", "/rankings/compute/", {"week": "0001-01-01"}),
    ("admin_a", "/accounts/notifications/read/", {"id": "²"}),
    ("admin_a", "/accounts/notifications/read/", {"id": HUGE}),
    ("admin_a", "/accounts/notifications/read/", {"id": TOO_MANY_DIGITS, "open": "1"}),
]


@pytest.mark.parametrize(
    ("who", "path", "data"), REFUSED_ACTIONS, ids=[f"{p} {d}"[:80] for _w, p, d in REFUSED_ACTIONS]
)
def test_it_refuses_an_action_with_a_message(browsers, world, department_b, who, path, data):
    with unchanged():
        response = browsers[who].post(_path(path, world, department_b), data)
    assert response.status_code == 302, (response.status_code, response.content[:300])


# Another department's objects: the page and every action on it are a 404, as for an unknown id.
FOREIGN = [
    ("/media-accounts/{account_b}/close/", {"reason": "撤并"}),
    ("/media-accounts/{account_b}/change/", {"name": "新名", "reason": "改"}),
    ("/media-accounts/{account_b}/metrics/", _figures()),
    ("/media-accounts/{account_b}/reconfirm/", {}),
    ("/filings/{filing_b}/withdraw/", {}),
    ("/self-inspections/{inspection_b}/", {"need_reason": "发布"}),
    ("/closure-orders/{order_b}/confirm/", {"note": "已关停"}),
    ("/notices/{notice_b}/respond/", {"respond-response": "已整改"}),
    ("/findings/{finding_b}/waive/", {"reason": "合理"}),
    ("/meetings/{meeting}/edit/", {"held_on": "2024-01-01", "attendees": "甲"}),
]


@pytest.mark.parametrize(("path", "data"), FOREIGN, ids=[p for p, _d in FOREIGN])
def test_it_answers_another_departments_object_as_unknown(browsers, world, department_b, path, data):
    unknown = path.split("{")[0] + str(2**62) + path.split("}")[1]
    with unchanged():
        foreign_response = browsers["admin_a"].post(_path(path, world, department_b), data)
        unknown_response = browsers["admin_a"].post(unknown, data)
    assert foreign_response.status_code == unknown_response.status_code == 404


def test_it_refuses_a_ten_megabyte_form(browsers, world, department_b):
    with unchanged():
        response = browsers["admin_a"].post("/filings/open/", _open(reason="长" * (10 * 2**20 // 3)))
    assert response.status_code == 400
