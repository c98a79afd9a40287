"""The audit trail page (操作日志) and its exports: who sees what, the filters, the readable changes,
the spreadsheets, and a query count that does not grow with the events."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.urls import reverse

from audits.trail.services import _append, _event, record
from tests.permission_matrix import check_matrix

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("test_actions")]

LIST = reverse("audit_event_list")
XLSX = reverse("audit_event_export_xlsx")
CSV = reverse("audit_event_export_csv")
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def events(office_admin, admin_a, admin_b, department_a, department_b):
    return {
        "a": record(
            "test.thing.changed",
            actor=admin_a,
            target=department_a,
            changes={"before": {"name": "旧名称"}, "after": {"name": '=HYPERLINK("x")'}},
        ),
        "b": record(
            "test.thing.created", actor=admin_b, target=department_b, changes={"after": {"name": "乙"}}
        ),
        "office": record("test.other", actor=office_admin, department_id=department_a.pk),
    }


def _ids(response) -> set[int]:
    return {row.event.pk for row in response.context["rows"]}


def test_it_answers_the_page_and_the_exports_for_every_persona(client_for, personas, events):
    for url in (LIST, XLSX, CSV):
        check_matrix(
            client_for,
            personas,
            "get",
            url,
            office=200,
            auditor=200,
            admin_a=200,
            admin_b=200,
            admin_gov=200,
            anonymous=302,
        )
    response = client_for(None).get(LIST)
    assert reverse("login") in response["Location"]


def test_it_scopes_the_page_and_the_exports_by_department(client_for, office_admin, auditor, admin_b, events):
    for user in (office_admin, auditor):
        seen = _ids(client_for(user).get(LIST, {"action": "test"}))
        assert seen == {event.pk for event in events.values()}
    seen = _ids(client_for(admin_b).get(LIST, {"action": "test"}))
    assert seen == {events["b"].pk}
    body = client_for(admin_b).get(CSV).getvalue().decode("utf-8-sig")
    assert "旧名称" not in body and "test.other" not in body


def test_it_refuses_a_department_outside_the_scope(client_for, admin_b, department_a, events):
    response = client_for(admin_b).get(LIST, {"department": department_a.pk})
    assert response.context["filter"].form.errors
    assert not _ids(response)
    assert client_for(admin_b).get(XLSX, {"department": department_a.pk}).status_code == 400


def test_it_filters_by_actor_department_action_object_and_days(
    client_for, office_admin, admin_a, department_a, department_b, events
):
    client = client_for(office_admin)
    assert _ids(client.get(LIST, {"actor": admin_a.username.upper()[1:], "action": "test"})) == {
        events["a"].pk
    }
    assert _ids(client.get(LIST, {"department": department_b.pk, "action": "test"})) == {events["b"].pk}
    assert _ids(client.get(LIST, {"action": "test.thing"})) == {events["a"].pk, events["b"].pk}
    assert _ids(client.get(LIST, {"action": "test.thing.created"})) == {events["b"].pk}
    assert _ids(client.get(LIST, {"action": "test.thin"})) == set()
    assert _ids(
        client.get(
            LIST, {"object_type": "registry.department", "object_id": department_a.pk, "action": "test"}
        )
    ) == {events["a"].pk}
    today = datetime.datetime.now(SHANGHAI).date()
    assert len(_ids(client.get(LIST, {"date_from": today, "date_to": today, "action": "test"}))) == 3
    tomorrow = today + datetime.timedelta(days=1)
    yesterday = today - datetime.timedelta(days=1)
    assert _ids(client.get(LIST, {"date_from": tomorrow, "action": "test"})) == set()
    assert _ids(client.get(LIST, {"date_to": yesterday, "action": "test"})) == set()


def test_it_counts_days_in_beijing_time(client_for, office_admin, events):
    # 2026-03-01 23:30 in Beijing is still 2026-03-01 there, though 15:30 UTC.
    late = datetime.datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI)
    # The trail is append-only: a new event, written with that time through the chain.
    late_event = _event("test.late", actor=None, target=None, department_id=None, changes=None)
    late_event.at = late
    _append([late_event])
    client = client_for(office_admin)
    assert _ids(
        client.get(LIST, {"action": "test.late", "date_from": "2026-03-01", "date_to": "2026-03-01"})
    ) == {late_event.pk}
    assert _ids(client.get(LIST, {"action": "test.late", "date_from": "2026-03-02"})) == set()


def test_it_shows_the_changes_readably_newest_first(client_for, office_admin, events):
    response = client_for(office_admin).get(LIST, {"action": "test"})
    rows = response.context["rows"]
    assert [row.event.pk for row in rows] == [events["office"].pk, events["b"].pk, events["a"].pk]
    changed = next(row for row in rows if row.event.pk == events["a"].pk)
    assert [(line.before, line.after) for line in changed.changes] == [("旧名称", '=HYPERLINK("x")')]
    html = response.content.decode()
    assert "<del>旧名称</del> →" in html
    assert 'data-testid="trail-export-xlsx"' in html


def test_it_paginates_by_fifty(client_for, office_admin, department_a):
    for number in range(55):
        record("test.bulk", actor=None, department_id=department_a.pk, changes={"after": {"n": number}})
    client = client_for(office_admin)
    assert len(client.get(LIST, {"action": "test.bulk"}).context["rows"]) == 50
    assert len(client.get(LIST, {"action": "test.bulk", "page": 2}).context["rows"]) == 5


def test_it_stops_counting_a_long_trail_and_still_pages_and_exports_all_of_it(
    client_for, office_admin, department_a, monkeypatch
):
    monkeypatch.setattr("audits.trail.views.COUNT_CAP", 60)
    for number in range(120):
        record("test.bulk", actor=None, department_id=department_a.pk, changes={"after": {"n": number}})
    client = client_for(office_admin)

    first = client.get(LIST, {"action": "test.bulk"})
    assert "日志：超过 60 条" in first.text and "末页" not in first.text
    # Paging stops a row past the cap: the 51st to 61st newest, and no page after them.
    second = client.get(LIST, {"action": "test.bulk", "page": 2})
    assert len(second.context["rows"]) == 11 and not second.context["page"].has_next()
    body = b"".join(client.get(CSV, {"action": "test.bulk"}).streaming_content).decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(body)))) == 1 + 120


def test_it_exports_xlsx_with_chinese_headers_and_no_formulas(
    client_for, office_admin, admin_a, admin_b, events, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client_for(office_admin).get(XLSX, {"action": "test.thing"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == [
        "时间",
        "操作人",
        "操作",
        "对象类型",
        "对象编号",
        "对象",
        "单位",
        "变更内容",
        "IP",
        "请求编号",
    ]
    assert len(rows) == 3
    assert rows[1][1] == admin_b.username and rows[2][1] == admin_a.username
    assert rows[2][3] == "单位"
    assert "旧名称" in rows[2][7]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"


def test_it_exports_csv_formula_safe(client_for, office_admin, department_a):
    record("test.csv", actor=None, target=department_a, changes={"after": {"name": "x"}})
    event = _event("test.csv", actor=None, target=None, department_id=department_a.pk, changes=None)
    event.object_repr = "=cmd|'/c calc'!A1"
    _append([event])
    response = client_for(office_admin).get(CSV, {"action": "test.csv"})
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 3
    assert rows[1][5] == "'=cmd|'/c calc'!A1"


@pytest.mark.parametrize("count", [10, 100])
def test_it_keeps_the_query_count_constant(
    client_for, office_admin, admin_a, department_a, count, django_assert_max_num_queries
):
    for _number in range(count):
        record(
            "test.many",
            actor=admin_a,
            target=department_a,
            changes={"before": {"department": department_a.pk}, "after": {"department": department_a.pk}},
        )
    client = client_for(office_admin)
    with django_assert_max_num_queries(12):
        assert client.get(LIST, {"action": "test.many"}).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(XLSX, {"action": "test.many"}).status_code == 200


def test_it_links_the_trail_in_the_navigation(client_for, personas):
    for name, user in personas.items():
        if user is not None:
            assert f'href="{LIST}"' in client_for(user).get(reverse("home")).content.decode(), name


def test_it_offers_the_declared_actions_and_kinds_as_choices_in_chinese(client_for, office_admin, events):
    response = client_for(office_admin).get(LIST, HTTP_ACCEPT_LANGUAGE="zh-hans")
    form = response.context["filter"].form
    html = response.text
    # Choices of what the trail records, by their Chinese names: no codes to type.
    assert (
        '<optgroup label="备案">' in html
        and '<option value="registry.filing.approved">备案批准</option>' in html
    )
    assert '<option value="registry.mediaaccount">政务新媒体账号</option>' in html
    assert form.fields["action"].widget.input_type == "select"
    assert form.fields["object_type"].widget.input_type == "select"
    refused = client_for(office_admin).get(LIST, {"action": "registry.filing.aproved"})
    assert refused.context["filter"].form.errors["action"] and not refused.context["rows"]


def test_it_shows_each_object_by_its_name_under_its_kind(client_for, office_admin, department_a, events):
    response = client_for(office_admin).get(
        LIST, {"action": "test.thing.changed"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    table = response.text[response.text.index('data-testid="trail"') :]
    assert "区教育局" in table and "registry.department" not in table
    row = response.context["rows"][0]
    assert (row.kind, row.object_name) == ("单位", "区教育局")
