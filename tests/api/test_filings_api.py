"""Filing over the API (docs/design.md §5.2): every transition, every illegal one, and bad bodies.

Bad input answers 400 naming the field and writes nothing; a move the state does not allow
answers 409; a role that may not act 403; a filing outside the user's scope 404.
"""

import pytest

from audits.trail.models import AuditEvent
from registry.choices import DepartmentKind, FilingStatus, MediaAccountStatus, Platform
from registry.models import Filing, MediaAccount, Operator
from registry.services import department_create

API = "/api/v1"


def _open_body(unit, /, **account):
    return {
        "kind": "open",
        "reason": "发布教育政务信息",
        "account": {
            "department": unit.pk,
            "name": "教育服务",
            "platform": Platform.DOUYIN,
            "platform_uid": "edu-douyin",
            **account,
        },
    }


def _rows() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (MediaAccount, Filing, Operator, AuditEvent)}


def _post(client, path, body):
    return client.post(f"{API}{path}", body, format="json")


# Submitting --------------------------------------------------------------------------------------


def test_it_files_a_new_account_as_pending_with_its_operators(api_for, admin_a, department_a):
    body = _open_body(
        department_a,
        url="https://www.douyin.com/user/edu",
        verified=True,
        functions=["information", "interaction"],
        responsible_person="王芳",
        operators=[{"name": "张三", "phone": "13800000000", "employment": "part_time"}],
    )
    response = _post(api_for(admin_a), "/filings/", body)
    assert response.status_code == 201, response.content
    data = response.json()
    account = MediaAccount.objects.get(pk=data["media_account"])
    assert (data["kind"], data["status"], data["submitted_by"]) == ("open", "submitted", "dept-edu")
    assert data["account"]["name"] == "教育服务" and data["account"]["department"] == department_a.pk
    assert account.status == MediaAccountStatus.PENDING and account.filing_number is None
    assert account.functions == ["information", "interaction"] and account.verified
    assert list(account.operators.values_list("name", "employment")) == [("张三", "part_time")]
    assert AuditEvent.objects.filter(action="registry.filing.submitted", actor=admin_a).count() == 1


def test_it_files_a_change_that_applies_only_when_approved(
    api_for, admin_a, office_admin, file_account, department_a
):
    account = file_account(department_a, name="旧名称")
    response = _post(
        api_for(admin_a),
        "/filings/",
        {"kind": "change", "media_account": account.pk, "changes": {"name": "新名称"}, "reason": "更名"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["changes"] == {"name": "新名称"}
    account.refresh_from_db()
    assert account.name == "旧名称"

    approved = _post(api_for(office_admin), f"/filings/{response.json()['id']}/approve/", {"note": "同意"})
    assert approved.status_code == 200 and approved.json()["decision_note"] == "同意"
    account.refresh_from_db()
    assert account.name == "新名称"


def test_it_closes_an_account_into_the_district_main_account_of_another_unit(
    api_for, admin_a, office_admin, file_account, department_a, government
):
    # Merging into the district's main account is normal, though the unit cannot see it.
    account = file_account(department_a)
    main = file_account(government, name="新城发布")
    response = _post(
        api_for(admin_a),
        "/filings/",
        {
            "kind": "close",
            "media_account": account.pk,
            "reason": "整合至区政府账号",
            "successor": main.pk,
            "notice_url": "https://example.gov.cn/notice",
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["successor"] == main.pk

    assert _post(api_for(office_admin), f"/filings/{response.json()['id']}/approve/", {}).status_code == 200
    account.refresh_from_db()
    assert account.status == MediaAccountStatus.CLOSED and account.merged_into == main


# Deciding ----------------------------------------------------------------------------------------


def test_it_activates_and_numbers_an_account_when_its_opening_is_approved(
    api_for, office_admin, file_account, department_a
):
    filing = file_account(department_a, approve=False).filings.get()
    response = _post(api_for(office_admin), f"/filings/{filing.pk}/approve/", {})
    assert response.status_code == 200
    assert response.json()["status"] == "approved" and response.json()["decided_by"] == "office"
    filing.media_account.refresh_from_db()
    assert filing.media_account.status == MediaAccountStatus.ACTIVE and filing.media_account.filing_number


@pytest.mark.parametrize(("decision", "status"), [("reject", "rejected"), ("withdraw", "withdrawn")])
def test_it_leaves_the_account_rejected_when_its_opening_is_rejected_or_withdrawn(
    api_for, office_admin, file_account, department_a, decision, status
):
    filing = file_account(department_a, approve=False).filings.get()
    response = _post(api_for(office_admin), f"/filings/{filing.pk}/{decision}/", {"note": "材料不全"})
    assert response.status_code == 200 and response.json()["status"] == status
    filing.media_account.refresh_from_db()
    assert filing.media_account.status == MediaAccountStatus.REJECTED


def test_it_lets_the_submitter_withdraw_their_own_filing(api_for, admin_a, file_account, department_a):
    filing = file_account(department_a, approve=False, actor=admin_a).filings.get()
    response = _post(api_for(admin_a), f"/filings/{filing.pk}/withdraw/", {})
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"


@pytest.mark.parametrize(
    ("first", "then"),
    [
        ("approve", "approve"),
        ("approve", "withdraw"),
        ("approve", "reject"),
        ("reject", "approve"),
        ("withdraw", "approve"),
        ("withdraw", "withdraw"),
    ],
)
def test_it_answers_409_to_a_decision_on_a_decided_filing(
    api_for, office_admin, file_account, department_a, first, then
):
    filing = file_account(department_a, approve=False).filings.get()
    client = api_for(office_admin)
    assert _post(client, f"/filings/{filing.pk}/{first}/", {}).status_code == 200
    before = _rows()
    response = _post(client, f"/filings/{filing.pk}/{then}/", {})
    assert response.status_code == 409 and response.json()["code"] == "conflict"
    assert _rows() == before


def test_it_answers_409_to_a_second_filing_on_an_account(api_for, admin_a, file_account, department_a):
    account = file_account(department_a)
    client = api_for(admin_a)
    change = {"kind": "change", "media_account": account.pk, "changes": {"responsible_person": "甲"}}
    assert _post(client, "/filings/", change).status_code == 201
    before = _rows()
    response = _post(client, "/filings/", {"kind": "close", "media_account": account.pk, "reason": "无需要"})
    assert response.status_code == 409
    assert _rows() == before


def test_it_answers_409_to_changing_or_closing_an_account_that_is_not_active(
    api_for, admin_a, file_account, department_a
):
    pending = file_account(department_a, approve=False)
    client = api_for(admin_a)
    change = {"kind": "change", "media_account": pending.pk, "changes": {"name": "新"}}
    assert _post(client, "/filings/", change).status_code == 409
    close = {"kind": "close", "media_account": pending.pk, "reason": "不再需要"}
    assert _post(client, "/filings/", close).status_code == 409


@pytest.mark.parametrize("persona", ["auditor", "admin_a"])
def test_it_answers_403_when_someone_but_the_office_approves(
    api_for, personas, file_account, department_a, persona
):
    filing = file_account(department_a, approve=False).filings.get()
    response = _post(api_for(personas[persona]), f"/filings/{filing.pk}/approve/", {})
    assert response.status_code == 403
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


def test_it_answers_404_when_another_department_approves(api_for, admin_b, file_account, department_a):
    filing = file_account(department_a, approve=False).filings.get()
    response = _post(api_for(admin_b), f"/filings/{filing.pk}/approve/", {})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_it_answers_403_when_a_department_admin_withdraws_a_filing_they_did_not_submit(
    api_for, admin_a, file_account, department_a
):
    filing = file_account(department_a, approve=False).filings.get()
    assert _post(api_for(admin_a), f"/filings/{filing.pk}/withdraw/", {}).status_code == 403


# Bad bodies --------------------------------------------------------------------------------------


@pytest.fixture
def active_a(file_account, department_a):
    return file_account(department_a, name="教育发布", url="https://example.gov.cn/edu")


@pytest.fixture
def bodies(department_a, department_b, active_a, file_account):
    pending = file_account(department_a, approve=False)
    return {
        "no kind": ({"reason": "x"}, "kind"),
        "unknown kind": ({"kind": "merge"}, "kind"),
        "no account": ({"kind": "open", "reason": "x"}, "account"),
        "account not an object": ({"kind": "open", "account": "教育服务"}, "account"),
        "no name": (_open_body(department_a, name=""), "account.name"),
        "no department": (_open_body(department_a, department=None), "account.department"),
        "unknown department": (_open_body(department_a, department=999999), "account.department"),
        "department out of scope": (_open_body(department_b), "account.department"),
        "unknown platform": (_open_body(department_a, platform="myspace"), "account.platform"),
        "bad url": (_open_body(department_a, url="not a url"), "account.url"),
        "unknown function": (_open_body(department_a, functions=["propaganda"]), "account.functions[0]"),
        "operator without name": (
            _open_body(department_a, operators=[{"name": "", "employment": "staff"}]),
            "account.operators[0].name",
        ),
        "operator of unknown employment": (
            _open_body(department_a, operators=[{"name": "张三", "employment": "x"}]),
            "account.operators[0].employment",
        ),
        "platform ID taken": (
            {
                **_open_body(department_a, platform=active_a.platform, platform_uid=active_a.platform_uid),
                "duplicate_reason": "业务不同",
            },
            "account.platform_uid",
        ),
        "second account on a platform without a reason": (
            _open_body(department_a, platform=active_a.platform),
            "duplicate_reason",
        ),
        "change of an unknown account": (
            {"kind": "change", "media_account": 999999, "changes": {"name": "新"}},
            "media_account",
        ),
        "change of a field that cannot be filed": (
            {"kind": "change", "media_account": active_a.pk, "changes": {"platform_uid": "new"}},
            "changes.platform_uid",
        ),
        "change to a bad url": (
            {"kind": "change", "media_account": active_a.pk, "changes": {"url": "nope"}},
            "changes.url",
        ),
        "change that changes nothing": (
            {"kind": "change", "media_account": active_a.pk, "changes": {"name": "教育发布"}},
            "changes",
        ),
        "change without changes": ({"kind": "change", "media_account": active_a.pk}, "changes"),
        "close without a reason": ({"kind": "close", "media_account": active_a.pk, "reason": ""}, "reason"),
        "close into itself": (
            {"kind": "close", "media_account": active_a.pk, "reason": "x", "successor": active_a.pk},
            "successor",
        ),
        "close into a pending account": (
            {"kind": "close", "media_account": active_a.pk, "reason": "x", "successor": pending.pk},
            "successor",
        ),
        "close with a bad notice url": (
            {"kind": "close", "media_account": active_a.pk, "reason": "x", "notice_url": "nope"},
            "notice_url",
        ),
    }


BODY_CASES = [
    "no kind",
    "unknown kind",
    "no account",
    "account not an object",
    "no name",
    "no department",
    "unknown department",
    "department out of scope",
    "unknown platform",
    "bad url",
    "unknown function",
    "operator without name",
    "operator of unknown employment",
    "platform ID taken",
    "second account on a platform without a reason",
    "change of an unknown account",
    "change of a field that cannot be filed",
    "change to a bad url",
    "change that changes nothing",
    "change without changes",
    "close without a reason",
    "close into itself",
    "close into a pending account",
    "close with a bad notice url",
]


@pytest.mark.parametrize("case", BODY_CASES)
def test_it_refuses_a_bad_body_naming_the_field_and_writes_nothing(api_for, admin_a, bodies, case):
    body, field = bodies[case]
    client = api_for(admin_a)
    before = _rows()
    response = _post(client, "/filings/", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"], response.json()
    assert _rows() == before


def test_it_names_the_exception_a_township_account_needs(api_for, office_admin):
    township = department_create(actor=None, name="城关镇", code="cgz", kind=DepartmentKind.TOWNSHIP)
    response = _post(api_for(office_admin), "/filings/", _open_body(township))
    assert response.status_code == 400 and "account.exception_reason" in response.json()["fields"]
    ok = _post(api_for(office_admin), "/filings/", _open_body(township, exception_reason="旅游服务需要"))
    assert ok.status_code == 201


def test_it_says_the_same_of_an_unknown_department_and_one_out_of_scope(api_for, admin_a, department_b):
    client = api_for(admin_a)
    unknown = _post(client, "/filings/", _open_body(department_b, department=999999))
    hidden = _post(client, "/filings/", _open_body(department_b))
    messages = [
        response.json()["fields"]["account.department"][0].replace(str(pk), "?")
        for response, pk in ((unknown, 999999), (hidden, department_b.pk))
    ]
    assert messages[0] == messages[1]


@pytest.mark.parametrize("decision", ["approve", "reject", "withdraw"])
def test_it_refuses_a_note_that_is_not_text(api_for, office_admin, file_account, department_a, decision):
    filing = file_account(department_a, approve=False).filings.get()
    response = _post(api_for(office_admin), f"/filings/{filing.pk}/{decision}/", {"note": ["同意"]})
    assert response.status_code == 400 and list(response.json()["fields"]) == ["note"]
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


def test_it_takes_filings_as_json_only(api_for, admin_a, department_a):
    response = api_for(admin_a).post(f"{API}/filings/", {"kind": "open", "reason": "x"}, format="multipart")
    assert response.status_code == 415


def test_it_works_the_same_with_a_browser_session(client_for, admin_a, department_a):
    response = client_for(admin_a).post(
        f"{API}/filings/", _open_body(department_a), content_type="application/json"
    )
    assert response.status_code == 201
