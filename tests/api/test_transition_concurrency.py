"""Every state transition, raced (docs/design.md §5.11): "Two people acting on the same object at once:
one wins, the other is told, nothing is lost". Each race is two real threads on real
connections, released together (``tests/concurrency.py``), through the API, or the browser
where there is no API, or the Celery task's service where a worker is the actor.

The transitions the services perform, and the race that covers each:

registry/services.py
- filing approve / reject / withdraw (``submitted`` → ``approved`` | ``rejected`` | ``withdrawn``):
  approve vs approve and approve vs withdraw in ``test_concurrency.py``; approve vs reject,
  reject vs withdraw and withdraw vs withdraw in ``RACES`` below; approve vs withdraw in the
  browser in ``test_it_tells_the_browser_user_who_came_second``.
- filing submit (change or close) while another is pending (one submitted filing per account):
  change vs change and change vs close in ``RACES``.
- media accounts reconfirm: not a transition but a unit's attestation that its record is current;
  each confirmation stands and none is lost: ``test_it_keeps_both_of_two_reconfirmations``.
- filing approve (close) vs the campaign's verification of the same account's closure order (the
  order closes the account; the filing is refused, or withdrawn by it):
  ``test_it_closes_an_account_once_when_a_filing_and_an_order_race``.

audits/campaigns/services.py
- campaign start (``draft`` → ``running``): start vs start in ``RACES``.
- self-inspection submit (``draft`` → ``submitted``): submit vs submit in ``RACES``. (Saving
  answers is not a move: a save queued behind a submit is refused as locked, by the same lock.)
- decisions (``submitted`` → ``decided`` or back to ``draft``): decide vs decide in
  ``test_campaign_concurrency.py``.
- closure order confirm (``open`` → ``confirmed``): confirm vs confirm in ``RACES``.
- closure order verify / reject (``confirmed`` → ``verified`` | ``open``): verify vs verify and
  verify vs reject in ``RACES``.
- overdue marking (the daily task flags open orders past their deadline): two sweeps at once in
  ``test_it_flags_an_overdue_order_once_when_two_sweeps_race``.

audits/inspections/services.py
- inspection run request (while the day's run is queued or running, it is the answer): request
  vs request in ``test_it_queues_one_run_when_two_office_users_ask_at_once``.
- inspection run execute claim (``queued`` → ``running`` → ``finished``): two workers with the
  same run in ``test_it_executes_a_run_once_when_two_workers_claim_it``, two workers with two
  runs in ``test_it_executes_one_run_at_a_time``.
- finding waive (``open`` → ``waived``): waive vs waive in ``RACES``.
- notice respond (``open`` → ``responded``): respond vs respond in ``RACES``.
- notice accept / return (``responded`` → ``accepted`` | ``open``): accept vs accept and accept vs
  return in ``RACES``.

audits/todo/services.py
- reminder send (once an hour per unit): remind vs remind by two office users in
  ``test_it_sends_one_reminder_when_two_office_users_remind_at_once``.

accounts/services.py
- API token revoke (once; revoking a revoked token changes nothing): revoke vs revoke in the
  browser in ``test_it_revokes_a_token_once``.

Not raced, because two at once do not conflict: creating things (campaigns, meetings, filings to
open, users, tokens); edits that keep the later value and record each change (a unit's or an
account's record, meetings, rules, the schedule, users, a self-inspection's answers); metrics
upserts and imports; the weekly index (computing a week again replaces it); a unit confirming an
order while the overdue sweep runs (either order is right: flagged late, then confirmed).
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

import pytest
from celery.app.task import Task
from django.contrib.messages import get_messages
from django.db import connection
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone

from accounts import services as user_services
from accounts.choices import Role
from accounts.models import ApiToken
from audits.campaigns import services as campaign_services
from audits.campaigns import tasks
from audits.campaigns.choices import Outcome, Proposal
from audits.campaigns.models import ClosureOrder
from audits.inspections import services as inspections
from audits.inspections.choices import FindingStatus, RunStatus
from audits.inspections.models import Finding, InspectionRun, RectificationNotice
from audits.todo.models import Reminder
from audits.trail.models import AuditEvent
from audits.trail.selectors import verify_chain
from registry import services as registry_services
from registry.choices import FilingKind, FilingStatus, MediaAccountStatus
from registry.models import MediaAccount
from tests.campaigns import THREE_HAVES, campaign, days_from_now, inspection_of, meeting, ordered, submitted
from tests.concurrency import at_once, queued_behind, race_database  # noqa: F401  (the fixture, by name)
from tests.conftest import PASSWORD, established
from tests.todo import notice

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("race_database")]

API = "/api/v1"


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


@pytest.fixture
def stage(office_admin, admin_a, department_a, file_account):
    """Two office users and two administrators of unit A, and a way to file A's accounts."""

    def user(username, role, department=None):
        return user_services.user_create(
            actor=None, username=username, password=PASSWORD, role=role, department=department, validate=False
        )

    people = {
        "office": office_admin,
        "office_2": user("office-2", Role.OFFICE_ADMIN),
        "unit": admin_a,
        "unit_2": user("dept-edu-2", Role.DEPT_ADMIN, department_a),
    }
    return SimpleNamespace(
        **people, people=people, account=lambda **fields: file_account(department_a, **fields)
    )


def _last_event() -> int:
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _inspect() -> InspectionRun:
    run = InspectionRun.objects.create(inspection_date=timezone.localdate())
    return inspections.inspection_run_execute(run_id=run.pk)


# What the races start from, built through the services as the people would -------------------


def submitted_filing(stage):
    return stage.account(approve=False, actor=stage.unit).filings.get()


def active_account(stage):
    return stage.account()


def draft_campaign(stage):
    stage.account()
    return campaign(stage.office, start=False)


def answered_application(stage):
    account = stage.account()
    inspection = inspection_of(campaign(stage.office), account)
    return campaign_services.self_inspection_save(
        actor=stage.unit, self_inspection=inspection, proposal=Proposal.RETAIN, **THREE_HAVES
    )


def open_order(stage):
    account = stage.account()
    return ordered(stage.office, stage.unit, campaign(stage.office), account)


def confirmed_order(stage):
    return campaign_services.closure_order_confirm(actor=stage.unit, order=open_order(stage), note="已停更")


def open_finding(stage):
    stage.account()  # never posted: it breaks the rules
    _inspect()
    return Finding.objects.filter(status=FindingStatus.OPEN).first()


def open_notice(stage):
    stage.account()
    _inspect()
    return RectificationNotice.objects.get()


def answered_notice(stage):
    return inspections.notice_respond(actor=stage.unit, notice=open_notice(stage), response="已恢复更新")


def submitted_kind(account) -> str:
    """The kind of the one filing awaiting approval for the account."""
    return account.filings.get(status=FilingStatus.SUBMITTED).kind


# The races ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """One side of a race: who posts where, and what happens if it wins."""

    persona: str
    path: str  # under /api/v1, with {pk} for the raced object
    event: str  # the audit action the winner records
    ends: str  # the state the winner leaves
    body: Callable[[Model], dict[str, Any]] = lambda target: {}
    ok: int = 200


@dataclass(frozen=True)
class Race:
    setup: Callable[[SimpleNamespace], Model]
    read: str  # the object's own URL, under /api/v1
    first: Call
    second: Call
    state: Callable[[Model], str] = field(
        default=lambda target: type(target).objects.get(pk=target.pk).status
    )


FILING = "/filings/{pk}/"
APPROVE = Call("office", FILING + "approve/", "registry.filing.approved", FilingStatus.APPROVED)
REJECT = Call(
    "office_2",
    FILING + "reject/",
    "registry.filing.rejected",
    FilingStatus.REJECTED,
    body=lambda target: {"note": "材料不全"},
)
WITHDRAW = Call("unit", FILING + "withdraw/", "registry.filing.withdrawn", FilingStatus.WITHDRAWN)


def change(persona, name):
    return Call(
        persona,
        "/filings/",
        "registry.filing.submitted",
        FilingKind.CHANGE,
        body=lambda account: {"kind": "change", "media_account": account.pk, "changes": {"name": name}},
        ok=201,
    )


CLOSE = Call(
    "unit_2",
    "/filings/",
    "registry.filing.submitted",
    FilingKind.CLOSE,
    body=lambda account: {"kind": "close", "media_account": account.pk, "reason": "职能调整"},
    ok=201,
)
ORDER = "/closure-orders/{pk}/"
VERIFY = Call("office", ORDER + "verify/", "audits.closure_order.verified", "verified")
NOTICE = "/notices/{pk}/"
ACCEPT = Call("office", NOTICE + "accept/", "audits.notice.accepted", "accepted")

RACES = {
    "filing approve vs reject": Race(submitted_filing, FILING, APPROVE, REJECT),
    "filing reject vs withdraw": Race(submitted_filing, FILING, REJECT, WITHDRAW),
    "filing withdraw vs withdraw": Race(
        submitted_filing, FILING, WITHDRAW, WITHDRAW
    ),  # the same person, twice
    "filing change vs change": Race(
        active_account,
        "/media-accounts/{pk}/",
        change("unit", "区教育局发布"),
        change("unit_2", "教育新城"),
        state=submitted_kind,
    ),
    "filing change vs close": Race(
        active_account, "/media-accounts/{pk}/", change("unit", "区教育局发布"), CLOSE, state=submitted_kind
    ),
    "campaign start vs start": Race(
        draft_campaign,
        "/campaigns/{pk}/",
        Call("office", "/campaigns/{pk}/start/", "audits.campaign.started", "running"),
        Call("office_2", "/campaigns/{pk}/start/", "audits.campaign.started", "running"),
    ),
    "application submit vs submit": Race(
        answered_application,
        "/self-inspections/{pk}/",
        Call("unit", "/self-inspections/{pk}/submit/", "audits.self_inspection.submitted", "submitted"),
        Call("unit_2", "/self-inspections/{pk}/submit/", "audits.self_inspection.submitted", "submitted"),
    ),
    "order confirm vs confirm": Race(
        open_order,
        ORDER,
        Call(
            "unit",
            ORDER + "confirm/",
            "audits.closure_order.confirmed",
            "confirmed",
            body=lambda order: {"note": "已发布停更公告"},
        ),
        Call(
            "unit_2",
            ORDER + "confirm/",
            "audits.closure_order.confirmed",
            "confirmed",
            body=lambda order: {"evidence_url": "https://example.gov.cn/notice"},
        ),
    ),
    "order verify vs verify": Race(
        confirmed_order,
        ORDER,
        VERIFY,
        Call("office_2", ORDER + "verify/", "audits.closure_order.verified", "verified"),
    ),
    "order verify vs reject": Race(
        confirmed_order,
        ORDER,
        VERIFY,
        Call(
            "office_2",
            ORDER + "reject/",
            "audits.closure_order.rejected",
            "open",
            body=lambda order: {"note": "未见停更公告"},
        ),
    ),
    "finding waive vs waive": Race(
        open_finding,
        "/findings/{pk}/",
        Call(
            "office",
            "/findings/{pk}/waive/",
            "audits.finding.waived",
            FindingStatus.WAIVED,
            body=lambda finding: {"reason": "新开账号"},
        ),
        Call(
            "office_2",
            "/findings/{pk}/waive/",
            "audits.finding.waived",
            FindingStatus.WAIVED,
            body=lambda finding: {"reason": "已报备"},
        ),
    ),
    "notice respond vs respond": Race(
        open_notice,
        NOTICE,
        Call(
            "unit",
            NOTICE + "respond/",
            "audits.notice.responded",
            "responded",
            body=lambda notice: {"response": "已恢复更新"},
        ),
        Call(
            "unit_2",
            NOTICE + "respond/",
            "audits.notice.responded",
            "responded",
            body=lambda notice: {"response": "已申请关停"},
        ),
    ),
    "notice accept vs accept": Race(
        answered_notice,
        NOTICE,
        ACCEPT,
        Call("office_2", NOTICE + "accept/", "audits.notice.accepted", "accepted"),
    ),
    "notice accept vs return": Race(
        answered_notice,
        NOTICE,
        ACCEPT,
        Call(
            "office_2",
            NOTICE + "return/",
            "audits.notice.returned",
            "open",
            body=lambda notice: {"note": "请附截图"},
        ),
    ),
}


@pytest.mark.parametrize("race", RACES.values(), ids=RACES.keys())
def test_it_lets_one_of_two_make_the_move_and_tells_the_other(api_for, stage, race):
    target = race.setup(stage)
    calls = (race.first, race.second)
    clients = [api_for(stage.people[call.persona]) for call in calls]
    for client in clients:
        # Sign in once first (the token's last-used mark is a write of its own), and see the object.
        assert client.get(API + race.read.format(pk=target.pk)).status_code == 200
    before = _last_event()

    responses = at_once(
        *(
            lambda client=client, call=call: client.post(
                API + call.path.format(pk=target.pk), call.body(target), format="json"
            )
            for client, call in zip(clients, calls, strict=True)
        )
    )

    codes = [response.status_code for response in responses]
    assert codes in ([race.first.ok, 409], [409, race.second.ok])
    winner, told = (0, 1) if codes[1] == 409 else (1, 0)
    error = responses[told].json()
    assert error["code"] == "conflict" and error["detail"]
    assert race.state(target) == calls[winner].ends
    events = AuditEvent.objects.filter(pk__gt=before, action__in={race.first.event, race.second.event})
    assert [(event.action, event.actor_id) for event in events] == [
        (calls[winner].event, stage.people[calls[winner].persona].pk)
    ]


# Races with a shape of their own -----------------------------------------------------------------


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_it_tells_the_browser_user_who_came_second(client_for, stage):
    filing = submitted_filing(stage)
    office, unit = client_for(stage.office), client_for(stage.unit)
    before = _last_event()

    approved, withdrawn = at_once(
        lambda: office.post(reverse("filing_approve", args=[filing.pk])),
        lambda: unit.post(reverse("filing_withdraw", args=[filing.pk])),
    )

    assert approved.status_code == withdrawn.status_code == 302
    said = {"approve": _messages(approved), "withdraw": _messages(withdrawn)}
    filing.refresh_from_db()
    winner = {FilingStatus.APPROVED: "approve", FilingStatus.WITHDRAWN: "withdraw"}[filing.status]
    loser = ({"approve", "withdraw"} - {winner}).pop()
    assert said[winner][0].startswith({"approve": "已批准", "withdraw": "已撤回"}[winner])
    assert said[loser] == [f"该备案状态已为“{filing.get_status_display()}”。"]
    decided = AuditEvent.objects.filter(
        pk__gt=before, action__in=["registry.filing.approved", "registry.filing.withdrawn"]
    )
    assert decided.count() == 1


def test_it_keeps_both_of_two_reconfirmations(client_for, stage):
    account = stage.account()
    clients = [client_for(stage.unit), client_for(stage.unit_2)]
    before = _last_event()

    responses = at_once(
        *(
            lambda client=client: client.post(reverse("media_account_reconfirm", args=[account.pk]))
            for client in clients
        )
    )

    assert [_messages(response) for response in responses] == [[f"已确认 {account} 的登记信息准确。"]] * 2
    account.refresh_from_db()
    assert account.last_confirmed_on == timezone.localdate()
    confirmed = AuditEvent.objects.filter(pk__gt=before, action="registry.media_account.reconfirmed")
    assert sorted(event.actor_id for event in confirmed) == sorted([stage.unit.pk, stage.unit_2.pk])


def test_it_revokes_a_token_once(client_for, stage):
    token, _key = user_services.api_token_create(actor=stage.unit, user=stage.unit, name="采集程序")
    tabs = [client_for(stage.unit), client_for(stage.unit)]  # two browser tabs, one click each
    before = _last_event()

    responses = at_once(
        *(lambda tab=tab: tab.post(reverse("api_token_revoke", args=[token.pk])) for tab in tabs)
    )

    assert [response.url for response in responses] == [reverse("api_token_list")] * 2
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    assert AuditEvent.objects.filter(pk__gt=before, action="accounts.api_token.revoked").count() == 1


def test_it_closes_an_account_once_when_a_filing_and_an_order_race(api_for, stage):
    account = stage.account()
    # The unit filed to close the account; the campaign then ordered its closure, and the unit
    # confirmed the order. The office approves the filing as a colleague verifies the order.
    filing = registry_services.filing_submit_close(actor=stage.unit, media_account=account, reason="职能调整")
    running = campaign(stage.office)
    order = ordered(stage.office, stage.unit, running, account)
    campaign_services.closure_order_confirm(actor=stage.unit, order=order, note="已停更")
    office, colleague = api_for(stage.office), api_for(stage.office_2)
    assert office.get(f"{API}/filings/{filing.pk}/").status_code == 200
    assert colleague.get(f"{API}/closure-orders/{order.pk}/").status_code == 200
    before = _last_event()

    approved, verified = at_once(
        lambda: office.post(f"{API}/filings/{filing.pk}/approve/", {}, format="json"),
        lambda: colleague.post(f"{API}/closure-orders/{order.pk}/verify/", {}, format="json"),
    )

    # Whichever came first, the order closes the account: the filing is moot either way.
    assert (approved.status_code, verified.status_code) == (409, 200)
    assert approved.json()["code"] == "conflict"
    account.refresh_from_db()
    filing.refresh_from_db()
    assert (account.status, filing.status) == (MediaAccountStatus.CLOSED, FilingStatus.WITHDRAWN)
    assert AuditEvent.objects.filter(pk__gt=before, action="registry.media_account.closed").count() == 1


def test_it_flags_an_overdue_order_once_when_two_sweeps_race(stage):
    account = stage.account()
    order = ordered(stage.office, stage.unit, campaign(stage.office), account, deadline=days_from_now(-1))
    before = _last_event()

    flagged = at_once(tasks.mark_overdue_closure_orders, tasks.mark_overdue_closure_orders)

    assert sorted(flagged) == [0, 1]
    order.refresh_from_db()
    assert order.overdue_since == timezone.localdate()
    assert AuditEvent.objects.filter(pk__gt=before, action="audits.closure_order.overdue").count() == 1


@pytest.fixture
def sent_tasks(monkeypatch):
    """The Celery tasks sent once a transaction commits, kept here instead of reaching a broker."""
    sent = []
    monkeypatch.setattr(
        Task, "apply_async", lambda task, args=None, *rest, **options: sent.append((task.name, args))
    )
    return sent


def test_it_queues_one_run_when_two_office_users_ask_at_once(api_for, stage, sent_tasks):
    clients = [api_for(stage.office), api_for(stage.office_2)]
    for client in clients:
        assert client.get(f"{API}/inspection-runs/").status_code == 200
    before = _last_event()

    responses = at_once(
        *(
            lambda client=client: client.post(f"{API}/inspection-runs/", {}, format="json")
            for client in clients
        )
    )

    assert [response.status_code for response in responses] == [202, 202]
    run = InspectionRun.objects.get()
    assert [response.json()["id"] for response in responses] == [run.pk, run.pk]
    assert AuditEvent.objects.filter(pk__gt=before, action="audits.inspection_run.requested").count() == 1
    assert sent_tasks == [("audits.tasks.execute_inspection_run", (run.pk,))]


def test_it_executes_a_run_once_when_two_workers_claim_it(stage):
    stage.account()
    run = InspectionRun.objects.create(inspection_date=timezone.localdate())

    at_once(*[lambda: inspections.inspection_run_execute(run_id=run.pk)] * 2)

    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert AuditEvent.objects.filter(action="audits.inspection_run.finished").count() == 1
    assert RectificationNotice.objects.count() == 1


def test_it_executes_one_run_at_a_time(stage):
    stage.account()
    runs = [
        InspectionRun.objects.create(inspection_date=timezone.localdate() - datetime.timedelta(days=n))
        for n in (0, 1)
    ]

    done = at_once(*(lambda run=run: inspections.inspection_run_execute(run_id=run.pk) for run in runs))

    # Each either ran alone or found the other under way and was told to try later (its task
    # retries): never both at once.
    finished = list(InspectionRun.objects.filter(status=RunStatus.FINISHED).order_by("started_at"))
    assert len(finished) == len([result for result in done if result is not None]) >= 1
    if len(finished) == 2:
        assert finished[1].started_at >= finished[0].finished_at
    assert AuditEvent.objects.filter(action="audits.inspection_run.finished").count() == len(finished)


def test_it_sends_one_reminder_when_two_office_users_remind_at_once(api_for, stage, department_a):
    notice(department_a, overdue=True)
    office, colleague = api_for(stage.office), api_for(stage.office_2)
    for client in (office, colleague):
        assert client.get(f"{API}/todo/").status_code == 200
    before = _last_event()

    responses = at_once(
        *(
            lambda client=client: client.post(
                f"{API}/reminders/", {"department": department_a.pk}, format="json"
            )
            for client in (office, colleague)
        )
    )

    assert sorted(response.status_code for response in responses) == [201, 409]
    told = next(response for response in responses if response.status_code == 409)
    assert told.json()["code"] == "conflict"
    assert Reminder.objects.count() == 1
    assert AuditEvent.objects.filter(pk__gt=before, action="audits.reminder.sent").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writers queue for the whole database")
def test_it_decides_two_applications_while_a_close_filing_of_the_second_is_approved(stage):
    first, second = stage.account(), stage.account()
    filing = registry_services.filing_submit_close(actor=stage.unit, media_account=second, reason="职能调整")
    running = campaign(stage.office)
    items = [
        {
            "self_inspection": submitted(stage.unit, inspection_of(running, account), Proposal.CLOSE),
            "outcome": Outcome.CLOSE,
        }
        for account in (first, second)
    ]
    held = meeting(stage.office, running)
    before = _last_event()

    # The office approves the filing as a colleague decides both applications in one action: the
    # approval takes the second account before recording, the decision records the first one's
    # outcome before it reaches the second account. Queued so, they met in reverse order.
    approved, decided = queued_behind(
        lambda: MediaAccount.objects.select_for_update().get(pk=second.pk),
        lambda: registry_services.filing_approve(actor=stage.office, filing=filing),
        lambda: campaign_services.decisions_make(actor=stage.office_2, meeting=held, items=items),
    )

    assert approved.status == FilingStatus.APPROVED
    assert [decision.outcome for decision in decided] == [Outcome.CLOSE, Outcome.CLOSE]
    second.refresh_from_db()
    assert second.status == MediaAccountStatus.CLOSED
    assert ClosureOrder.objects.filter(media_account=second).count() == 0
    assert AuditEvent.objects.filter(pk__gt=before, action="audits.decision.made").count() == 2
    assert verify_chain() == (AuditEvent.objects.count(), None)
