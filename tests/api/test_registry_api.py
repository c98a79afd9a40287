"""Reading the registry over the API: departments, media accounts, filings, and the exports."""

import csv
import io
import urllib.parse

import openpyxl
import pytest
from django.utils import timezone

from registry.choices import DepartmentKind, MediaAccountStatus, Platform

API = "/api/v1"


@pytest.fixture
def accounts(department_a, sub_unit_a, department_b, file_account):
    """Five accounts: three of A (one of its sub-unit, one still pending), two of B."""
    return {
        "a_wechat": file_account(
            department_a,
            name="教育发布",
            operators=[{"name": "张三", "phone": "13800000000", "employment": "staff"}],
        ),
        "a_weibo": file_account(department_a, name="教育微博", platform=Platform.WEIBO),
        "a_pending": file_account(sub_unit_a, name="招生在线", platform=Platform.DOUYIN, approve=False),
        "b_wechat": file_account(department_b, name="健康发布"),
        "b_douyin": file_account(department_b, name="健康抖音", platform=Platform.DOUYIN),
    }


def _ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_it_lists_the_departments_a_department_admin_may_see(api_for, admin_a, department_a, sub_unit_a):
    response = api_for(admin_a).get(f"{API}/departments/")
    assert _ids(response) == [department_a.pk, sub_unit_a.pk]  # in the official order
    assert response.json()["results"][0] == {
        "id": department_a.pk,
        "code": "edu",
        "name": "区教育局",
        "kind": DepartmentKind.DISTRICT_DEPARTMENT,
        "parent": None,
        "sort_order": 1,
        "first_responsible_person": "",
        "contact_name": "",
        "contact_phone": "",
        "is_active": True,
    }


def test_it_filters_departments_with_the_shared_filterset(
    api_for, office_admin, government, department_a, sub_unit_a, department_b
):
    client = api_for(office_admin)
    assert _ids(client.get(f"{API}/departments/", {"q": "卫生"})) == [department_b.pk]
    assert _ids(client.get(f"{API}/departments/", {"kind": DepartmentKind.DISTRICT_GOVERNMENT})) == [
        government.pk
    ]
    assert _ids(client.get(f"{API}/departments/", {"parent": department_a.pk})) == [sub_unit_a.pk]


def test_it_shows_a_media_account_with_its_department_and_operators(api_for, admin_a, accounts):
    account = accounts["a_wechat"]
    data = api_for(admin_a).get(f"{API}/media-accounts/{account.pk}/").json()
    assert data["department"] == account.department_id and data["department_name"] == "区教育局"
    assert data["status"] == MediaAccountStatus.ACTIVE and data["filing_number"] == account.filing_number
    assert data["operators"] == [{"name": "张三", "phone": "13800000000", "employment": "staff"}]
    assert data["opened_on"] == timezone.localdate().isoformat() and data["closed_on"] is None


def test_it_lists_only_the_media_accounts_in_scope(api_for, admin_a, admin_b, accounts):
    own = {accounts[key].pk for key in ("a_wechat", "a_weibo", "a_pending")}
    assert set(_ids(api_for(admin_a).get(f"{API}/media-accounts/"))) == own
    assert set(_ids(api_for(admin_b).get(f"{API}/media-accounts/"))) == {
        accounts["b_wechat"].pk,
        accounts["b_douyin"].pk,
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"platform": Platform.DOUYIN}, ["a_pending", "b_douyin"]),
        ({"status": MediaAccountStatus.PENDING}, ["a_pending"]),
        ({"q": "健康"}, ["b_wechat", "b_douyin"]),
        ({"department_kind": DepartmentKind.OTHER}, ["a_pending"]),
        ({"department": "department_b"}, ["b_wechat", "b_douyin"]),
    ],
)
def test_it_filters_media_accounts(api_for, office_admin, department_b, accounts, query, expected):
    if query.get("department") == "department_b":
        query = {"department": department_b.pk}
    found = _ids(api_for(office_admin).get(f"{API}/media-accounts/", query))
    assert set(found) == {accounts[key].pk for key in expected}


def test_it_sorts_media_accounts_as_asked(api_for, office_admin, accounts):
    names = [
        row["name"]
        for row in api_for(office_admin)
        .get(f"{API}/media-accounts/", {"ordering": "-name"})
        .json()["results"]
    ]
    assert names == sorted(names, reverse=True)


@pytest.mark.parametrize("ordering", ["", "platform", "-status", "department"])
def test_it_pages_through_every_account_exactly_once(api_for, office_admin, accounts, ordering):
    client, seen, url = api_for(office_admin), [], f"{API}/media-accounts/?page_size=2&ordering={ordering}"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(account.pk for account in accounts.values())


def test_it_refuses_a_bad_filter_value_naming_it(api_for, office_admin, accounts):
    response = api_for(office_admin).get(f"{API}/media-accounts/", {"platform": "myspace"})
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["platform"]


def test_it_lists_filings_newest_first_with_a_summary_of_the_account(
    api_for, admin_a, accounts, department_a
):
    results = api_for(admin_a).get(f"{API}/filings/").json()["results"]
    assert [row["media_account"] for row in results] == [
        accounts["a_pending"].pk,
        accounts["a_weibo"].pk,
        accounts["a_wechat"].pk,
    ]
    assert results[0]["account"] == {
        "id": accounts["a_pending"].pk,
        "name": "招生在线",
        "platform": Platform.DOUYIN,
        "department": accounts["a_pending"].department_id,
        "department_name": "区教育局招生办",
    }
    assert results[1]["decided_by"] == "office" and results[0]["decided_by"] is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "submitted"}, ["a_pending"]),
        ({"kind": "open", "department": "department_b"}, ["b_wechat", "b_douyin"]),
        ({"media_account": "a_weibo"}, ["a_weibo"]),
    ],
)
def test_it_filters_filings(api_for, office_admin, department_b, accounts, query, expected):
    if "department" in query:
        query = {**query, "department": department_b.pk}
    if "media_account" in query:
        query = {"media_account": accounts[query["media_account"]].pk}
    results = api_for(office_admin).get(f"{API}/filings/", query).json()["results"]
    assert {row["media_account"] for row in results} == {accounts[key].pk for key in expected}


# Exports -----------------------------------------------------------------------------------------


def _content(response) -> bytes:
    assert response.streaming, "an export is streamed, never held whole in memory"
    return b"".join(response.streaming_content)


def _filename(response) -> str:
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    encoded = disposition.split("filename*=utf-8''", 1)[1]
    return urllib.parse.unquote(encoded)


def test_it_exports_the_filtered_list_as_an_xlsx_file(api_for, admin_b, accounts):
    response = api_for(admin_b).get(f"{API}/media-accounts/", {"format": "xlsx", "platform": Platform.DOUYIN})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert _filename(response).endswith(f"备案登记表-{timezone.localdate():%Y%m%d}.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(_content(response))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and B's one Douyin account, not A's
    assert "健康抖音" in rows[1] and accounts["b_douyin"].filing_number in rows[1]


def test_it_exports_every_row_not_one_page(api_for, office_admin, accounts):
    response = api_for(office_admin).get(f"{API}/media-accounts/", {"format": "csv", "page_size": 1})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert _filename(response).endswith(f"备案登记表-{timezone.localdate():%Y%m%d}.csv")
    rows = list(csv.reader(io.StringIO(_content(response).decode("utf-8-sig"))))
    assert len(rows) == 1 + len(accounts)
    assert {account.name for account in accounts.values()} <= {cell for row in rows for cell in row}


def test_it_answers_errors_of_an_export_as_json(api_for, office_admin):
    anonymous = api_for().get(f"{API}/media-accounts/", {"format": "xlsx"})
    assert anonymous.status_code == 401 and anonymous["Content-Type"] == "application/json"
    assert anonymous.json()["code"] == "not_authenticated"
    bad = api_for(office_admin).get(f"{API}/media-accounts/", {"format": "csv", "status": "nope"})
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["status"]


def test_it_exports_lists_only_not_single_accounts(api_for, office_admin, accounts):
    response = api_for(office_admin).get(
        f"{API}/media-accounts/{accounts['a_wechat'].pk}/", {"format": "xlsx"}
    )
    assert response.status_code == 404


def test_it_answers_an_api_url_nothing_serves_in_the_error_shape(api_for, office_admin, client_for):
    # The router takes no dot in an id, so no view sees this request: the URL resolver answers.
    response = api_for(office_admin).get(f"{API}/media-accounts/1.5/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["code"] == "not_found"
    page = client_for(office_admin).get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
