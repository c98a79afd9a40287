"""The three steps of a clean-up campaign through its services (docs/design.md §1.3, §5, §6.3):
every transition, every illegal one, for every role, and the trail each leaves."""

import copy

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts import services as user_services
from accounts.models import Notification
from audits.campaigns import services
from audits.campaigns.choices import (
    CampaignStatus,
    ClosureOrderStatus,
    Outcome,
    Proposal,
    SelfInspectionStatus,
)
from audits.campaigns.models import ClosureOrder, ReviewDecision, SelfInspection
from audits.trail.models import AuditEvent
from config.errors import InvalidTransition
from registry import services as registry_services
from registry.choices import DepartmentKind, FilingKind, FilingStatus, MediaAccountStatus, Platform
from registry.models import Filing
from tests.campaigns import (
    THREE_HAVES,
    campaign,
    days_from_now,
    inspection_of,
    meeting,
    ordered,
    submitted,
)
from tests.conftest import account_filer, established
from tests.shared_district import *  # noqa: F403  (the fixtures, by name)

# Who may do what (docs/design.md §6.3): the unit's own admin (and the office) answer for an account;
# only the office runs campaigns and decides; auditors only read.
UNIT = {"office": True, "auditor": False, "admin_a": True, "admin_b": False, "admin_gov": False}
OFFICE = {"office": True, "auditor": False, "admin_a": False, "admin_b": False, "admin_gov": False}


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


@pytest.fixture(scope="module", autouse=True)
def shared_accounts(shared_district, django_db_blocker):
    """Active accounts of A, its sub-unit and B, one still pending and one already closed: built once
    for the module (each test rolls back what it writes)."""
    office_admin = shared_district["office_admin"]
    department_a, sub_unit_a, department_b = (
        shared_district[name] for name in ("department_a", "sub_unit_a", "department_b")
    )
    file_account = established(account_filer(office_admin))
    with django_db_blocker.unblock():
        accounts = {
            "a": file_account(department_a, name="教育发布"),
            "a_weibo": file_account(department_a, name="教育微博", platform=Platform.WEIBO),
            "sub": file_account(sub_unit_a, name="招生发布"),
            "b": file_account(department_b, name="健康发布"),
            "pending": file_account(department_b, name="健康抖音", platform=Platform.DOUYIN, approve=False),
            "closed": file_account(department_b, name="健康头条", platform=Platform.TOUTIAO),
        }
        close = registry_services.filing_submit_close(
            actor=office_admin, media_account=accounts["closed"], reason="停更"
        )
        registry_services.filing_approve(actor=office_admin, filing=close)
        accounts["closed"].refresh_from_db()
        return accounts


@pytest.fixture
def district(shared_accounts, db):
    """The module's accounts, copies of its own for the test."""
    return copy.deepcopy(shared_accounts)


@pytest.fixture
def with_email(admin_a, admin_b):
    for user in (admin_a, admin_b):
        user_services.user_update(actor=None, user=user, email=f"{user.username}@example.gov.cn")
        user.refresh_from_db()


def _events(action: str) -> int:
    return AuditEvent.objects.filter(action=action).count()


# Step 0: the campaign ----------------------------------------------------------------------------


def test_it_starts_one_self_inspection_per_active_account_in_scope(office_admin, district):
    started = campaign(office_admin)
    inspections = SelfInspection.objects.filter(campaign=started)
    assert set(inspections.values_list("media_account", flat=True)) == {
        district[key].pk for key in ("a", "a_weibo", "sub", "b")
    }
    assert set(inspections.values_list("status", flat=True)) == {SelfInspectionStatus.PENDING}
    assert started.status == CampaignStatus.RUNNING and started.started_at is not None
    event = AuditEvent.objects.get(action="audits.campaign.started")
    assert event.changes == {"after": {"accounts": 4}} and event.actor == office_admin
    assert _events("audits.campaign.created") == 1


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"platforms": [Platform.WEIBO]}, {"a_weibo"}),
        ({"department_kinds": [DepartmentKind.OTHER]}, {"sub"}),
        ({"departments": "department_b"}, {"b"}),
        (
            {
                "platforms": [Platform.WECHAT_OFFICIAL],
                "department_kinds": [DepartmentKind.DISTRICT_DEPARTMENT],
            },
            {"a", "b"},
        ),
    ],
)
def test_it_narrows_the_campaign_to_its_scope(office_admin, district, department_b, scope, expected):
    if scope.get("departments") == "department_b":
        scope = {"departments": [department_b.pk]}
    started = campaign(office_admin, **scope)
    found = set(SelfInspection.objects.filter(campaign=started).values_list("media_account", flat=True))
    assert found == {district[key].pk for key in expected}


def test_it_tells_each_unit_admin_when_the_campaign_starts(
    office_admin, admin_a, admin_b, district, with_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        started = campaign(office_admin, platforms=[Platform.WEIBO])
    # Only A has a Weibo account in scope: only A's admin is told.
    assert [message.to for message in mail.outbox] == [[admin_a.email]]
    assert started.name in mail.outbox[0].subject
    notice = Notification.objects.get()
    assert notice.user == admin_a and f"campaign={started.pk}" in notice.url


def test_it_sends_no_mail_before_the_start_commits(office_admin, district, with_email):
    with pytest.raises(ValidationError):
        campaign(office_admin, platforms=[Platform.BILIBILI])  # nobody in scope: rolled back
    assert mail.outbox == [] and not Notification.objects.exists()


def test_it_refuses_a_second_start(office_admin, district):
    started = campaign(office_admin)
    with pytest.raises(InvalidTransition):
        services.campaign_start(actor=office_admin, campaign=started)
    assert SelfInspection.objects.filter(campaign=started).count() == 4
    assert _events("audits.campaign.started") == 1


def test_it_refuses_a_campaign_with_nobody_in_scope_and_leaves_it_a_draft(office_admin, district):
    draft = campaign(office_admin, start=False, platforms=[Platform.BILIBILI])
    with pytest.raises(ValidationError) as error:
        services.campaign_start(actor=office_admin, campaign=draft)
    assert "scope" in error.value.message_dict
    draft.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT and not draft.self_inspections.exists()


def test_it_refuses_deadlines_in_the_wrong_order_and_unknown_scope_keys(office_admin):
    with pytest.raises(ValidationError) as error:
        services.campaign_create(
            actor=office_admin,
            name="错序",
            self_inspection_due=days_from_now(30),
            closure_due=days_from_now(10),
        )
    assert "closure_due" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.campaign_create(
            actor=office_admin,
            name="未知范围",
            self_inspection_due=days_from_now(10),
            closure_due=days_from_now(30),
            scope={"towns": ["x"]},
        )
    assert "scope" in error.value.message_dict


@pytest.mark.parametrize(("persona", "allowed"), OFFICE.items())
def test_it_lets_only_the_office_create_and_start_a_campaign(personas, district, persona, allowed):
    actor = personas[persona]
    if not allowed:
        with pytest.raises(PermissionDenied):
            campaign(actor, start=False)
        draft = campaign(personas["office"], start=False)
        with pytest.raises(PermissionDenied):
            services.campaign_start(actor=actor, campaign=draft)
        assert draft.self_inspections.count() == 0
    else:
        assert campaign(actor).status == CampaignStatus.RUNNING


# Step 1: 单位提出申请 -----------------------------------------------------------------------------


@pytest.fixture
def running(office_admin, district):
    return campaign(office_admin)


@pytest.mark.parametrize(("persona", "allowed"), UNIT.items())
def test_it_lets_the_unit_and_the_office_answer_and_submit(personas, running, district, persona, allowed):
    inspection = inspection_of(running, district["a"])
    if not allowed:
        with pytest.raises(PermissionDenied):
            services.self_inspection_save(actor=personas[persona], self_inspection=inspection, has_need=True)
        services.self_inspection_save(actor=personas["admin_a"], self_inspection=inspection, **THREE_HAVES)
        services.self_inspection_save(
            actor=personas["admin_a"], self_inspection=inspection, proposal="retain"
        )
        with pytest.raises(PermissionDenied):
            services.self_inspection_submit(actor=personas[persona], self_inspection=inspection)
        inspection.refresh_from_db()
        assert inspection.status == SelfInspectionStatus.DRAFT
    else:
        assert submitted(personas[persona], inspection).status == SelfInspectionStatus.SUBMITTED


def test_it_keeps_a_saved_answer_as_a_draft_and_records_only_what_changed(admin_a, running, district):
    inspection = inspection_of(running, district["a"])
    services.self_inspection_save(
        actor=admin_a, self_inspection=inspection, has_need=True, need_reason="政策发布"
    )
    services.self_inspection_save(actor=admin_a, self_inspection=inspection, has_need=True)  # no change
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.DRAFT and inspection.need_reason == "政策发布"
    event = AuditEvent.objects.get(action="audits.self_inspection.saved")
    assert event.changes == {
        "before": {"has_need": None, "need_reason": ""},
        "after": {"has_need": True, "need_reason": "政策发布"},
    }
    assert event.department_id == district["a"].department_id


@pytest.mark.parametrize("missing", ["has_need", "has_capacity", "has_support"])
def test_it_refuses_to_retain_without_all_three_haves(admin_a, running, district, missing):
    inspection = inspection_of(running, district["a"])
    with pytest.raises(ValidationError) as error:
        submitted(admin_a, inspection, Proposal.RETAIN, **{missing: False})
    assert list(error.value.message_dict) == ["proposal"]
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.DRAFT
    assert _events("audits.self_inspection.submitted") == 0


def test_it_refuses_a_submission_with_unanswered_questions(admin_a, running, district):
    inspection = inspection_of(running, district["a"])
    with pytest.raises(ValidationError) as error:
        services.self_inspection_submit(actor=admin_a, self_inspection=inspection)
    assert set(error.value.message_dict) == {"has_need", "has_capacity", "has_support", "proposal"}
    with pytest.raises(ValidationError) as error:
        submitted(admin_a, inspection, Proposal.RETAIN, need_reason="", staff_count=None)
    assert set(error.value.message_dict) == {"need_reason", "staff_count"}


def test_it_refuses_a_merger_without_a_target(admin_a, running, district):
    with pytest.raises(ValidationError) as error:
        submitted(admin_a, inspection_of(running, district["a"]), Proposal.MERGE)
    assert list(error.value.message_dict) == ["merge_target"]


@pytest.mark.parametrize("target", ["a", "closed", "pending"])
def test_it_refuses_to_merge_into_itself_or_an_account_that_is_not_active(admin_a, running, district, target):
    inspection = inspection_of(running, district["a"])
    with pytest.raises(ValidationError) as error:
        services.self_inspection_save(
            actor=admin_a, self_inspection=inspection, proposal=Proposal.MERGE, merge_target=district[target]
        )
    assert list(error.value.message_dict) == ["merge_target"]
    inspection.refresh_from_db()
    assert inspection.merge_target is None and inspection.status == SelfInspectionStatus.PENDING


def test_it_merges_into_any_active_account_of_the_district(admin_a, running, district):
    # The district's main account is usually another unit's: the target is not limited to A.
    inspection = submitted(
        admin_a, inspection_of(running, district["a"]), Proposal.MERGE, merge_target=district["b"]
    )
    assert inspection.merge_target == district["b"]


def test_it_locks_a_submitted_application(admin_a, office_admin, running, district):
    inspection = submitted(admin_a, inspection_of(running, district["a"]))
    assert inspection.submitted_by == admin_a and inspection.submitted_at is not None
    for actor in (admin_a, office_admin):
        with pytest.raises(InvalidTransition):
            services.self_inspection_save(actor=actor, self_inspection=inspection, need_reason="改")
        with pytest.raises(InvalidTransition):
            services.self_inspection_submit(actor=actor, self_inspection=inspection)
    inspection.refresh_from_db()
    assert inspection.need_reason == THREE_HAVES["need_reason"]
    event = AuditEvent.objects.get(action="audits.self_inspection.submitted")
    assert event.changes["after"]["proposal"] == Proposal.RETAIN


# Step 2: 集中研究审议 -----------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "allowed"), OFFICE.items())
def test_it_lets_only_the_office_record_a_meeting(personas, running, persona, allowed):
    if allowed:
        held = meeting(personas[persona], running)
        services.meeting_update(actor=personas[persona], meeting=held, minutes="逐一审议")
        assert _events("audits.meeting.created") == _events("audits.meeting.updated") == 1
    else:
        with pytest.raises(PermissionDenied):
            meeting(personas[persona], running)
        held = meeting(personas["office"], running)
        with pytest.raises(PermissionDenied):
            services.meeting_update(actor=personas[persona], meeting=held, minutes="改")


def test_it_holds_meetings_only_while_the_campaign_runs(office_admin, district):
    draft = campaign(office_admin, start=False)
    with pytest.raises(InvalidTransition):
        meeting(office_admin, draft)


@pytest.mark.parametrize(("persona", "allowed"), OFFICE.items())
def test_it_lets_only_the_office_decide(personas, running, district, persona, allowed):
    inspection = submitted(personas["admin_a"], inspection_of(running, district["a"]))
    held = meeting(personas["office"], running)
    if allowed:
        services.decision_make(
            actor=personas[persona], self_inspection=inspection, meeting=held, outcome=Outcome.RETAIN
        )
        inspection.refresh_from_db()
        assert inspection.status == SelfInspectionStatus.DECIDED
    else:
        with pytest.raises(PermissionDenied):
            services.decision_make(
                actor=personas[persona], self_inspection=inspection, meeting=held, outcome=Outcome.RETAIN
            )
        assert not ReviewDecision.objects.exists()


@pytest.mark.parametrize("status", ["pending", "draft", "decided"])
def test_it_decides_only_a_submitted_application(admin_a, office_admin, running, district, status):
    inspection = inspection_of(running, district["a"])
    held = meeting(office_admin, running)
    if status == "draft":
        services.self_inspection_save(actor=admin_a, self_inspection=inspection, has_need=True)
    if status == "decided":
        submitted(admin_a, inspection)
        services.decision_make(actor=office_admin, self_inspection=inspection, meeting=held, outcome="retain")
    with pytest.raises(InvalidTransition):
        services.decision_make(actor=office_admin, self_inspection=inspection, meeting=held, outcome="close")
    assert ReviewDecision.objects.count() == (1 if status == "decided" else 0)
    assert not ClosureOrder.objects.exists()


def test_it_retains_without_an_order(admin_a, office_admin, running, district):
    inspection = submitted(admin_a, inspection_of(running, district["a"]))
    decision = services.decision_make(
        actor=office_admin,
        self_inspection=inspection,
        meeting=meeting(office_admin, running),
        outcome="retain",
    )
    district["a"].refresh_from_db()
    assert district["a"].status == MediaAccountStatus.ACTIVE and decision.deadline is None
    assert decision.recommended == Outcome.CLOSE  # no posts, no followers: the figures said close
    assert not ClosureOrder.objects.exists()
    event = AuditEvent.objects.get(action="audits.decision.made")
    assert (
        event.changes["after"]["outcome"] == "retain" and event.department_id == district["a"].department_id
    )


def test_it_returns_an_application_with_a_note_and_unlocks_it(admin_a, office_admin, running, district):
    inspection = submitted(admin_a, inspection_of(running, district["a"]))
    held = meeting(office_admin, running)
    with pytest.raises(ValidationError) as error:
        services.decision_make(actor=office_admin, self_inspection=inspection, meeting=held, outcome="return")
    assert list(error.value.message_dict) == ["note"]

    services.decision_make(
        actor=office_admin, self_inspection=inspection, meeting=held, outcome="return", note="补充保障说明"
    )
    inspection.refresh_from_db()
    assert (inspection.status, inspection.return_note) == (SelfInspectionStatus.DRAFT, "补充保障说明")
    # Unlocked: the unit revises and submits again, and the office decides again.
    services.self_inspection_save(actor=admin_a, self_inspection=inspection, support_note="新增专项经费")
    inspection = services.self_inspection_submit(actor=admin_a, self_inspection=inspection)
    assert inspection.return_note == ""
    services.decision_make(actor=office_admin, self_inspection=inspection, meeting=held, outcome="retain")
    assert list(inspection.decisions.order_by("pk").values_list("outcome", flat=True)) == ["return", "retain"]


def test_it_orders_a_closure_with_the_campaigns_deadline_by_default(admin_a, office_admin, running, district):
    order = ordered(office_admin, admin_a, running, district["a"])
    district["a"].refresh_from_db()
    assert district["a"].status == MediaAccountStatus.CLOSING
    assert (order.status, order.deadline, order.merge_target) == (
        ClosureOrderStatus.OPEN,
        running.closure_due,
        None,
    )
    assert order.decision.self_inspection.status == SelfInspectionStatus.DECIDED
    assert _events("audits.closure_order.created") == _events("registry.media_account.closure_ordered") == 1


def test_it_orders_a_merger_into_the_proposed_target_by_its_own_deadline(
    admin_a, office_admin, running, district
):
    order = ordered(
        office_admin, admin_a, running, district["a"], merge_target=district["b"], deadline=days_from_now(7)
    )
    district["a"].refresh_from_db()
    assert district["a"].status == MediaAccountStatus.MERGING
    assert (order.merge_target, order.deadline) == (district["b"], days_from_now(7))


def test_it_refuses_a_merger_decision_into_the_account_itself(admin_a, office_admin, running, district):
    inspection = submitted(admin_a, inspection_of(running, district["a"]), Proposal.CLOSE)
    with pytest.raises(ValidationError) as error:
        services.decision_make(
            actor=office_admin,
            self_inspection=inspection,
            meeting=meeting(office_admin, running),
            outcome="merge",
            merge_target=district["a"],
        )
    assert list(error.value.message_dict) == ["merge_target"]
    inspection.refresh_from_db()
    assert inspection.status == SelfInspectionStatus.SUBMITTED


def test_it_refuses_a_meeting_of_another_campaign(admin_a, office_admin, running, district):
    inspection = submitted(admin_a, inspection_of(running, district["a"]))
    other = campaign(office_admin)
    with pytest.raises(ValidationError) as error:
        services.decision_make(
            actor=office_admin,
            self_inspection=inspection,
            meeting=meeting(office_admin, other),
            outcome="retain",
        )
    assert list(error.value.message_dict) == ["meeting"]


def test_it_decides_many_at_once_all_or_nothing_naming_the_bad_item(
    admin_a, admin_b, office_admin, running, district
):
    first = submitted(admin_a, inspection_of(running, district["a"]), Proposal.CLOSE)
    second = submitted(admin_b, inspection_of(running, district["b"]), Proposal.CLOSE)
    held = meeting(office_admin, running)
    with pytest.raises(ValidationError) as error:
        services.decisions_make(
            actor=office_admin,
            meeting=held,
            items=[
                {"self_inspection": first, "outcome": "close"},
                {"self_inspection": second, "outcome": "merge"},  # no target, none proposed
            ],
        )
    assert list(error.value.message_dict) == ["items[1].merge_target"]
    assert not ReviewDecision.objects.exists() and not ClosureOrder.objects.exists()
    district["a"].refresh_from_db()
    assert district["a"].status == MediaAccountStatus.ACTIVE

    decisions = services.decisions_make(
        actor=office_admin,
        meeting=held,
        items=[
            {"self_inspection": first, "outcome": "close"},
            {"self_inspection": second, "outcome": "retain"},
        ],
    )
    assert [decision.outcome for decision in decisions] == ["close", "retain"]
    assert ClosureOrder.objects.get().media_account == district["a"]


def test_it_tells_each_unit_its_decisions_once_committed(
    admin_a, admin_b, office_admin, running, district, with_email, django_capture_on_commit_callbacks
):
    items = [
        {
            "self_inspection": submitted(admin_a, inspection_of(running, district[key]), Proposal.CLOSE),
            "outcome": "close",
        }
        for key in ("a", "a_weibo")
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.decisions_make(actor=office_admin, meeting=meeting(office_admin, running), items=items)
    assert [message.to for message in mail.outbox] == [[admin_a.email]]  # one mail per unit
    assert "教育发布" in mail.outbox[0].body and "教育微博" in mail.outbox[0].body


# Step 3: 限期集中关停 -----------------------------------------------------------------------------


@pytest.fixture
def order(admin_a, office_admin, running, district):
    return ordered(office_admin, admin_a, running, district["a"])


@pytest.mark.parametrize(("persona", "allowed"), UNIT.items())
def test_it_lets_the_unit_and_the_office_confirm_an_order(personas, order, persona, allowed):
    confirm = {"actor": personas[persona], "order": order, "evidence_url": "https://example.gov.cn/n/1"}
    if allowed:
        assert services.closure_order_confirm(**confirm).status == ClosureOrderStatus.CONFIRMED
    else:
        with pytest.raises(PermissionDenied):
            services.closure_order_confirm(**confirm)
        order.refresh_from_db()
        assert order.status == ClosureOrderStatus.OPEN


def test_it_needs_evidence_to_confirm(admin_a, order):
    with pytest.raises(ValidationError) as error:
        services.closure_order_confirm(actor=admin_a, order=order, note="  ")
    assert list(error.value.message_dict) == ["evidence_url"]
    confirmed = services.closure_order_confirm(actor=admin_a, order=order, note="已在平台注销")
    assert (confirmed.evidence_note, confirmed.confirmed_by) == ("已在平台注销", admin_a)
    assert _events("audits.closure_order.confirmed") == 1
    with pytest.raises(InvalidTransition):
        services.closure_order_confirm(actor=admin_a, order=order, note="再次确认")


def test_it_takes_the_successor_the_unit_names_when_confirming_a_merger(
    admin_a, office_admin, running, district
):
    order = ordered(office_admin, admin_a, running, district["a"], merge_target=district["b"])
    with pytest.raises(ValidationError):
        services.closure_order_confirm(
            actor=admin_a, order=order, note="已迁移", merge_target=district["closed"]
        )
    confirmed = services.closure_order_confirm(
        actor=admin_a, order=order, note="已迁移到本局微博", merge_target=district["a_weibo"]
    )
    assert confirmed.merge_target == district["a_weibo"]


@pytest.mark.parametrize(("persona", "allowed"), OFFICE.items())
def test_it_lets_only_the_office_verify_or_reject(personas, admin_a, order, persona, allowed):
    services.closure_order_confirm(actor=admin_a, order=order, evidence_url="https://example.gov.cn/n/1")
    if allowed:
        assert services.closure_order_verify(actor=personas[persona], order=order).status == "verified"
    else:
        with pytest.raises(PermissionDenied):
            services.closure_order_verify(actor=personas[persona], order=order)
        with pytest.raises(PermissionDenied):
            services.closure_order_reject(actor=personas[persona], order=order, note="未见注销公告")
        order.refresh_from_db()
        assert order.status == ClosureOrderStatus.CONFIRMED


def test_it_verifies_only_a_confirmed_order(office_admin, order):
    with pytest.raises(InvalidTransition):
        services.closure_order_verify(actor=office_admin, order=order)
    with pytest.raises(InvalidTransition):
        services.closure_order_reject(actor=office_admin, order=order, note="未确认")
    order.media_account.refresh_from_db()
    assert order.media_account.status == MediaAccountStatus.CLOSING


def test_it_closes_the_account_and_files_its_closure_when_verified(admin_a, office_admin, running, district):
    account = district["a"]
    pending = registry_services.filing_submit_change(
        actor=admin_a, media_account=account, changes={"responsible_person": "李四"}
    )
    order = ordered(office_admin, admin_a, running, account)
    services.closure_order_confirm(actor=admin_a, order=order, evidence_url="https://example.gov.cn/n/1")
    verified = services.closure_order_verify(actor=office_admin, order=order, note="已核实")
    assert (verified.status, verified.verified_by) == (ClosureOrderStatus.VERIFIED, office_admin)
    account.refresh_from_db()
    assert (account.status, account.closed_on, account.merged_into) == (
        MediaAccountStatus.CLOSED,
        timezone.localdate(),
        None,
    )
    closing = Filing.objects.get(media_account=account, kind=FilingKind.CLOSE)
    assert (closing.status, closing.notice_url, closing.decided_by, closing.submitted_by) == (
        FilingStatus.APPROVED,
        "https://example.gov.cn/n/1",
        office_admin,
        admin_a,
    )
    assert running.name in closing.reason
    pending.refresh_from_db()
    assert pending.status == FilingStatus.WITHDRAWN  # moot once the account is closed
    assert _events("audits.closure_order.verified") == 1
    assert AuditEvent.objects.filter(action="registry.filing.approved", object_id=str(closing.pk)).exists()
    assert AuditEvent.objects.filter(
        action="registry.media_account.closed", object_id=str(account.pk)
    ).exists()
    with pytest.raises(InvalidTransition):
        services.closure_order_verify(actor=office_admin, order=order)


def test_it_records_each_filing_the_verified_closure_withdraws(admin_a, office_admin, running, district):
    account = district["a"]
    pending = registry_services.filing_submit_change(
        actor=admin_a, media_account=account, changes={"responsible_person": "李四"}
    )
    order = ordered(office_admin, admin_a, running, account)
    services.closure_order_confirm(actor=admin_a, order=order, note="已停更")
    services.closure_order_verify(actor=office_admin, order=order)
    pending.refresh_from_db()
    assert (pending.status, pending.decided_by) == (FilingStatus.WITHDRAWN, office_admin)
    withdrawn = AuditEvent.objects.get(action="registry.filing.withdrawn", object_id=str(pending.pk))
    assert (withdrawn.actor, withdrawn.changes) == (office_admin, {"after": {"note": pending.decision_note}})


def test_it_leaves_closing_an_ordered_account_to_its_order(admin_a, office_admin, running, district):
    account = district["a"]
    filed = registry_services.filing_submit_close(actor=admin_a, media_account=account, reason="职能调整")
    ordered(office_admin, admin_a, running, account)
    # Approving the unit's own close filing as well would close the account twice.
    with pytest.raises(InvalidTransition):
        registry_services.filing_approve(actor=office_admin, filing=filed)
    account.refresh_from_db()
    filed.refresh_from_db()
    assert (account.status, filed.status) == (MediaAccountStatus.CLOSING, FilingStatus.SUBMITTED)


def test_it_orders_nothing_for_an_account_its_own_filing_closed_meanwhile(
    admin_a, office_admin, running, district
):
    account = district["a"]
    inspection = submitted(admin_a, inspection_of(running, account), Proposal.CLOSE)
    filed = registry_services.filing_submit_close(actor=admin_a, media_account=account, reason="职能调整")
    registry_services.filing_approve(actor=office_admin, filing=filed)

    decision = services.decision_make(
        actor=office_admin,
        self_inspection=inspection,
        meeting=meeting(office_admin, running),
        outcome="close",
    )

    account.refresh_from_db()
    assert decision.outcome == Outcome.CLOSE and account.status == MediaAccountStatus.CLOSED
    assert not ClosureOrder.objects.exists()


def test_it_merges_the_account_into_its_successor_when_verified(admin_a, office_admin, running, district):
    order = ordered(office_admin, admin_a, running, district["a"], merge_target=district["b"])
    services.closure_order_confirm(actor=admin_a, order=order, evidence_url="https://example.gov.cn/n/2")
    services.closure_order_verify(actor=office_admin, order=order)
    district["a"].refresh_from_db()
    assert (district["a"].status, district["a"].merged_into) == (MediaAccountStatus.MERGED, district["b"])
    assert Filing.objects.get(media_account=district["a"], kind=FilingKind.CLOSE).successor == district["b"]


def test_it_reopens_an_order_whose_confirmation_is_rejected(
    admin_a, office_admin, order, with_email, django_capture_on_commit_callbacks
):
    services.closure_order_confirm(actor=admin_a, order=order, evidence_url="https://example.gov.cn/n/1")
    with pytest.raises(ValidationError) as error:
        services.closure_order_reject(actor=office_admin, order=order, note=" ")
    assert list(error.value.message_dict) == ["note"]
    with django_capture_on_commit_callbacks(execute=True):
        rejected = services.closure_order_reject(actor=office_admin, order=order, note="账号仍可访问")
    assert (rejected.status, rejected.rejection_note) == (ClosureOrderStatus.OPEN, "账号仍可访问")
    assert [message.to for message in mail.outbox] == [[admin_a.email]]
    assert _events("audits.closure_order.rejected") == 1
    # Open again: the unit confirms anew.
    services.closure_order_confirm(actor=admin_a, order=order, evidence_url="https://example.gov.cn/n/3")


def test_it_marks_overdue_orders_once(admin_a, admin_b, office_admin, running, district, with_email):
    late = ordered(office_admin, admin_a, running, district["a"], deadline=days_from_now(0))
    confirmed = ordered(office_admin, admin_b, running, district["b"], deadline=days_from_now(0))
    services.closure_order_confirm(actor=admin_b, order=confirmed, note="已注销")
    not_yet = ordered(office_admin, admin_a, running, district["a_weibo"], deadline=days_from_now(1))
    tomorrow = days_from_now(1)

    assert services.closure_orders_mark_overdue(today=tomorrow) == 1
    assert services.closure_orders_mark_overdue(today=tomorrow) == 0
    assert set(ClosureOrder.objects.filter(overdue_since__isnull=False).values_list("pk", flat=True)) == {
        late.pk
    }
    late.refresh_from_db()
    assert late.overdue_since == tomorrow
    not_yet.refresh_from_db()
    assert not_yet.overdue_since is None
    event = AuditEvent.objects.get(action="audits.closure_order.overdue")
    assert event.actor is None and event.object_id == str(late.pk)
    # Only A's unit has a late order: only its admin hears of it, with a link to the orders.
    overdue_notices = Notification.objects.filter(url=reverse("closure_order_list"))
    assert [notice.user for notice in overdue_notices] == [admin_a]


def test_it_leaves_a_trail_for_every_step(admin_a, office_admin, order):
    services.closure_order_confirm(actor=admin_a, order=order, evidence_url="https://example.gov.cn/n/1")
    services.closure_order_verify(actor=office_admin, order=order)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "audits.campaign.created",
        "audits.campaign.started",
        "audits.self_inspection.saved",
        "audits.self_inspection.submitted",
        "audits.meeting.created",
        "audits.decision.made",
        "audits.closure_order.created",
        "registry.media_account.closure_ordered",
        "audits.closure_order.confirmed",
        "audits.closure_order.verified",
        "registry.filing.approved",
        "registry.media_account.closed",
    } <= actions
