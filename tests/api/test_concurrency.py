"""Two people deciding the same filing at the same moment (docs/design.md §5.11): one wins, the other
is told (409), and the filing is approved once, with one event.

Real threads on real connections: on SQLite the settings' IMMEDIATE transactions make the
writers queue; on PostgreSQL the service's ``select_for_update`` does.
"""

import pytest

from accounts import services as user_services
from accounts.choices import Role
from audits.trail.models import AuditEvent
from registry.choices import FilingStatus, MediaAccountStatus
from registry.models import Filing
from tests.concurrency import at_once, race_database  # noqa: F401  (the fixture, by name)
from tests.conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("race_database")


def _race(calls) -> list[int]:
    """Make every ``(client, url)`` POST at once; the status codes, in the calls' order."""
    responses = at_once(
        *(
            lambda client=client, url=url, index=index: client.post(
                url, {"note": f"第{index + 1}位"}, format="json"
            )
            for index, (client, url) in enumerate(calls)
        )
    )
    return [response.status_code for response in responses]


@pytest.mark.django_db(transaction=True)
def test_it_lets_one_of_two_office_users_approve_a_filing(api_for, office_admin, file_account, department_a):
    colleague = user_services.user_create(
        actor=None, username="office-2", password=PASSWORD, role=Role.OFFICE_ADMIN, validate=False
    )
    filing = file_account(department_a, approve=False).filings.get()
    clients = [api_for(office_admin), api_for(colleague)]
    for client in clients:
        # Sign in once first: the token's last-used mark is a write of its own.
        assert client.get(f"/api/v1/filings/{filing.pk}/").status_code == 200

    found = _race([(client, f"/api/v1/filings/{filing.pk}/approve/") for client in clients])

    assert sorted(found) == [200, 409]
    filing = Filing.objects.select_related("media_account", "decided_by").get(pk=filing.pk)
    assert filing.status == FilingStatus.APPROVED
    assert filing.decided_by == [office_admin, colleague][found.index(200)]
    assert filing.media_account.status == MediaAccountStatus.ACTIVE and filing.media_account.filing_number
    assert AuditEvent.objects.filter(action="registry.filing.approved", object_id=str(filing.pk)).count() == 1
    assert AuditEvent.objects.filter(action="registry.media_account.activated").count() == 1


@pytest.mark.django_db(transaction=True)
def test_it_lets_only_one_of_an_approval_and_a_withdrawal_happen(
    api_for, office_admin, admin_a, file_account, department_a
):
    filing = file_account(department_a, approve=False, actor=admin_a).filings.get()
    office, unit = api_for(office_admin), api_for(admin_a)
    for client in (office, unit):
        assert client.get(f"/api/v1/filings/{filing.pk}/").status_code == 200
    approve, withdraw = _race(
        [(office, f"/api/v1/filings/{filing.pk}/approve/"), (unit, f"/api/v1/filings/{filing.pk}/withdraw/")]
    )
    found = {"approve": approve, "withdraw": withdraw}

    assert sorted(found.values()) == [200, 409]
    winner = next(decision for decision, code in found.items() if code == 200)
    filing.refresh_from_db()
    assert filing.status == {"approve": FilingStatus.APPROVED, "withdraw": FilingStatus.WITHDRAWN}[winner]
    decided = AuditEvent.objects.filter(
        action__in=["registry.filing.approved", "registry.filing.withdrawn"], object_id=str(filing.pk)
    )
    assert decided.count() == 1
