"""Bad API bodies (docs/design.md §11, §13): every write endpoint answers 400 in the one error shape naming
the field (or 404 for an object the user may not see, told exactly like an unknown one), and no
row of any model is written."""

import json

import pytest

from tests.bad_input.conftest import HUGE_INT, UNKNOWN_ID, assert_names, assert_not_found, unchanged

API = "/api/v1"
TEN_MB = "长" * (10 * 2**20 // 3)  # ten megabytes of UTF-8


@pytest.fixture
def clients(api_for, office_admin, admin_a):
    made = {"office": api_for(office_admin), "admin_a": api_for(admin_a), "anonymous": api_for(None)}
    return made


def _send(client, method: str, path: str, body, **extra):
    if isinstance(body, bytes):
        return getattr(client, method)(API + path, body, content_type="application/json", **extra)
    return getattr(client, method)(API + path, body, format="json", **extra)


def _ids(world) -> dict:
    ids = {name: value.pk for name, value in world.items()}
    ids["rule"] = 1
    return ids


def _open(**account) -> dict:
    base = {"department": "{department_a}", "name": "新号", "platform": "douyin", "platform_uid": "dy-new"}
    return {"kind": "open", "reason": "工作需要", "account": {**base, **account}}


# Every write endpoint, the persona who may use it, and a body that is otherwise good.
WRITES = [
    ("anonymous", "post", "/auth/token/", {"username": "dept-edu", "password": "x"}),
    ("admin_a", "post", "/filings/", _open()),
    ("office", "post", "/filings/{filing_b}/approve/", {}),
    ("office", "post", "/filings/{filing_b}/reject/", {"note": "不符合要求"}),
    ("office", "post", "/filings/{filing_b}/withdraw/", {}),
    ("admin_a", "post", "/metrics/", {"media_account": "{account_a}", "date": "2024-01-01"}),
    (
        "office",
        "post",
        "/campaigns/",
        {"name": "新行动", "self_inspection_due": "2999-01-01", "closure_due": "2999-02-01"},
    ),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"need_reason": "发布"}),
    ("office", "post", "/meetings/", {"campaign": "{campaign}", "held_on": "2024-01-01", "attendees": "甲"}),
    ("office", "patch", "/meetings/{meeting}/", {"attendees": "乙"}),
    (
        "office",
        "post",
        "/decisions/",
        {"meeting": "{meeting}", "self_inspection": "{inspection_a}", "outcome": "retain"},
    ),
    ("admin_a", "post", "/closure-orders/{order_a}/confirm/", {"note": "已关停"}),
    ("office", "post", "/closure-orders/{order_a}/reject/", {"note": "未见公告"}),
    ("office", "post", "/inspection-runs/", {}),
    ("office", "patch", "/inspection-rules/{rule}/", {"enabled": False}),
    ("office", "post", "/findings/{finding_a}/waive/", {"reason": "合理"}),
    ("admin_a", "post", "/notices/{notice_a}/respond/", {"response": "已整改"}),
    ("office", "post", "/notices/{notice_a}/return/", {"note": "未整改"}),
]
WRITE_IDS = [f"{method} {path}" for _who, method, path, _body in WRITES]

# Bodies that are not the JSON object of any endpoint (each sent to every one).
NOT_AN_OBJECT = [
    b'{"name": ',  # truncated
    b"{'name': 'single quotes'}",
    b"\xff\xfe\x00garbage",  # not UTF-8
    b'"just a string"',
    b"12",
    b"null",
    b"[[1, 2], {}]",
    b'{"a": ' * 5000 + b"1" + b"}" * 5000,  # nested deeper than the decoder goes
]


@pytest.mark.parametrize(("who", "method", "path", "good"), WRITES, ids=WRITE_IDS)
def test_it_refuses_a_body_that_is_not_a_json_object(clients, world, who, method, path, good):
    path = path.format(**_ids(world))
    for body in NOT_AN_OBJECT:
        with unchanged():
            response = _send(clients[who], method, path, body)
        assert response.status_code == 400, (body[:30], response.status_code, response.content[:300])
        answer = response.json()
        assert answer["detail"] and answer["code"] in ("parse_error", "invalid"), (body[:30], answer)
    with unchanged():
        response = getattr(clients[who], method)(
            API + path, "<xml>name</xml>", content_type="application/xml"
        )
    assert response.status_code == 415, (response.status_code, response.content[:300])
    assert response.json()["code"] == "unsupported_media_type"


# One endpoint of each kind: a ten-megabyte body is costly to send, and refused the same way by all.
HUGE_BODY_WRITES = [WRITES[i] for i in (0, 1, 5, 7, 11, 16)]


@pytest.mark.parametrize(
    ("who", "method", "path", "good"), HUGE_BODY_WRITES, ids=[f"{m} {p}" for _w, m, p, _b in HUGE_BODY_WRITES]
)
def test_it_refuses_a_ten_megabyte_body(clients, world, who, method, path, good):
    ids = _ids(world)
    body = json.dumps({**_filled(good, ids), "note": TEN_MB, "reason": TEN_MB}, ensure_ascii=False).encode()
    with unchanged():
        response = _send(clients[who], method, path.format(**ids), body)
    assert response.status_code == 400, (response.status_code, response.content[:300])
    answer = response.json()
    assert answer["detail"] and answer["code"] in ("too_large", "invalid"), answer


def _filled(value, ids):
    """The body with its "{name}" placeholders replaced by the world's ids (as numbers)."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {key: _filled(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, ids) for item in value]
    return value


# (persona, method, path, body, the field the answer must name)
BAD_VALUES = [
    # The token endpoint
    ("anonymous", "post", "/auth/token/", {}, "username"),
    ("anonymous", "post", "/auth/token/", {"username": ["a"], "password": "x"}, "username"),
    ("anonymous", "post", "/auth/token/", {"username": "a", "password": {"x": 1}}, "password"),
    (
        "anonymous",
        "post",
        "/auth/token/",
        {"username": "a", "password": "x", "expires_at": "soon"},
        "expires_at",
    ),
    # Filings
    ("admin_a", "post", "/filings/", {}, "kind"),
    ("admin_a", "post", "/filings/", {"kind": "explode"}, "kind"),
    ("admin_a", "post", "/filings/", {"kind": ["open"]}, "kind"),
    ("admin_a", "post", "/filings/", {"kind": "open"}, "account"),
    ("admin_a", "post", "/filings/", {"kind": "open", "account": "新号"}, "account"),
    ("admin_a", "post", "/filings/", _open(department="abc"), "account.department"),
    ("admin_a", "post", "/filings/", _open(department=HUGE_INT), "account.department"),
    ("admin_a", "post", "/filings/", _open(department=None), "account.department"),
    ("admin_a", "post", "/filings/", _open(name=None), "account.name"),
    ("admin_a", "post", "/filings/", _open(name={"zh": "新号"}), "account.name"),
    ("admin_a", "post", "/filings/", _open(name="号" * 101), "account.name"),
    ("admin_a", "post", "/filings/", _open(platform="myspace"), "account.platform"),
    ("admin_a", "post", "/filings/", _open(platform_uid=["a", "b"]), "account.platform_uid"),
    ("admin_a", "post", "/filings/", _open(url="javascript:alert(1)"), "account.url"),
    ("admin_a", "post", "/filings/", _open(verified="maybe"), "account.verified"),
    ("admin_a", "post", "/filings/", _open(functions="info"), "account.functions"),
    ("admin_a", "post", "/filings/", _open(functions=["gossip"]), "account.functions"),
    ("admin_a", "post", "/filings/", _open(operators="张三"), "account.operators"),
    (
        "admin_a",
        "post",
        "/filings/",
        _open(operators=[{"name": "张三", "employment": "volunteer"}]),
        "account.operators[0].employment",
    ),
    ("admin_a", "post", "/filings/", _open(operators=[{"employment": "staff"}]), "account.operators[0].name"),
    ("admin_a", "post", "/filings/", {**_open(), "reason": ["a", "b"]}, "reason"),
    (
        "admin_a",
        "post",
        "/filings/",
        {"kind": "change", "media_account": "abc", "changes": {}},
        "media_account",
    ),
    (
        "admin_a",
        "post",
        "/filings/",
        {"kind": "change", "media_account": "{account_a}", "changes": {"status": "closed"}},
        "changes.status",
    ),
    (
        "admin_a",
        "post",
        "/filings/",
        {"kind": "change", "media_account": "{account_a}", "changes": "everything"},
        "changes",
    ),
    (
        "admin_a",
        "post",
        "/filings/",
        {"kind": "change", "media_account": "{account_a}", "changes": {"name": ""}},
        "changes.name",
    ),
    ("admin_a", "post", "/filings/", {"kind": "close", "media_account": "{account_a}"}, "reason"),
    (
        "admin_a",
        "post",
        "/filings/",
        {"kind": "close", "media_account": "{account_a}", "reason": "撤并", "successor": UNKNOWN_ID},
        "successor",
    ),
    (
        "admin_a",
        "post",
        "/filings/",
        {"kind": "close", "media_account": "{account_a}", "reason": "撤并", "notice_url": "not a url"},
        "notice_url",
    ),
    ("office", "post", "/filings/{filing_b}/approve/", {"note": ["a"]}, "note"),
    ("office", "post", "/filings/{filing_b}/reject/", {"note": {"text": "不符合"}}, "note"),
    # Daily figures: one row, then a list with one bad row among good ones
    ("admin_a", "post", "/metrics/", {}, "media_account"),
    ("admin_a", "post", "/metrics/", [], "rows"),
    ("admin_a", "post", "/metrics/", {"media_account": "abc", "date": "2024-01-01"}, "media_account"),
    ("admin_a", "post", "/metrics/", {"media_account": 1.5, "date": "2024-01-01"}, "media_account"),
    ("admin_a", "post", "/metrics/", {"media_account": HUGE_INT, "date": "2024-01-01"}, "media_account"),
    ("admin_a", "post", "/metrics/", [{"media_account": -1, "date": "2024-01-01"}], "rows[0].media_account"),
    ("admin_a", "post", "/metrics/", {"media_account": "{account_a}", "date": "99999-01-01"}, "date"),
    ("admin_a", "post", "/metrics/", {"media_account": "{account_a}", "date": "2024-02-30"}, "date"),
    ("admin_a", "post", "/metrics/", {"media_account": "{account_a}", "date": "9999-12-31"}, "date"),
    ("admin_a", "post", "/metrics/", {"media_account": "{account_a}", "date": 20240101}, "date"),
    (
        "admin_a",
        "post",
        "/metrics/",
        {"media_account": "{account_a}", "date": "2024-01-01", "reads": HUGE_INT},
        "reads",
    ),
    (
        "admin_a",
        "post",
        "/metrics/",
        {"media_account": "{account_a}", "date": "2024-01-01", "posts": 2**31},
        "posts",
    ),
    (
        "admin_a",
        "post",
        "/metrics/",
        {"media_account": "{account_a}", "date": "2024-01-01", "likes": -1},
        "likes",
    ),
    (
        "admin_a",
        "post",
        "/metrics/",
        {"media_account": "{account_a}", "date": "2024-01-01", "likes": "12"},
        "likes",
    ),
    (
        "admin_a",
        "post",
        "/metrics/",
        {"media_account": "{account_a}", "date": "2024-01-01", "likes": 1.5},
        "likes",
    ),
    (
        "admin_a",
        "post",
        "/metrics/",
        {"media_account": "{account_a}", "date": "2024-01-01", "likes": True},
        "likes",
    ),
    ("admin_a", "post", "/metrics/", {"media_account": "{account_a}", "date": "2024-01-01", "id": 7}, "id"),
    (
        "admin_a",
        "post",
        "/metrics/",
        [
            {"media_account": "{account_a}", "date": "2024-01-01", "followers": 5},
            {"media_account": "{account_a}", "date": "2024-01-02", "followers": None},
        ],
        "rows[1].followers",
    ),
    (
        "admin_a",
        "post",
        "/metrics/",
        [{"media_account": "{account_a}", "date": "2024-01-01"}, "row"],
        "rows[1]",
    ),
    # Campaigns
    ("office", "post", "/campaigns/", {}, "name"),
    (
        "office",
        "post",
        "/campaigns/",
        {"name": "行", "self_inspection_due": "99999-01-01", "closure_due": "2999-01-01"},
        "self_inspection_due",
    ),
    (
        "office",
        "post",
        "/campaigns/",
        {"name": "行", "self_inspection_due": "2999-01-01", "closure_due": "2998-01-01"},
        "closure_due",
    ),
    (
        "office",
        "post",
        "/campaigns/",
        {"name": "行" * 201, "self_inspection_due": "2999-01-01", "closure_due": "2999-01-01"},
        "name",
    ),
    (
        "office",
        "post",
        "/campaigns/",
        {"name": "行", "self_inspection_due": "2999-01-01", "closure_due": "2999-02-01", "scope": "all"},
        "scope",
    ),
    (
        "office",
        "post",
        "/campaigns/",
        {
            "name": "行",
            "self_inspection_due": "2999-01-01",
            "closure_due": "2999-02-01",
            "scope": {"departments": ["abc"]},
        },
        "scope.departments",
    ),
    (
        "office",
        "post",
        "/campaigns/",
        {
            "name": "行",
            "self_inspection_due": "2999-01-01",
            "closure_due": "2999-02-01",
            "scope": {"departments": [HUGE_INT]},
        },
        "scope.departments",
    ),
    (
        "office",
        "post",
        "/campaigns/",
        {
            "name": "行",
            "self_inspection_due": "2999-01-01",
            "closure_due": "2999-02-01",
            "scope": {"departments": [UNKNOWN_ID]},
        },
        "scope.departments",
    ),
    (
        "office",
        "post",
        "/campaigns/",
        {
            "name": "行",
            "self_inspection_due": "2999-01-01",
            "closure_due": "2999-02-01",
            "scope": {"platforms": ["myspace"]},
        },
        "scope.platforms",
    ),
    (
        "office",
        "post",
        "/campaigns/",
        {
            "name": "行",
            "self_inspection_due": "2999-01-01",
            "closure_due": "2999-02-01",
            "scope": {"colour": ["red"]},
        },
        "scope.colour",
    ),
    # Self-inspections
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"has_need": "perhaps"}, "has_need"),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"staff_count": "abc"}, "staff_count"),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"staff_count": -1}, "staff_count"),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"staff_count": HUGE_INT}, "staff_count"),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"proposal": "explode"}, "proposal"),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"run_by": ["staff"]}, "run_by"),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"merge_target": "abc"}, "merge_target"),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"merge_target": UNKNOWN_ID}, "merge_target"),
    (
        "admin_a",
        "patch",
        "/self-inspections/{inspection_a}/",
        {"merge_target": "{account_a}"},
        "merge_target",
    ),
    ("admin_a", "patch", "/self-inspections/{inspection_a}/", {"status": "decided"}, "status"),
    # Meetings
    ("office", "post", "/meetings/", {}, "campaign"),
    (
        "office",
        "post",
        "/meetings/",
        {"campaign": "abc", "held_on": "2024-01-01", "attendees": "甲"},
        "campaign",
    ),
    (
        "office",
        "post",
        "/meetings/",
        {"campaign": UNKNOWN_ID, "held_on": "2024-01-01", "attendees": "甲"},
        "campaign",
    ),
    (
        "office",
        "post",
        "/meetings/",
        {"campaign": "{campaign}", "held_on": "99999-01-01", "attendees": "甲"},
        "held_on",
    ),
    (
        "office",
        "post",
        "/meetings/",
        {"campaign": "{campaign}", "held_on": "2024-01-01", "attendees": None},
        "attendees",
    ),
    ("office", "patch", "/meetings/{meeting}/", {"campaign": 1}, "campaign"),
    ("office", "patch", "/meetings/{meeting}/", {"held_on": "yesterday"}, "held_on"),
    # Decisions
    ("office", "post", "/decisions/", {}, "self_inspection"),
    ("office", "post", "/decisions/", [], "items"),
    ("office", "post", "/decisions/", {"items": "all"}, "items"),
    (
        "office",
        "post",
        "/decisions/",
        {"meeting": "{meeting}", "items": [{"self_inspection": UNKNOWN_ID, "outcome": "close"}]},
        "items[0].self_inspection",
    ),
    (
        "office",
        "post",
        "/decisions/",
        {"meeting": "{meeting}", "items": [{"self_inspection": "{inspection_a}", "outcome": "explode"}]},
        "items[0].outcome",
    ),
    (
        "office",
        "post",
        "/decisions/",
        {"meeting": UNKNOWN_ID, "self_inspection": "{inspection_a}", "outcome": "retain"},
        "meeting",
    ),
    (
        "office",
        "post",
        "/decisions/",
        {
            "meeting": "{meeting}",
            "self_inspection": "{inspection_a}",
            "outcome": "close",
            "deadline": "99999-01-01",
        },
        "deadline",
    ),
    (
        "office",
        "post",
        "/decisions/",
        {
            "meeting": "{meeting}",
            "self_inspection": "{inspection_a}",
            "outcome": "merge",
            "merge_target": HUGE_INT,
        },
        "merge_target",
    ),
    # Closure orders
    ("admin_a", "post", "/closure-orders/{order_a}/confirm/", {"evidence_url": "not a url"}, "evidence_url"),
    (
        "admin_a",
        "post",
        "/closure-orders/{order_a}/confirm/",
        {"evidence_url": "https://a.cn/" + "a" * 500},
        "evidence_url",
    ),
    ("admin_a", "post", "/closure-orders/{order_a}/confirm/", {"merge_target": UNKNOWN_ID}, "merge_target"),
    ("admin_a", "post", "/closure-orders/{order_a}/confirm/", {"note": {"text": "已关停"}}, "note"),
    ("office", "post", "/closure-orders/{order_a}/reject/", {}, "note"),
    ("office", "post", "/closure-orders/{order_a}/verify/", {"note": [1]}, "note"),
    # Inspections
    ("office", "post", "/inspection-runs/", {"inspection_date": "99999-01-01"}, "inspection_date"),
    ("office", "post", "/inspection-runs/", {"inspection_date": "9999-12-31"}, "inspection_date"),
    ("office", "post", "/inspection-runs/", {"inspection_date": "today"}, "inspection_date"),
    ("office", "post", "/inspection-runs/", {"inspection_date": "0001-01-01"}, "inspection_date"),
    ("office", "patch", "/inspection-rules/{rule}/", {"severity": "deadly"}, "severity"),
    ("office", "patch", "/inspection-rules/{rule}/", {"enabled": "perhaps"}, "enabled"),
    ("office", "patch", "/inspection-rules/{rule}/", {"thresholds": "high"}, "thresholds"),
    ("office", "patch", "/inspection-rules/{rule}/", {"thresholds": {"days": "abc"}}, "thresholds"),
    ("office", "patch", "/inspection-rules/{rule}/", {"thresholds": {"days": -3}}, "thresholds"),
    ("office", "patch", "/inspection-rules/{rule}/", {"thresholds": {"days": HUGE_INT}}, "thresholds"),
    ("office", "patch", "/inspection-rules/{rule}/", {"thresholds": {"nonsense": 1}}, "thresholds"),
    ("office", "patch", "/inspection-rules/{rule}/", {"code": "no_update"}, "code"),
    ("office", "post", "/findings/{finding_a}/waive/", {}, "reason"),
    ("office", "post", "/findings/{finding_a}/waive/", {"reason": "理" * 2001}, "reason"),
    ("admin_a", "post", "/notices/{notice_a}/respond/", {}, "response"),
    ("admin_a", "post", "/notices/{notice_a}/respond/", {"response": None}, "response"),
    ("admin_a", "post", "/notices/{notice_a}/respond/", {"response": "改" * 5001}, "response"),
    ("office", "post", "/notices/{notice_a}/return/", {"note": ""}, "note"),
]


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "field"),
    BAD_VALUES,
    ids=[f"{method} {path} {field}" for _who, method, path, _body, field in BAD_VALUES],
)
def test_it_names_the_bad_field_and_writes_nothing(clients, world, who, method, path, body, field):
    ids = _ids(world)
    with unchanged():
        response = _send(clients[who], method, path.format(**ids), _filled(body, ids))
    assert_names(response, field)


@pytest.mark.parametrize(
    "week", ["abc", "99999-01-01", "0001-01-01", "9999-12-31", "2024-13-01", "2999-01-01"]
)
def test_it_refuses_a_bad_week_to_compute(clients, world, week):
    with unchanged():
        response = clients["office"].post(f"{API}/rankings/compute/?week={week}")
    assert_names(response, "week")


# Another department's objects, and ids in bodies: told exactly as an unknown id -----------------

# (method, path of department B's object, body): admin_a must get the 404 an unknown id gets.
FOREIGN_OBJECTS = [
    ("post", "/filings/{filing_b}/withdraw/", {}),
    ("patch", "/self-inspections/{inspection_b}/", {"need_reason": "发布"}),
    ("post", "/self-inspections/{inspection_b}/submit/", {}),
    ("post", "/closure-orders/{order_b}/confirm/", {"note": "已关停"}),
    ("post", "/findings/{finding_b}/waive/", {"reason": "合理"}),
    ("post", "/notices/{notice_b}/respond/", {"response": "已整改"}),
]


@pytest.mark.parametrize(
    ("method", "path", "body"), FOREIGN_OBJECTS, ids=[p for _m, p, _b in FOREIGN_OBJECTS]
)
def test_it_answers_another_departments_object_as_unknown(clients, world, method, path, body):
    ids = _ids(world)
    unknown_ids = {name: UNKNOWN_ID for name in ids}
    with unchanged():
        foreign = _send(clients["admin_a"], method, path.format(**ids), body)
        unknown = _send(clients["admin_a"], method, path.format(**unknown_ids), body)
    assert_not_found(foreign)
    assert foreign.json() == unknown.json()


def _change(account) -> dict:
    return {"kind": "change", "media_account": account, "changes": {"name": "新名"}, "reason": "更名"}


def _close(account) -> dict:
    return {"kind": "close", "media_account": account, "reason": "撤并"}


# (path, the body naming an id, the field the answer names)
FOREIGN_IDS = [
    ("/filings/", lambda pk: _open(department=pk), "account.department"),
    ("/filings/", _change, "media_account"),
    ("/filings/", _close, "media_account"),
    ("/metrics/", lambda pk: {"media_account": pk, "date": "2024-01-01"}, "media_account"),
    ("/metrics/", lambda pk: [{"media_account": pk, "date": "2024-01-01"}], "rows[0].media_account"),
]


@pytest.mark.parametrize(("path", "body", "field"), FOREIGN_IDS, ids=[f for _p, _b, f in FOREIGN_IDS])
def test_it_answers_another_departments_id_in_a_body_as_unknown(
    clients, world, department_b, path, body, field
):
    foreign_id = department_b.pk if field == "account.department" else world["account_b"].pk
    ids = _ids(world)
    with unchanged():
        foreign = _send(clients["admin_a"], "post", path, _filled(body(foreign_id), ids))
        unknown = _send(clients["admin_a"], "post", path, _filled(body(UNKNOWN_ID), ids))
    assert_names(foreign, field)
    assert_names(unknown, field)
    # The same words, whichever id was sent: nothing tells that department B's exists.
    said = json.dumps(foreign.json(), ensure_ascii=False).replace(str(foreign_id), "<id>")
    assert said == json.dumps(unknown.json(), ensure_ascii=False).replace(str(UNKNOWN_ID), "<id>")
