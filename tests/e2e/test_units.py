"""Units in a real browser: the government's administrator of the demo district sees the
government's accounts only."""

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
