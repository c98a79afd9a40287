"""Who may open which browsing page (docs/design.md §6.1): everyone signed in sees the lists, narrowed
to their scope; a department or account outside the scope is a 404; anonymous goes to sign in."""

import pytest

from tests.permission_matrix import check_matrix

pytestmark = pytest.mark.django_db

SIGNED_IN_ONLY = {
    "office": 200,
    "auditor": 200,
    "admin_a": 200,
    "admin_b": 200,
    "admin_gov": 200,
    "anonymous": 302,
}


@pytest.mark.parametrize("url", ["/", "/departments/", "/media-accounts/", "/matrix/", "/matrix/?closed=1"])
def test_it_shows_the_list_pages_to_everyone_signed_in(client_for, personas, url):
    check_matrix(client_for, personas, "get", url, **SIGNED_IN_ONLY)


@pytest.mark.parametrize(
    "unit, expected",
    [
        # The government's administrator sees its own unit and sub-unit, not the departments.
        ("government", {"admin_a": 404, "admin_b": 404, "admin_gov": 200}),
        ("government_sub_unit", {"admin_a": 404, "admin_b": 404, "admin_gov": 200}),
        ("department_a", {"admin_a": 200, "admin_b": 404, "admin_gov": 404}),
        ("sub_unit_a", {"admin_a": 200, "admin_b": 404, "admin_gov": 404}),
        ("department_b", {"admin_a": 404, "admin_b": 200, "admin_gov": 404}),
    ],
)
def test_it_shows_a_department_page_within_the_scope_only(client_for, personas, request, unit, expected):
    department = request.getfixturevalue(unit)
    check_matrix(
        client_for,
        personas,
        "get",
        f"/departments/{department.pk}/",
        office=200,
        auditor=200,
        anonymous=302,
        **expected,
    )


@pytest.mark.parametrize(
    "unit, expected",
    [
        # The government's administrator sees its own unit and sub-unit, not the departments.
        ("government", {"admin_a": 404, "admin_b": 404, "admin_gov": 200}),
        ("government_sub_unit", {"admin_a": 404, "admin_b": 404, "admin_gov": 200}),
        ("department_a", {"admin_a": 200, "admin_b": 404, "admin_gov": 404}),
        ("sub_unit_a", {"admin_a": 200, "admin_b": 404, "admin_gov": 404}),
        ("department_b", {"admin_a": 404, "admin_b": 200, "admin_gov": 404}),
    ],
)
def test_it_shows_a_media_account_page_within_the_scope_only(
    client_for, personas, file_account, request, unit, expected
):
    account = file_account(request.getfixturevalue(unit), exception_reason="")
    check_matrix(
        client_for,
        personas,
        "get",
        f"/media-accounts/{account.pk}/",
        office=200,
        auditor=200,
        anonymous=302,
        **expected,
    )


def test_it_shows_a_pending_account_to_its_unit_too(client_for, personas, file_account, department_a):
    account = file_account(department_a, approve=False)
    check_matrix(
        client_for,
        personas,
        "get",
        f"/media-accounts/{account.pk}/",
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )


@pytest.mark.parametrize("url", ["/departments/999999/", "/media-accounts/999999/"])
def test_it_answers_404_for_what_does_not_exist(client_for, personas, url):
    check_matrix(
        client_for,
        personas,
        "get",
        url,
        office=404,
        auditor=404,
        admin_a=404,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )


@pytest.mark.parametrize("url", ["/", "/departments/", "/media-accounts/", "/matrix/"])
def test_it_sends_anonymous_visitors_to_sign_in(client_for, url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
