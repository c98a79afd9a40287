"""Every registry endpoint for every persona (docs/design.md §6): out of scope is 404, never 403;
without credentials 401; a role that may not act on what it sees 403; public verification 200."""

import pytest

from registry.choices import Platform
from tests.conftest import account_filer
from tests.permission_matrix import check_matrix
from tests.shared_district import *  # noqa: F403  (the fixtures, by name)

API = "/api/v1"


@pytest.fixture(scope="module", autouse=True)
def shared_world(shared_district, django_db_blocker):
    """An account in each unit, built once for the module (each test rolls back what it writes)."""
    department_a, sub_unit_a, department_b = (
        shared_district[name] for name in ("department_a", "sub_unit_a", "department_b")
    )
    file_account = account_filer(shared_district["office_admin"])
    with django_db_blocker.unblock():
        account_a = file_account(department_a, name="教育发布")
        account_sub = file_account(sub_unit_a, name="招生发布")
        account_b = file_account(department_b, name="健康发布")
        return {
            "department_a": department_a.pk,
            "sub_unit_a": sub_unit_a.pk,
            "department_b": department_b.pk,
            "account_a": account_a.pk,
            "account_sub": account_sub.pk,
            "account_b": account_b.pk,
            "filing_a": account_a.filings.get().pk,
            "filing_sub": account_sub.filings.get().pk,
            "filing_b": account_b.filings.get().pk,
            "platform_uid_a": account_a.platform_uid,
        }


@pytest.fixture
def world(shared_world, personas):
    """The module's ids, every persona of the matrix there to use them."""
    return dict(shared_world)


SEES_ALL = {"office": 200, "auditor": 200, "admin_a": 200, "admin_b": 200, "admin_gov": 200, "anonymous": 401}
SEES_A = {"office": 200, "auditor": 200, "admin_a": 200, "admin_b": 404, "admin_gov": 404, "anonymous": 401}
SEES_B = {"office": 200, "auditor": 200, "admin_a": 404, "admin_b": 200, "admin_gov": 404, "anonymous": 401}
PUBLIC = {"office": 200, "auditor": 200, "admin_a": 200, "admin_b": 200, "admin_gov": 200, "anonymous": 200}
READ_ONLY = {
    "office": 405,
    "auditor": 405,
    "admin_a": 405,
    "admin_b": 405,
    "admin_gov": 405,
    "anonymous": 401,
}


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/departments/", SEES_ALL),
        ("/departments/{department_a}/", SEES_A),
        ("/departments/{sub_unit_a}/", SEES_A),
        ("/departments/{department_b}/", SEES_B),
        ("/departments/999999/", {**SEES_A, "office": 404, "auditor": 404, "admin_a": 404}),
        ("/media-accounts/", SEES_ALL),
        ("/media-accounts/?format=xlsx", SEES_ALL),
        ("/media-accounts/?format=csv", SEES_ALL),
        ("/media-accounts/{account_a}/", SEES_A),
        ("/media-accounts/{account_sub}/", SEES_A),
        ("/media-accounts/{account_b}/", SEES_B),
        ("/filings/", SEES_ALL),
        ("/filings/{filing_a}/", SEES_A),
        ("/filings/{filing_sub}/", SEES_A),
        ("/filings/{filing_b}/", SEES_B),
        ("/verify/?platform=wechat_official&uid={platform_uid_a}", PUBLIC),
    ],
)
def test_it_answers_every_read_by_scope(client_for, personas, world, path, expected):
    check_matrix(client_for, personas, "get", API + path.format(**world), **expected)


@pytest.mark.parametrize(
    "path",
    [
        "/media-accounts/?department={department_b}",
        "/filings/?department={department_b}",
        "/filings/?media_account={account_b}",
        "/departments/?parent={department_b}",
    ],
)
def test_it_refuses_a_filter_naming_what_the_user_cannot_see(client_for, personas, world, path):
    check_matrix(
        client_for,
        personas,
        "get",
        API + path.format(**world),
        office=200,
        auditor=200,
        admin_a=400,
        admin_b=200,
        admin_gov=400,
        anonymous=401,
    )


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/departments/{department_a}/", "/media-accounts/{account_a}/"])
def test_it_keeps_departments_and_media_accounts_read_only(client_for, personas, world, method, path):
    check_matrix(client_for, personas, method, API + path.format(**world), data={}, **READ_ONLY)


def test_it_lets_only_those_who_act_for_the_department_file_a_new_account(
    client_for, personas, world, department_a
):
    def body(name):
        return {
            "kind": "open",
            "reason": "工作需要",
            "duplicate_reason": "业务不同，需分设",
            "account": {
                "department": department_a.pk,
                "name": f"矩阵测试-{name}",
                "platform": Platform.WEIBO,
                "platform_uid": f"matrix-{name}",
            },
        }

    # admin_b cannot see department A: the id reads as unknown, a 400 on the field.
    check_matrix(
        client_for,
        personas,
        "post",
        f"{API}/filings/",
        data=body,
        office=201,
        auditor=403,
        admin_a=201,
        admin_b=400,
        admin_gov=400,
        anonymous=401,
    )


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "change", "changes": {"responsible_person": "李四"}},
        {"kind": "close", "reason": "三有不足，申请关停"},
    ],
)
def test_it_lets_only_those_who_act_for_the_department_file_a_change_or_closure(
    client_for, personas, world, department_a, file_account, body
):
    check_matrix(
        client_for,
        personas,
        "post",
        f"{API}/filings/",
        data=lambda name: {**body, "media_account": file_account(department_a).pk},
        office=201,
        auditor=403,
        admin_a=201,
        admin_b=400,
        admin_gov=400,
        anonymous=401,
    )


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_it_lets_only_the_office_decide_a_filing(
    client_for, personas, world, department_a, file_account, decision
):
    def url(name):
        filing = file_account(department_a, approve=False).filings.get()
        return f"{API}/filings/{filing.pk}/{decision}/"

    check_matrix(
        client_for,
        personas,
        "post",
        url,
        data={"note": "同意"},
        office=200,
        auditor=403,
        admin_a=403,
        admin_b=404,
        admin_gov=404,
        anonymous=401,
    )


def test_it_lets_the_submitter_or_the_office_withdraw_a_filing(
    client_for, personas, world, department_a, file_account, admin_a
):
    def url(name):
        filing = file_account(department_a, approve=False, actor=admin_a).filings.get()
        return f"{API}/filings/{filing.pk}/withdraw/"

    check_matrix(
        client_for,
        personas,
        "post",
        url,
        data={},
        office=200,
        auditor=403,
        admin_a=200,
        admin_b=404,
        admin_gov=404,
        anonymous=401,
    )


def test_it_hides_filings_of_other_departments_from_their_actions_too(client_for, personas, world):
    for decision in ("approve", "reject", "withdraw"):
        check_matrix(
            client_for,
            {"admin_a": personas["admin_a"]},
            "post",
            f"{API}/filings/{world['filing_b']}/{decision}/",
            data={},
            admin_a=404,
        )
