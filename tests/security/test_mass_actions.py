"""Mass actions: an action on many objects at once acts on exactly the ones the user named.

The yearly re-confirmation of a unit's accounts read a ``department`` it could not use (another
unit's, or one that does not exist) as no choice at all, which for a unit administrator means every
unit it is responsible for: one bad value silently re-confirmed all of them.
"""

import pytest
from django.urls import reverse

from registry.models import MediaAccount

pytestmark = pytest.mark.django_db

NO_SUCH_UNIT = 987654


@pytest.mark.parametrize("department", ["other", NO_SUCH_UNIT, "edu", "<b>x</b>"])
def test_it_reconfirms_nothing_for_a_unit_that_is_not_the_users(
    client_for, admin_a, department_a, sub_unit_a, department_b, file_account, department
):
    accounts = [file_account(department_a), file_account(sub_unit_a), file_account(department_b)]
    value = department_b.pk if department == "other" else department
    client = client_for(admin_a)

    page = client.get(reverse("media_accounts_reconfirm"), {"department": value})
    assert page.status_code == 200 and list(page.context["accounts"]) == []
    assert page.context["form"].errors["department"]

    response = client.post(reverse("media_accounts_reconfirm"), {"department": value})
    assert response.status_code == 200 and response.context["form"].errors["department"]
    assert "选择一个有效的选项" in response.content.decode()
    assert not MediaAccount.objects.filter(pk__in=[a.pk for a in accounts], last_confirmed_on__isnull=False)


def test_it_still_reconfirms_the_unit_named(client_for, admin_a, department_a, sub_unit_a, file_account):
    mine, sub_units = file_account(department_a), file_account(sub_unit_a)
    response = client_for(admin_a).post(reverse("media_accounts_reconfirm"), {"department": department_a.pk})
    assert response.status_code == 302
    mine.refresh_from_db()
    sub_units.refresh_from_db()
    assert mine.last_confirmed_on is not None and sub_units.last_confirmed_on is None
