import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_signs_the_office_in_and_shows_the_district_in_chinese(
    page, sign_in, office_admin, file_account, department_a
):
    for _ in range(3):
        file_account(department_a)
    sign_in("office", PASSWORD)
    assert page.locator("h1").inner_text() == "概览"
    assert page.get_by_test_id("media-account-count").inner_text() == "3"
    assert "宣传部管理员" in page.locator(".userbox").inner_text()


def test_it_tells_a_wrong_password_in_chinese(page, office_admin):
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert "请输入一个正确的" in page.get_by_role("alert").inner_text()


def test_it_locks_the_name_after_five_wrong_passwords_and_says_so_in_chinese(page, office_admin):
    for password in ["not-the-password"] * 5 + [PASSWORD]:
        page.goto("/accounts/login/")
        page.get_by_label("用户名").fill("office")
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.get_by_role("alert").wait_for()
    assert "登录失败次数过多" in page.get_by_role("alert").inner_text()
    assert page.url.endswith("/accounts/login/")
