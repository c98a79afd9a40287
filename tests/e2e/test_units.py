"""Units in a real browser: the government's administrator of the demo district sees the
government's accounts only, and the office's order of units is the order every list shows."""

import io

import pytest
from django.core.management import call_command

from registry.models import MediaAccount
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_governments_admin_of_the_demo_only_the_governments_accounts(page, sign_in):
    call_command("seed_demo", password=PASSWORD, force=True, verbosity=0, stdout=io.StringIO())
    agri = MediaAccount.objects.filter(department__code="agri").first()
    sign_in("dept-gov", PASSWORD)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="新媒体账号").click()
    page.wait_for_url("**/media-accounts/")
    rows = page.locator("table.list tbody tr")
    assert rows.count() == 8
    assert all("新城区人民政府" in text for text in rows.all_inner_texts())
    units = page.locator("#id_department option").all_text_contents()
    assert units == ["全部", "新城区人民政府"]

    response = page.goto(f"/media-accounts/{agri.pk}/")
    assert response.status == 404


def test_it_lets_the_office_move_a_unit_up_and_every_list_follows(
    page, sign_in, office_admin, government, department_a, department_b, file_account
):
    for unit in (department_b, department_a, government):
        file_account(unit, name=f"{unit.name}发布")
    sign_in("office", PASSWORD)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="主办单位").click()
    page.wait_for_url("**/departments/")
    page.get_by_role("button", name="上移区卫生健康委").click()
    assert "已上移：区卫生健康委。" in page.locator(".messages").inner_text()
    rows = page.locator("table.list tbody th[scope=row]").all_inner_texts()
    assert rows == ["新城区人民政府", "区卫生健康委", "区教育局"]
    assert page.get_by_role("button", name="上移区卫生健康委").is_disabled()

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="新媒体账号").click()
    page.wait_for_url("**/media-accounts/")
    units = page.locator("#id_department option").all_text_contents()
    assert units == ["全部", "新城区人民政府", "区卫生健康委", "区教育局"]
    names = page.locator("table.list tbody th[scope=row]").all_inner_texts()
    assert names == ["新城区人民政府发布", "区卫生健康委发布", "区教育局发布"]
