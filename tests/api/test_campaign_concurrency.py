"""Two reviewers deciding the same application at the same moment (docs/design.md §5.11): one wins, the
other is told (409), nothing is lost or doubled. Real threads and real transactions, so the row
lock (``select_for_update`` on PostgreSQL, the write lock on SQLite) is what is tested."""

import pytest

from accounts import services as user_services
from accounts.choices import Role
from audits.campaigns.models import ClosureOrder, ReviewDecision
from audits.trail.models import AuditEvent
from tests.campaigns import campaign, inspection_of, meeting, submitted
from tests.concurrency import at_once, race_database  # noqa: F401  (the fixture, by name)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("race_database")]

API = "/api/v1"


@pytest.fixture
def second_reviewer(db):
    return user_services.user_create(
        actor=None, username="office-2", password="x", role=Role.OFFICE_ADMIN, validate=False
    )


@pytest.mark.parametrize(("first", "second"), [("close", "retain"), ("return", "close")])
def test_it_lets_one_of_two_reviewers_decide_an_application(
    api_for, office_admin, second_reviewer, admin_a, department_a, file_account, first, second
):
    account = file_account(department_a)
    running = campaign(office_admin)
    inspection = submitted(admin_a, inspection_of(running, account))
    held = meeting(office_admin, running)
    clients = [api_for(office_admin), api_for(second_reviewer)]
    for client in clients:
        # Sign in once first: the token's last-used mark is a write of its own.
        assert client.get(f"{API}/self-inspections/{inspection.pk}/").status_code == 200
    bodies = [
        {"self_inspection": inspection.pk, "meeting": held.pk, "outcome": outcome, "note": "集体研究决定"}
        for outcome in (first, second)
    ]

    responses = at_once(
        *(
            lambda client=client, body=body: client.post(f"{API}/decisions/", body, format="json")
            for client, body in zip(clients, bodies, strict=True)
        )
    )
    codes = [response.status_code for response in responses]

    assert sorted(codes) == [201, 409]
    decision = ReviewDecision.objects.get()
    assert decision.outcome == bodies[codes.index(201)]["outcome"]
    assert AuditEvent.objects.filter(action="audits.decision.made").count() == 1
    assert ClosureOrder.objects.count() == (1 if decision.outcome == "close" else 0)
