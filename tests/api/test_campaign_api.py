"""The three steps of a campaign over the API (issue 4): the shapes, every transition and every
illegal one (409), bad bodies (400 naming the field, nothing written), and lists whose query
counts do not grow with the district."""

import pytest

from audits.campaigns import services
from audits.campaigns.choices import ClosureOrderStatus, Proposal, SelfInspectionStatus
from audits.campaigns.models import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.trail.models import AuditEvent
from registry import services as registry_services
from registry.choices import FilingKind, FilingStatus, MediaAccountStatus, Platform
from tests.campaigns import THREE_HAVES, campaign, days_from_now, inspection_of, meeting, ordered, submitted
from tests.conftest import LIVE_SINCE, established

API = "/api/v1"


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def _rows() -> dict[str, int]:
    models = (ReviewCampaign, SelfInspection, ReviewMeeting, ReviewDecision, ClosureOrder, AuditEvent)
    return {model.__name__: model.objects.count() for model in models}


def _ok(response, status: int = 200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def _fields(response) -> list[str]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    return sorted(body["fields"])


def _conflict(response) -> str:
    assert response.status_code == 409, response.content
    body = response.json()
    assert body["code"] == "conflict"
    return body["detail"]


@pytest.fixture
def district(department_a, sub_unit_a, department_b, file_account):
    return {
        "a": file_account(department_a, name="教育发布"),
        "a_weibo": file_account(department_a, name="教育微博", platform=Platform.WEIBO),
        "sub": file_account(sub_unit_a, name="招生发布"),
        "b": file_account(department_b, name="健康发布"),
    }


@pytest.fixture
def office(api_for, office_admin):
    return api_for(office_admin)


@pytest.fixture
def unit_a(api_for, admin_a):
    return api_for(admin_a)


@pytest.fixture
def running(office_admin, district):
    return campaign(office_admin)


# Campaigns ---------------------------------------------------------------------------------------


def test_it_creates_a_campaign_with_its_scope(office, office_admin, district, department_a):
    body = {
        "name": "2026年政务新媒体清理整顿",
        "description": "三有原则",
        "self_inspection_due": str(days_from_now(14)),
        "closure_due": str(days_from_now(45)),
        "scope": {"platforms": [Platform.WECHAT_OFFICIAL], "departments": [department_a.pk, department_a.pk]},
    }
    created = _ok(office.post(f"{API}/campaigns/", body, format="json"), 201)
    assert created["status"] == "draft" and created["created_by"] == office_admin.username
    assert created["scope"] == {
        "department_kinds": [],
        "platforms": [Platform.WECHAT_OFFICIAL],
        "departments": [department_a.pk],
    }
    assert created["started_at"] is None

    started = _ok(office.post(f"{API}/campaigns/{created['id']}/start/"))
    assert started["status"] == "running" and started["started_at"] is not None
    found = SelfInspection.objects.filter(campaign_id=created["id"]).values_list("media_account", flat=True)
    assert set(found) == {district["a"].pk}


@pytest.mark.parametrize(
    ("scope", "field"),
    [
        ({"platforms": ["myspace"]}, "scope.platforms[0]"),
        ({"department_kinds": ["village"]}, "scope.department_kinds[0]"),
        ({"departments": [999999]}, "scope.departments"),
        ({"departments": "edu"}, "scope.departments"),
        ({"towns": ["x"]}, "scope.towns"),
        (["wechat_official"], "scope"),
    ],
)
def test_it_refuses_a_bad_scope_naming_it(office, district, scope, field):
    before = _rows()
    body = {
        "name": "范围有误",
        "self_inspection_due": str(days_from_now(14)),
        "closure_due": str(days_from_now(45)),
        "scope": scope,
    }
    assert _fields(office.post(f"{API}/campaigns/", body, format="json")) == [field]
    assert _rows() == before


def test_it_refuses_bad_deadlines_and_a_taken_name(office, running):
    body = {
        "name": "新行动",
        "self_inspection_due": str(days_from_now(30)),
        "closure_due": str(days_from_now(1)),
    }
    assert _fields(office.post(f"{API}/campaigns/", body, format="json")) == ["closure_due"]
    body = {"name": running.name, "self_inspection_due": "2026-13-01", "closure_due": str(days_from_now(40))}
    assert _fields(office.post(f"{API}/campaigns/", body, format="json")) == ["self_inspection_due"]
    body["self_inspection_due"] = str(days_from_now(10))
    assert _fields(office.post(f"{API}/campaigns/", body, format="json")) == ["name"]


def test_it_refuses_to_start_a_campaign_twice_or_with_nobody_in_scope(office, office_admin, running):
    _conflict(office.post(f"{API}/campaigns/{running.pk}/start/"))
    empty = campaign(office_admin, start=False, platforms=[Platform.BILIBILI])
    assert _fields(office.post(f"{API}/campaigns/{empty.pk}/start/")) == ["scope"]
    assert _ok(office.get(f"{API}/campaigns/{empty.pk}/"))["status"] == "draft"


def test_it_lists_campaigns_newest_first_and_only_those_covering_the_unit(
    office, unit_a, office_admin, running, department_b
):
    only_b = campaign(office_admin, departments=[department_b.pk])
    draft = campaign(office_admin, start=False)
    assert [row["id"] for row in _ok(office.get(f"{API}/campaigns/"))["results"]] == [
        draft.pk,
        only_b.pk,
        running.pk,
    ]
    assert [row["id"] for row in _ok(unit_a.get(f"{API}/campaigns/"))["results"]] == [running.pk]
    assert [row["id"] for row in _ok(office.get(f"{API}/campaigns/", {"status": "draft"}))["results"]] == [
        draft.pk
    ]


def test_it_answers_the_progress_as_numbers_overall_and_per_unit(
    office, unit_a, office_admin, admin_a, admin_b, running, district, department_a, department_b
):
    closing = ordered(office_admin, admin_a, running, district["a"])
    ordered(office_admin, admin_b, running, district["b"], merge_target=district["a_weibo"])
    submitted(admin_a, inspection_of(running, district["a_weibo"]))
    services.closure_order_confirm(actor=admin_a, order=closing, note="已注销")

    progress = _ok(office.get(f"{API}/campaigns/{running.pk}/progress/"))
    assert progress["campaign"] == running.pk
    # Two decided, one confirmed by its unit, none verified: nothing is closed yet.
    assert progress["counts"] == {
        "in_scope": 4,
        "submitted": 3,
        "decided": 2,
        "retained": 0,
        "closed": 1,
        "merged": 1,
        "returned": 0,
        "overdue": 0,
        "confirmed": 1,
        "verified": 0,
        "decided_to_close_or_merge": 2,
        "closed_or_merged": 0,
        "closed_or_merged_percent": 0.0,
    }
    by_department = {row["code"]: row for row in progress["by_department"]}
    assert set(by_department) == {"edu", "edu-zsb", "health"}
    assert by_department["edu"]["department"] == department_a.pk
    assert by_department["edu"]["name"] == department_a.name
    assert by_department["edu"]["counts"]["in_scope"] == 2
    assert by_department["health"]["counts"]["merged"] == 1
    assert by_department["health"]["department"] == department_b.pk

    # A unit counts only its own accounts.
    mine = _ok(unit_a.get(f"{API}/campaigns/{running.pk}/progress/"))
    assert mine["counts"]["in_scope"] == 3 and mine["counts"]["decided_to_close_or_merge"] == 1
    assert {row["code"] for row in mine["by_department"]} == {"edu", "edu-zsb"}

    # The closed share counts the closure once the office has verified it.
    services.closure_order_verify(actor=office_admin, order=closing)
    counts = _ok(office.get(f"{API}/campaigns/{running.pk}/progress/"))["counts"]
    assert (counts["verified"], counts["closed_or_merged"], counts["closed_or_merged_percent"]) == (
        1,
        1,
        25.0,
    )


# Self-inspections --------------------------------------------------------------------------------


def test_it_lists_the_units_self_inspections_with_filters(unit_a, office, running, district, department_a):
    rows = _ok(unit_a.get(f"{API}/self-inspections/"))["results"]
    assert {row["media_account"] for row in rows} == {district[key].pk for key in ("a", "a_weibo", "sub")}
    assert rows[0]["account"]["department_name"] and rows[0]["status"] == "pending"

    submitted(running.created_by, inspection_of(running, district["a"]))
    for query, expected in [
        ({"status": "submitted"}, {"a"}),
        ({"media_account": district["b"].pk}, {"b"}),
        ({"department": department_a.pk}, {"a", "a_weibo"}),
        ({"campaign": running.pk, "status": "pending"}, {"a_weibo", "sub", "b"}),
    ]:
        rows = _ok(office.get(f"{API}/self-inspections/", query))["results"]
        assert {row["media_account"] for row in rows} == {district[key].pk for key in expected}, query


def test_it_shows_the_recommendation_to_the_office_and_auditors_only(
    api_for, office, unit_a, auditor, admin_a, running, district
):
    inspection = submitted(admin_a, inspection_of(running, district["a"]), Proposal.CLOSE)
    url = f"{API}/self-inspections/{inspection.pk}/"
    recommendation = _ok(office.get(url, HTTP_ACCEPT_LANGUAGE="en"))["recommendation"]
    assert recommendation["outcome"] == "close" and recommendation["merge_target"] is None
    assert recommendation["facts"] == {
        "followers": 0,
        "posts_30_days": 0,
        "posts_per_day": 0.0,
        "days_since_last_post": None,
        "sibling": None,
        "days_live": (days_from_now(0) - LIVE_SINCE).days,
    }
    assert recommendation["reasons"][0] == "the unit proposes the closure"
    assert _ok(api_for(auditor).get(url))["recommendation"]["outcome"] == "close"
    assert _ok(api_for(auditor).get(f"{API}/self-inspections/"))["results"][0]["recommendation"] is not None
    # The unit sees its answers, not the reviewers' working aid.
    assert _ok(unit_a.get(url))["recommendation"] is None
    assert {row["recommendation"] for row in _ok(unit_a.get(f"{API}/self-inspections/"))["results"]} == {None}


def test_it_records_answers_and_submits_them(unit_a, admin_a, running, district):
    inspection = inspection_of(running, district["a"])
    url = f"{API}/self-inspections/{inspection.pk}/"
    draft = _ok(unit_a.patch(url, {"has_need": True, "need_reason": "政策发布"}, format="json"))
    assert draft["status"] == "draft" and draft["has_need"] is True and draft["has_capacity"] is None
    answers = {**THREE_HAVES, "proposal": "merge", "merge_target": district["b"].pk}
    assert _ok(unit_a.patch(url, answers, format="json"))["merge_target"] == district["b"].pk

    done = _ok(unit_a.post(f"{url}submit/"))
    assert done["status"] == "submitted" and done["submitted_by"] == admin_a.username
    _conflict(unit_a.patch(url, {"need_reason": "改"}, format="json"))
    _conflict(unit_a.post(f"{url}submit/"))


def test_it_refuses_an_incomplete_or_unsupported_submission_naming_the_fields(unit_a, running, district):
    url = f"{API}/self-inspections/{inspection_of(running, district['a']).pk}/"
    assert _fields(unit_a.post(f"{url}submit/")) == ["has_capacity", "has_need", "has_support", "proposal"]
    _ok(unit_a.patch(url, {**THREE_HAVES, "has_support": False, "proposal": "retain"}, format="json"))
    assert _fields(unit_a.post(f"{url}submit/")) == ["proposal"]
    assert _ok(unit_a.get(url))["status"] == "draft"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"merge_target": "itself"}, "merge_target"),
        ({"merge_target": "closed"}, "merge_target"),
        ({"merge_target": 999999}, "merge_target"),
        ({"staff_count": -1}, "staff_count"),
        ({"run_by": "volunteers"}, "run_by"),
        ({"proposal": "abolish"}, "proposal"),
        ({"status": "submitted"}, "status"),
    ],
)
def test_it_refuses_bad_answers_naming_the_field(
    unit_a, office_admin, running, district, file_account, department_b, body, field
):
    inspection = inspection_of(running, district["a"])
    if body.get("merge_target") == "itself":
        body = {"merge_target": district["a"].pk}
    if body.get("merge_target") == "closed":
        closed = file_account(department_b, platform=Platform.DOUYIN)
        filing = registry_services.filing_submit_close(
            actor=office_admin, media_account=closed, reason="停更"
        )
        registry_services.filing_approve(actor=office_admin, filing=filing)
        body = {"merge_target": closed.pk}
    before = _rows()
    assert _fields(unit_a.patch(f"{API}/self-inspections/{inspection.pk}/", body, format="json")) == [field]
    assert _rows() == before
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.PENDING


# Meetings ----------------------------------------------------------------------------------------


def test_it_records_and_corrects_a_meeting(office, office_admin, running):
    body = {"campaign": running.pk, "held_on": str(days_from_now(0)), "attendees": "宣传部、网信办"}
    created = _ok(office.post(f"{API}/meetings/", body, format="json"), 201)
    assert created["minutes"] == "" and created["created_by"] == office_admin.username
    url = f"{API}/meetings/{created['id']}/"
    assert _ok(office.patch(url, {"minutes": "逐一审议"}, format="json"))["minutes"] == "逐一审议"
    assert _fields(office.patch(url, {"campaign": running.pk}, format="json")) == ["campaign"]
    assert _ok(office.get(f"{API}/meetings/", {"campaign": running.pk}))["count"] == 1


def test_it_holds_meetings_only_while_the_campaign_runs(office, office_admin, district):
    draft = campaign(office_admin, start=False)
    body = {"campaign": draft.pk, "held_on": str(days_from_now(0)), "attendees": "宣传部"}
    _conflict(office.post(f"{API}/meetings/", body, format="json"))
    assert not ReviewMeeting.objects.exists()


# Decisions ---------------------------------------------------------------------------------------


@pytest.fixture
def applications(admin_a, admin_b, running, district):
    """Submitted applications: A proposes to close its Weibo and keep the rest; B keeps its own."""
    return {
        "a": submitted(admin_a, inspection_of(running, district["a"])),
        "a_weibo": submitted(admin_a, inspection_of(running, district["a_weibo"]), Proposal.CLOSE),
        "b": submitted(admin_b, inspection_of(running, district["b"])),
    }


def test_it_decides_one_application_and_refuses_a_second_decision(
    office, office_admin, running, applications, district
):
    held = meeting(office_admin, running)
    body = {
        "self_inspection": applications["a_weibo"].pk,
        "meeting": held.pk,
        "outcome": "close",
        "deadline": str(days_from_now(20)),
        "note": "同意关停",
    }
    decision = _ok(office.post(f"{API}/decisions/", body, format="json"), 201)
    assert decision["outcome"] == "close" and decision["deadline"] == str(days_from_now(20))
    assert decision["media_account"] == district["a_weibo"].pk and decision["campaign"] == running.pk
    assert decision["recommended"] == "close" and decision["decided_by"] == office_admin.username
    order = ClosureOrder.objects.get()
    assert decision["closure_order"] == order.pk

    before = _rows()
    assert "教育微博" in _conflict(
        office.post(f"{API}/decisions/", {**body, "outcome": "retain"}, format="json")
    )
    assert _rows() == before


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({"outcome": "abolish"}, "outcome"),
        ({"outcome": "return"}, "note"),
        ({"outcome": "merge"}, "merge_target"),
        ({"outcome": "merge", "merge_target": "itself"}, "merge_target"),
        ({"outcome": "close", "deadline": "soon"}, "deadline"),
        ({"outcome": "close", "self_inspection": 999999}, "self_inspection"),
        ({"outcome": "close", "meeting": None}, "meeting"),
    ],
)
def test_it_refuses_a_bad_decision_naming_the_field(
    office, office_admin, running, applications, district, item, field
):
    body = {
        "self_inspection": applications["a_weibo"].pk,
        "meeting": meeting(office_admin, running).pk,
        **item,
    }
    if item.get("merge_target") == "itself":
        body["merge_target"] = district["a_weibo"].pk
    before = _rows()
    assert _fields(office.post(f"{API}/decisions/", body, format="json")) == [field]
    assert _rows() == before


def test_it_decides_many_of_one_meeting_at_once(office, office_admin, running, applications, district):
    held = meeting(office_admin, running)
    body = {
        "meeting": held.pk,
        "items": [
            {"self_inspection": applications["a"].pk, "outcome": "retain"},
            {
                "self_inspection": applications["a_weibo"].pk,
                "outcome": "merge",
                "merge_target": district["a"].pk,
            },
            {"self_inspection": applications["b"].pk, "outcome": "return", "note": "补充保障说明"},
        ],
    }
    decisions = _ok(office.post(f"{API}/decisions/", body, format="json"), 201)
    assert [row["outcome"] for row in decisions] == ["retain", "merge", "return"]
    assert [row["self_inspection"] for row in decisions] == [
        applications[key].pk for key in ("a", "a_weibo", "b")
    ]
    assert decisions[1]["merge_target"] == district["a"].pk and decisions[1]["closure_order"] is not None
    district["a_weibo"].refresh_from_db()
    assert district["a_weibo"].status == MediaAccountStatus.MERGING
    applications["b"].refresh_from_db()
    assert applications["b"].status == SelfInspectionStatus.DRAFT  # returned: the unit may revise it


def test_it_decides_a_list_of_single_decisions_at_once(office, office_admin, running, applications):
    held = meeting(office_admin, running).pk
    body = [
        {"self_inspection": applications[key].pk, "meeting": held, "outcome": "retain"} for key in ("a", "b")
    ]
    assert len(_ok(office.post(f"{API}/decisions/", body, format="json"), 201)) == 2
    assert ReviewDecision.objects.count() == 2


def test_it_decides_many_all_or_nothing_naming_the_bad_item(office, office_admin, running, applications):
    held = meeting(office_admin, running)
    before = _rows()
    body = {
        "meeting": held.pk,
        "items": [
            {"self_inspection": applications["a"].pk, "outcome": "retain"},
            {"self_inspection": applications["a_weibo"].pk, "outcome": "merge"},  # no target anywhere
        ],
    }
    assert _fields(office.post(f"{API}/decisions/", body, format="json")) == ["items[1].merge_target"]
    body["items"][1] = {"self_inspection": applications["a_weibo"].pk, "outcome": "shelve"}
    assert _fields(office.post(f"{API}/decisions/", body, format="json")) == ["items[1].outcome"]
    assert _rows() == before

    # A decided application among many refuses them all, and says which.
    services.decision_make(
        actor=office_admin, self_inspection=applications["b"], meeting=held, outcome="retain"
    )
    before = _rows()
    body["items"][1] = {"self_inspection": applications["b"].pk, "outcome": "close"}
    assert "健康发布" in _conflict(office.post(f"{API}/decisions/", body, format="json"))
    assert _rows() == before


def test_it_decides_the_items_of_one_meeting_per_request(office, office_admin, running, applications):
    first, second = meeting(office_admin, running).pk, meeting(office_admin, running).pk
    body = [
        {"self_inspection": applications["a"].pk, "meeting": first, "outcome": "retain"},
        {"self_inspection": applications["b"].pk, "meeting": second, "outcome": "retain"},
    ]
    assert _fields(office.post(f"{API}/decisions/", body, format="json")) == ["meeting"]
    body = {"items": [{"self_inspection": applications["a"].pk, "outcome": "retain"}]}
    assert _fields(office.post(f"{API}/decisions/", body, format="json")) == ["meeting"]
    assert _fields(office.post(f"{API}/decisions/", {"meeting": first, "items": []}, format="json")) == [
        "items"
    ]
    assert not ReviewDecision.objects.exists()


@pytest.mark.parametrize("body", [5, "retain", None, {}])
def test_it_refuses_a_decision_body_of_the_wrong_shape(office, applications, body):
    assert _fields(office.post(f"{API}/decisions/", body, format="json"))
    assert not ReviewDecision.objects.exists()


def test_it_lists_decisions_by_filter(office, unit_a, office_admin, running, applications, department_b):
    held = meeting(office_admin, running)
    services.decisions_make(
        actor=office_admin,
        meeting=held,
        items=[
            {"self_inspection": applications["a"], "outcome": "retain"},
            {"self_inspection": applications["b"], "outcome": "retain"},
        ],
    )
    assert _ok(office.get(f"{API}/decisions/", {"meeting": held.pk}))["count"] == 2
    assert _ok(office.get(f"{API}/decisions/", {"department": department_b.pk}))["count"] == 1
    assert _ok(office.get(f"{API}/decisions/", {"outcome": "close"}))["count"] == 0
    assert [row["self_inspection"] for row in _ok(unit_a.get(f"{API}/decisions/"))["results"]] == [
        applications["a"].pk
    ]


# Closure orders ----------------------------------------------------------------------------------


@pytest.fixture
def order(office_admin, admin_a, running, district):
    return ordered(office_admin, admin_a, running, district["a_weibo"])


def test_it_confirms_verifies_and_closes_over_the_api(office, unit_a, office_admin, admin_a, order, running):
    url = f"{API}/closure-orders/{order.pk}/"
    shown = _ok(unit_a.get(url))
    assert (
        shown["status"] == "open"
        and shown["is_overdue"] is False
        and shown["deadline"] == str(running.closure_due)
    )

    _conflict(office.post(f"{url}verify/"))  # not confirmed yet
    assert _fields(unit_a.post(f"{url}confirm/", {"note": ""}, format="json")) == ["evidence_url"]
    assert _fields(unit_a.post(f"{url}confirm/", {"evidence_url": "not a url"}, format="json")) == [
        "evidence_url"
    ]
    evidence = {"evidence_url": "https://example.gov.cn/notice/7", "note": "已发布注销公告"}
    confirmed = _ok(unit_a.post(f"{url}confirm/", evidence, format="json"))
    assert confirmed["status"] == "confirmed" and confirmed["confirmed_by"] == admin_a.username
    assert confirmed["evidence_note"] == "已发布注销公告"
    _conflict(unit_a.post(f"{url}confirm/", evidence, format="json"))

    verified = _ok(office.post(f"{url}verify/", {"note": "已核实"}, format="json"))
    assert verified["status"] == "verified" and verified["verified_by"] == office_admin.username
    account = order.media_account
    account.refresh_from_db()
    assert account.status == MediaAccountStatus.CLOSED
    assert account.filings.filter(kind=FilingKind.CLOSE, status=FilingStatus.APPROVED).exists()
    _conflict(office.post(f"{url}verify/"))
    _conflict(office.post(f"{url}reject/", {"note": "再查"}, format="json"))


def test_it_reopens_an_order_whose_confirmation_is_rejected(office, unit_a, order):
    url = f"{API}/closure-orders/{order.pk}/"
    _conflict(office.post(f"{url}reject/", {"note": "未确认"}, format="json"))
    _ok(unit_a.post(f"{url}confirm/", {"note": "已注销"}, format="json"))
    assert _fields(office.post(f"{url}reject/", {}, format="json")) == ["note"]
    assert _fields(office.post(f"{url}reject/", {"note": "  "}, format="json")) == ["note"]
    rejected = _ok(office.post(f"{url}reject/", {"note": "账号仍可访问"}, format="json"))
    assert rejected["status"] == "open" and rejected["rejection_note"] == "账号仍可访问"


def test_it_takes_the_successor_named_when_confirming_a_merger(
    api_for, unit_a, office_admin, admin_b, running, district
):
    order = ordered(office_admin, admin_b, running, district["b"], merge_target=district["a"])
    url = f"{API}/closure-orders/{order.pk}/confirm/"
    body = {"note": "已迁移到区教育局微博", "merge_target": district["a_weibo"].pk}
    assert unit_a.post(url, body, format="json").status_code == 404  # B's order: A cannot see it
    assert _ok(api_for(admin_b).post(url, body, format="json"))["merge_target"] == district["a_weibo"].pk


def test_it_lists_orders_by_filter_and_the_overdue_ones(
    office, unit_a, office_admin, admin_a, admin_b, running, district
):
    late = ordered(office_admin, admin_a, running, district["a"], deadline=days_from_now(-1))
    on_time = ordered(office_admin, admin_b, running, district["b"], deadline=days_from_now(3))
    assert [row["id"] for row in _ok(office.get(f"{API}/closure-orders/"))["results"]] == [
        late.pk,
        on_time.pk,
    ]
    overdue = _ok(office.get(f"{API}/closure-orders/", {"overdue": "true"}))["results"]
    assert [row["id"] for row in overdue] == [late.pk] and overdue[0]["is_overdue"] is True
    assert [
        row["id"] for row in _ok(office.get(f"{API}/closure-orders/", {"overdue": "false"}))["results"]
    ] == [on_time.pk]
    for query, expected in [
        ({"media_account": district["b"].pk}, [on_time.pk]),
        ({"campaign": running.pk, "status": "open"}, [late.pk, on_time.pk]),
        ({"status": ClosureOrderStatus.CONFIRMED}, []),
    ]:
        assert [row["id"] for row in _ok(office.get(f"{API}/closure-orders/", query))["results"]] == expected
    assert [row["id"] for row in _ok(unit_a.get(f"{API}/closure-orders/"))["results"]] == [late.pk]
    assert _fields(office.get(f"{API}/closure-orders/", {"overdue": "maybe"})) == ["overdue"]


# Query counts ------------------------------------------------------------------------------------


def _grow(office_admin, admin_a, department_a, file_account, count: int) -> None:
    """``count`` more Douyin accounts of unit A, each with a submitted application (to close, or
    to merge into the first of them), half of them decided to close and half to retain."""
    accounts = [file_account(department_a, platform=Platform.DOUYIN) for _number in range(count)]
    started = campaign(office_admin, departments=[department_a.pk], platforms=[Platform.DOUYIN])
    items = []
    for index, account in enumerate(accounts):
        target = accounts[0] if index and index % 2 == 0 else None
        proposal = Proposal.MERGE if target else Proposal.CLOSE
        inspection = submitted(admin_a, inspection_of(started, account), proposal, merge_target=target)
        items.append({"self_inspection": inspection, "outcome": "close" if index % 2 else "retain"})
    services.decisions_make(actor=office_admin, meeting=meeting(office_admin, started), items=items)


LISTS = [
    "/campaigns/",
    "/campaigns/{campaign}/progress/",
    "/self-inspections/?page_size=500",
    "/meetings/",
    "/decisions/?page_size=500",
    "/closure-orders/?page_size=500",
]


def test_it_answers_lists_in_the_same_number_of_queries_for_10_or_40_accounts(
    api_for,
    personas,
    office_admin,
    admin_a,
    department_a,
    file_account,
    django_assert_max_num_queries,
):
    # Both personas read the same two districts: the office every unit's rows, unit A its own.
    clients = {persona: api_for(personas[persona]) for persona in ("office", "admin_a")}

    def counts() -> dict[str, dict[str, int]]:
        found = {}
        latest = ReviewCampaign.objects.order_by("-pk").first().pk
        for persona, client in clients.items():
            client.get(f"{API}/campaigns/")  # the token's first use is written down once
            for path in LISTS:
                with django_assert_max_num_queries(100) as queries:
                    _ok(client.get(API + path.format(campaign=latest)))
                found[persona, path] = len(queries.captured_queries)
        return found

    _grow(office_admin, admin_a, department_a, file_account, 10)
    few = counts()
    _grow(office_admin, admin_a, department_a, file_account, 30)
    assert SelfInspection.objects.count() >= 40 and ClosureOrder.objects.count() >= 18
    assert counts() == few
