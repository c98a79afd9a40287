"""The scheduled inspections over REST: runs, rules, findings and rectification notices, by persona."""

import datetime

import pytest
from django.utils import timezone

from audits.inspections import services as inspections
from audits.inspections.choices import FindingStatus, NoticeStatus, RuleCode, RunStatus
from audits.inspections.models import Finding, InspectionRule, InspectionRun, RectificationNotice
from audits.trail.models import AuditEvent
from tests.conftest import established
from tests.permission_matrix import check_matrix

API = "/api/v1"
SEES_ALL = {"office": 200, "auditor": 200, "admin_a": 200, "admin_b": 200, "admin_gov": 200, "anonymous": 401}
SEES_A = {"office": 200, "auditor": 200, "admin_a": 200, "admin_b": 404, "admin_gov": 404, "anonymous": 401}
SEES_B = {"office": 200, "auditor": 200, "admin_a": 404, "admin_b": 200, "admin_gov": 404, "anonymous": 401}
DISTRICT_WIDE = {
    "office": 200,
    "auditor": 200,
    "admin_a": 403,
    "admin_b": 403,
    "admin_gov": 403,
    "anonymous": 401,
}
OFFICE_ONLY = {
    "office": 200,
    "auditor": 403,
    "admin_a": 403,
    "admin_b": 403,
    "admin_gov": 403,
    "anonymous": 401,
}


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def run_today() -> InspectionRun:
    run = InspectionRun.objects.create(inspection_date=timezone.localdate())
    return inspections.inspection_run_execute(run_id=run.pk)


@pytest.fixture
def world(personas, department_a, department_b, file_account):
    """One silent account in each department, inspected: a veto finding and a notice for each unit."""
    account_a = file_account(department_a, name="教育发布")
    account_b = file_account(department_b, name="健康发布")
    run = run_today()
    return {
        "run": run,
        "account_a": account_a,
        "finding_a": Finding.objects.get(media_account=account_a, rule__code=RuleCode.NO_UPDATE),
        "finding_b": Finding.objects.get(media_account=account_b, rule__code=RuleCode.NO_UPDATE),
        "notice_a": RectificationNotice.objects.get(department=department_a),
        "notice_b": RectificationNotice.objects.get(department=department_b),
        "rule": InspectionRule.objects.get(code=RuleCode.LOW_FREQUENCY),
    }


def fresh_notice(department, *, responded=False) -> RectificationNotice:
    """A notice of its own run, so that each persona acts on one the others have not touched."""
    run = InspectionRun.objects.create(inspection_date=timezone.localdate(), status=RunStatus.FINISHED)
    notice = RectificationNotice.objects.create(
        department=department, run=run, deadline=timezone.localdate() + datetime.timedelta(days=7)
    )
    if responded:
        notice.status, notice.response = NoticeStatus.RESPONDED, "已整改"
        notice.save()
    return notice


# Who may do what -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/inspection-runs/", DISTRICT_WIDE),
        ("/inspection-runs/{run}/", DISTRICT_WIDE),
        ("/inspection-rules/", SEES_ALL),
        ("/inspection-rules/{rule}/", SEES_ALL),
        ("/findings/", SEES_ALL),
        ("/findings/{finding_a}/", SEES_A),
        ("/findings/{finding_b}/", SEES_B),
        ("/notices/", SEES_ALL),
        ("/notices/{notice_a}/", SEES_A),
        ("/notices/{notice_b}/", SEES_B),
    ],
)
def test_it_answers_every_read_by_role_and_scope(client_for, personas, world, path, expected):
    ids = {name: getattr(value, "pk", None) for name, value in world.items()}
    check_matrix(client_for, personas, "get", API + path.format(**ids), **expected)


def test_it_lets_only_the_office_start_a_run(client_for, personas, world):
    check_matrix(
        client_for,
        personas,
        "post",
        f"{API}/inspection-runs/",
        data={},
        **{**OFFICE_ONLY, "office": 202},
    )


def test_it_lets_only_the_office_edit_a_rule(client_for, personas, world):
    check_matrix(
        client_for,
        personas,
        "patch",
        f"{API}/inspection-rules/{world['rule'].pk}/",
        data={"enabled": False},
        **OFFICE_ONLY,
    )


def test_it_lets_only_the_office_waive_a_finding_it_may_see(client_for, personas, world):
    check_matrix(
        client_for,
        personas,
        "post",
        f"{API}/findings/{world['finding_a'].pk}/waive/",
        data={"reason": "账号已另有安排"},
        office=200,
        auditor=403,
        admin_a=403,
        admin_b=404,
        admin_gov=404,
        anonymous=401,
    )


def test_it_lets_the_unit_and_the_office_answer_a_notice(client_for, personas, department_a):
    check_matrix(
        client_for,
        personas,
        "post",
        lambda name: f"{API}/notices/{fresh_notice(department_a).pk}/respond/",
        data={"response": "已恢复更新"},
        office=200,
        auditor=403,
        admin_a=200,
        admin_b=404,
        admin_gov=404,
        anonymous=401,
    )


@pytest.mark.parametrize("action", ["accept", "return"])
def test_it_lets_only_the_office_accept_or_return_an_answer(client_for, personas, department_a, action):
    check_matrix(
        client_for,
        personas,
        "post",
        lambda name: f"{API}/notices/{fresh_notice(department_a, responded=True).pk}/{action}/",
        data={"note": "请补充截图"},
        office=200,
        auditor=403,
        admin_a=403,
        admin_b=404,
        admin_gov=404,
        anonymous=401,
    )


@pytest.mark.parametrize("method", ["put", "delete"])
def test_it_offers_no_other_way_to_change_a_rule(api_for, office_admin, world, method):
    response = getattr(api_for(office_admin), method)(f"{API}/inspection-rules/{world['rule'].pk}/", {})
    assert response.status_code == 405


# Runs ------------------------------------------------------------------------------------------


def test_it_queues_a_run_and_answers_202_with_its_id(
    api_for, office_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api_for(office_admin).post(f"{API}/inspection-runs/", {}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued" and body["inspection_date"] == timezone.localdate().isoformat()
    assert InspectionRun.objects.get(pk=body["id"]).requested_by == office_admin
    assert len(callbacks) == 1  # the worker's task, sent once the run is committed


def test_it_answers_the_run_under_way_rather_than_queue_a_second(api_for, office_admin):
    client = api_for(office_admin)
    first = client.post(f"{API}/inspection-runs/", {}, format="json").json()["id"]
    assert client.post(f"{API}/inspection-runs/", {}, format="json").json()["id"] == first
    assert InspectionRun.objects.count() == 1


def test_it_refuses_an_inspection_day_in_the_future(api_for, office_admin):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = api_for(office_admin).post(
        f"{API}/inspection-runs/", {"inspection_date": tomorrow.isoformat()}
    )
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["inspection_date"]


def test_it_shows_a_finished_run_with_its_counts_per_rule(api_for, auditor, world):
    body = api_for(auditor).get(f"{API}/inspection-runs/{world['run'].pk}/").json()
    assert body["status"] == "finished"
    assert body["accounts"] == 2 and body["started_at"] and body["finished_at"]
    assert body["counts"][RuleCode.NO_UPDATE] == {"open": 2, "opened": 2, "resolved": 0}


# Rules -----------------------------------------------------------------------------------------


def test_it_changes_only_the_thresholds_named(api_for, office_admin, world):
    response = api_for(office_admin).patch(
        f"{API}/inspection-rules/{world['rule'].pk}/",
        {"thresholds": {"window_days": 14}, "severity": "serious"},
    )
    assert response.status_code == 200
    assert response.json()["thresholds"] == {"posts_per_day": 1, "window_days": 14, "grace_days": 30}
    assert response.json()["severity"] == "serious"
    assert AuditEvent.objects.filter(action="audits.inspection_rule.updated").count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"thresholds": {"weeks": 2}}, "thresholds"),
        ({"thresholds": {"window_days": -1}}, "thresholds"),
        ({"severity": "grave"}, "severity"),
        ({"code": "low_reach"}, "code"),
    ],
)
def test_it_refuses_a_bad_rule_edit(api_for, office_admin, world, body, field):
    response = api_for(office_admin).patch(f"{API}/inspection-rules/{world['rule'].pk}/", body)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    world["rule"].refresh_from_db()
    assert world["rule"].thresholds == {"posts_per_day": 1, "window_days": 30, "grace_days": 30}


# Findings --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rule": RuleCode.NO_UPDATE}, 2),
        ({"rule": RuleCode.LOW_REACH, "severity": "warning"}, 2),
        ({"severity": "veto"}, 2),
        ({"status": "waived"}, 0),
        ({"department": "department_a"}, None),
        ({"media_account": "account_a"}, None),
    ],
)
def test_it_filters_findings(api_for, office_admin, world, query, expected):
    query = {key: world[value].pk if value in world else value for key, value in query.items()}
    if "department" in query:
        query["department"] = world["account_a"].department_id
    response = api_for(office_admin).get(f"{API}/findings/", query)
    assert response.status_code == 200
    results = response.json()["results"]
    if expected is not None:
        assert len(results) == expected
    else:
        assert results and {row["media_account"] for row in results} == {world["account_a"].pk}


def test_it_lists_a_unit_only_its_own_findings(api_for, admin_a, world):
    results = api_for(admin_a).get(f"{API}/findings/").json()["results"]
    assert {row["media_account"] for row in results} == {world["account_a"].pk}


def test_it_waives_an_open_finding_once(api_for, office_admin, world):
    client = api_for(office_admin)
    url = f"{API}/findings/{world['finding_a'].pk}/waive/"
    response = client.post(url, {"reason": "账号正在整合"})
    assert response.status_code == 200
    assert response.json()["status"] == FindingStatus.WAIVED and response.json()["waived_by"] == "office"
    assert client.post(url, {"reason": "再次豁免"}).status_code == 409


def test_it_wants_a_reason_to_waive(api_for, office_admin, world):
    response = api_for(office_admin).post(f"{API}/findings/{world['finding_a'].pk}/waive/", {"reason": ""})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["reason"]


# Notices ---------------------------------------------------------------------------------------


def test_it_carries_a_notice_through_answer_return_answer_and_acceptance(
    api_for, office_admin, admin_a, world
):
    unit, office = api_for(admin_a), api_for(office_admin)
    url = f"{API}/notices/{world['notice_a'].pk}"
    assert office.post(f"{url}/accept/", {}).status_code == 409  # nothing answered yet
    assert office.post(f"{url}/return/", {"note": "请说明"}).status_code == 409

    answered = unit.post(f"{url}/respond/", {"response": "已恢复更新"})
    assert answered.status_code == 200 and answered.json()["status"] == NoticeStatus.RESPONDED
    assert unit.post(f"{url}/respond/", {"response": "再答一次"}).status_code == 409

    returned = office.post(f"{url}/return/", {"note": "请附发文截图"})
    assert returned.status_code == 200
    assert returned.json()["status"] == NoticeStatus.OPEN and returned.json()["return_note"] == "请附发文截图"

    assert unit.post(f"{url}/respond/", {"response": "已附截图"}).status_code == 200
    accepted = office.post(f"{url}/accept/", {})
    assert accepted.status_code == 200 and accepted.json()["status"] == NoticeStatus.ACCEPTED
    assert office.post(f"{url}/accept/", {}).status_code == 409
    world["finding_a"].refresh_from_db()
    assert world["finding_a"].status == FindingStatus.RESOLVED


def test_it_shows_a_notice_with_its_findings(api_for, admin_a, world):
    body = api_for(admin_a).get(f"{API}/notices/{world['notice_a'].pk}/").json()
    assert world["finding_a"].pk in body["findings"]
    assert body["department_name"] == "区教育局" and body["is_overdue"] is False


@pytest.mark.parametrize(("action", "field"), [("respond", "response"), ("return", "note")])
def test_it_wants_the_text_of_an_answer_or_a_return(api_for, office_admin, department_a, action, field):
    notice = fresh_notice(department_a, responded=action == "return")
    response = api_for(office_admin).post(f"{API}/notices/{notice.pk}/{action}/", {field: ""})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_it_filters_notices(api_for, office_admin, world):
    client = api_for(office_admin)
    assert client.get(f"{API}/notices/", {"department": world["notice_a"].department_id}).json()["count"] == 1
    assert client.get(f"{API}/notices/", {"status": "responded"}).json()["count"] == 0
    assert client.get(f"{API}/notices/", {"overdue": "false"}).json()["count"] == 2


# Queries ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/findings/?page_size=500", "/notices/?page_size=500", "/inspection-runs/"])
def test_it_lists_in_as_many_queries_for_many_as_for_few(
    client_for,
    office_admin,
    department_a,
    file_account,
    path,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    client = client_for(office_admin)

    def grow(count):
        for _ in range(count):
            file_account(department_a)
        run_today()
        fresh_notice(department_a)

    grow(5)
    with django_assert_max_num_queries(10) as captured:
        small = client.get(API + path).json()["count"]
    grow(45)
    with django_assert_num_queries(len(captured)):
        assert client.get(API + path).json()["count"] > small
