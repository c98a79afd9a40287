"""Registry services: what each does, who may do it, and the audit event each leaves."""

import datetime
import random

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audits.trail.models import AuditEvent
from config.errors import InvalidTransition
from registry import services
from registry.choices import DepartmentKind, Employment, FilingStatus, MediaAccountStatus, Platform
from registry.models import AccountMetric, Filing, MediaAccount


def events(action):
    return AuditEvent.objects.filter(action=action)


def test_it_records_department_creation_and_update(office_admin):
    department = services.department_create(
        actor=office_admin, name="区司法局", code="justice", kind=DepartmentKind.DISTRICT_DEPARTMENT
    )
    created = events("registry.department.created").get(object_id=str(department.pk))
    assert created.actor == office_admin and created.actor_name == "office"
    assert created.changes["after"]["code"] == "justice"

    services.department_update(actor=office_admin, department=department, contact_phone="13800000000")
    updated = events("registry.department.updated").get()
    assert updated.changes == {"before": {"contact_phone": ""}, "after": {"contact_phone": "13800000000"}}
    assert updated.department_id == department.pk


def test_it_records_no_event_for_an_update_that_changes_nothing(office_admin, department_a):
    services.department_update(actor=office_admin, department=department_a, name=department_a.name)
    assert not events("registry.department.updated").exists()


def test_it_lets_only_the_office_manage_departments(admin_a, auditor, department_a):
    for actor in (admin_a, auditor):
        with pytest.raises(PermissionDenied):
            services.department_create(actor=actor, name="x", code="x", kind=DepartmentKind.OTHER)
        with pytest.raises(PermissionDenied):
            services.department_update(actor=actor, department=department_a, name="y")


def test_it_refuses_a_bad_department_and_writes_nothing(office_admin, government):
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        services.department_create(actor=office_admin, name="", code="bad code!", kind="nonsense")
    assert {"name", "code", "kind"} <= set(error.value.message_dict)
    assert AuditEvent.objects.count() == before


def test_it_files_a_pending_account_with_its_operators(admin_a, department_a):
    filing = services.filing_submit_open(
        actor=admin_a,
        department=department_a,
        name="新城教育",
        platform=Platform.WECHAT_OFFICIAL,
        platform_uid="gh_edu",
        reason="发布教育政策",
        responsible_person="王五",
        operators=[{"name": "李四", "phone": "13800000001", "employment": Employment.STAFF}],
    )
    account = filing.media_account
    assert (filing.status, account.status, account.filing_number) == (
        FilingStatus.SUBMITTED,
        MediaAccountStatus.PENDING,
        None,
    )
    assert list(account.operators.values_list("name", "employment")) == [("李四", "staff")]
    event = events("registry.filing.submitted").get()
    assert event.actor == admin_a and event.department_id == department_a.pk
    assert event.changes["after"]["media_account"]["platform_uid"] == "gh_edu"


def test_it_names_the_existing_account_when_a_platform_id_is_taken(
    file_account, admin_a, department_a, department_b
):
    existing = file_account(department_b, name="健康新城", platform=Platform.WEIBO)
    with pytest.raises(ValidationError) as error:
        services.filing_submit_open(
            actor=admin_a,
            department=department_a,
            name="重复",
            platform=Platform.WEIBO,
            platform_uid=existing.platform_uid,
        )
    assert "健康新城" in str(error.value.message_dict["platform_uid"])
    assert MediaAccount.objects.count() == 1


def test_it_refuses_filing_for_another_department(admin_b, auditor, department_a):
    for actor in (admin_b, auditor):
        with pytest.raises(PermissionDenied):
            services.filing_submit_open(
                actor=actor, department=department_a, name="x", platform=Platform.WEIBO, platform_uid="x"
            )
    assert not MediaAccount.objects.exists()


def test_it_refuses_an_operator_without_a_known_employment(admin_a, department_a):
    with pytest.raises(ValidationError):
        services.filing_submit_open(
            actor=admin_a,
            department=department_a,
            name="x",
            platform=Platform.WEIBO,
            platform_uid="x",
            operators=[{"name": "甲", "employment": "volunteer"}],
        )
    assert not MediaAccount.objects.exists()


def test_it_activates_and_numbers_an_account_on_approval(file_account, office_admin, department_a):
    account = file_account(department_a, approve=False)
    filing = account.filings.get()
    services.filing_approve(actor=office_admin, filing=filing, note="同意")
    account.refresh_from_db()
    filing.refresh_from_db()
    year = timezone.localdate().year
    assert account.status == MediaAccountStatus.ACTIVE
    assert account.filing_number == f"XC-{year}-0001"
    assert account.opened_on == timezone.localdate()
    assert (filing.status, filing.decided_by, filing.decision_note) == (
        FilingStatus.APPROVED,
        office_admin,
        "同意",
    )
    assert events("registry.filing.approved").get().object_id == str(filing.pk)
    activated = events("registry.media_account.activated").get()
    assert activated.changes["after"] == {"status": "active", "filing_number": f"XC-{year}-0001"}


def test_it_numbers_accounts_in_sequence(file_account, department_a):
    numbers = [file_account(department_a).filing_number for _ in range(3)]
    assert [number[-4:] for number in numbers] == ["0001", "0002", "0003"]


def test_it_refuses_to_decide_a_filing_twice(file_account, office_admin, department_a):
    filing = file_account(department_a).filings.get()
    for decide in (services.filing_approve, services.filing_reject, services.filing_withdraw):
        with pytest.raises(InvalidTransition):
            decide(actor=office_admin, filing=filing)
    assert events("registry.filing.approved").count() == 1


def test_it_lets_only_the_office_approve_or_reject(file_account, admin_a, auditor, department_a):
    filing = file_account(department_a, approve=False, actor=admin_a).filings.get()
    for actor in (admin_a, auditor):
        for decide in (services.filing_approve, services.filing_reject):
            with pytest.raises(PermissionDenied):
                decide(actor=actor, filing=filing)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.SUBMITTED


def test_it_leaves_a_rejected_account_rejected(file_account, office_admin, department_a):
    account = file_account(department_a, approve=False)
    services.filing_reject(actor=office_admin, filing=account.filings.get(), note="无实际需要")
    account.refresh_from_db()
    assert account.status == MediaAccountStatus.REJECTED
    assert events("registry.filing.rejected").count() == 1
    assert events("registry.media_account.rejected").count() == 1


def test_it_lets_the_submitter_withdraw(file_account, admin_a, admin_b, department_a):
    filing = file_account(department_a, approve=False, actor=admin_a).filings.get()
    with pytest.raises(PermissionDenied):
        services.filing_withdraw(actor=admin_b, filing=filing)
    services.filing_withdraw(actor=admin_a, filing=filing)
    filing.refresh_from_db()
    assert filing.status == FilingStatus.WITHDRAWN and filing.decided_by == admin_a
    assert events("registry.filing.withdrawn").get().actor == admin_a


def test_it_records_office_corrections_to_an_account(file_account, office_admin, admin_a, department_a):
    account = file_account(department_a)
    services.media_account_update(actor=office_admin, media_account=account, responsible_person="赵六")
    assert events("registry.media_account.updated").get().changes["after"] == {"responsible_person": "赵六"}
    with pytest.raises(PermissionDenied):
        services.media_account_update(actor=admin_a, media_account=account, name="改名")


def _row(account, day, **figures):
    return {"media_account": account.pk, "date": day, **figures}


def test_it_upserts_metrics_and_follows_the_newest_figures(file_account, admin_a, department_a):
    account = file_account(department_a)
    today = timezone.localdate()
    days = [today - datetime.timedelta(days=n) for n in (3, 2, 1)]
    services.metrics_record(
        actor=admin_a,
        rows=[
            _row(account, days[0], followers=90, posts=2),
            _row(account, days[1], followers=95, posts=1),
            _row(account, days[2], followers=99, posts=0),
        ],
    )
    account.refresh_from_db()
    assert (account.followers, account.last_post_on) == (99, days[1])

    # Re-sending a day replaces it.
    services.metrics_record(actor=admin_a, rows=[_row(account, days[2], followers=120, posts=3)])
    account.refresh_from_db()
    assert AccountMetric.objects.filter(media_account=account).count() == 3
    assert (account.followers, account.last_post_on) == (120, days[2])
    recorded = events("registry.metrics.recorded")
    assert recorded.count() == 2 and recorded.first().department_id == department_a.pk


def test_an_account_without_posting_days_left_has_no_last_post(file_account, admin_a, department_a):
    account = file_account(department_a)
    days = [timezone.localdate() - datetime.timedelta(days=n) for n in (2, 1)]
    services.metrics_record(actor=admin_a, rows=[_row(account, days[0], posts=2), _row(account, days[1])])
    services.metrics_record(actor=admin_a, rows=[_row(account, days[0], posts=0, followers=7)])
    account.refresh_from_db()
    assert (account.followers, account.last_post_on) == (0, None)
    services.metrics_record(actor=admin_a, rows=[_row(account, days[1], followers=9, posts=1)])
    account.refresh_from_db()
    assert (account.followers, account.last_post_on) == (9, days[1])


def test_the_accounts_follow_their_newest_figures_whatever_the_uploads_carry(
    file_account, admin_a, department_a
):
    # Uploads of new, older and re-sent days, posting and silent, in any order: each account's
    # followers and last post are always those its figures say.
    accounts = [file_account(department_a) for _ in range(3)]
    rng = random.Random(13)
    today = timezone.localdate()
    for _upload in range(15):
        rows = {}
        for _row_number in range(rng.randint(1, 6)):
            account, day = rng.choice(accounts), today - datetime.timedelta(days=rng.randint(0, 6))
            rows[account.pk, day] = _row(
                account, day, followers=rng.randint(0, 50), posts=rng.choice([0, 0, 1, 3])
            )
        services.metrics_record(actor=admin_a, rows=list(rows.values()))
        for account in accounts:
            account.refresh_from_db()
            figures = AccountMetric.objects.filter(media_account=account).order_by("-date")
            newest, posted = figures.first(), figures.filter(posts__gt=0).first()
            assert account.followers == (newest.followers if newest else 0)
            assert account.last_post_on == (posted.date if posted else None)


def test_it_refuses_bad_metric_rows_and_writes_none(file_account, admin_a, department_a):
    account = file_account(department_a)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as error:
        services.metrics_record(
            actor=admin_a,
            rows=[
                _row(account, today, followers=10),
                _row(account, today - datetime.timedelta(days=1), posts=-1),
                _row(account, today + datetime.timedelta(days=1)),
            ],
        )
    assert set(error.value.message_dict) == {"rows[1].posts", "rows[2].date"}
    assert not AccountMetric.objects.exists()


def test_it_refuses_metrics_for_another_departments_account(file_account, admin_b, department_a):
    account = file_account(department_a)
    with pytest.raises(PermissionDenied):
        services.metrics_record(actor=admin_b, rows=[_row(account, timezone.localdate(), followers=1)])
    assert not AccountMetric.objects.exists()


def test_it_records_the_request_context_on_events(
    client_for, office_admin, file_account, department_a, settings
):
    # Approving through the admin action runs inside a request: the event carries its id and IP (the id
    # here is our own proxy's, which alone may name it).
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    filing = file_account(department_a, approve=False)
    filing = Filing.objects.get(media_account=filing)
    response = client_for(office_admin).post(
        "/admin/registry/filing/",
        {"action": "approve", "_selected_action": [filing.pk]},
        HTTP_X_REQUEST_ID="req-approve-0001",
    )
    assert response.status_code == 302
    event = events("registry.filing.approved").get()
    assert (event.request_id, event.ip) == ("req-approve-0001", "127.0.0.1")
    assert events("registry.media_account.activated").get().request_id == "req-approve-0001"


def test_it_asks_a_township_for_its_exception_reason(office_admin):
    township = services.department_create(
        actor=None, name="东湖镇", code="donghu", kind=DepartmentKind.TOWNSHIP
    )
    with pytest.raises(ValidationError) as error:
        services.filing_submit_open(
            actor=office_admin,
            department=township,
            name="东湖发布",
            platform=Platform.WEIBO,
            platform_uid="dh",
        )
    assert error.value.error_dict["exception_reason"][0].code == "township_exception"
    filing = services.filing_submit_open(
        actor=office_admin,
        department=township,
        name="东湖发布",
        platform=Platform.WEIBO,
        platform_uid="dh",
        exception_reason="省级旅游度假区，需对外发布游客服务信息",
    )
    assert filing.media_account.exception_reason.startswith("省级")


def test_it_asks_for_a_reason_before_a_second_account_on_one_platform(file_account, admin_a, department_a):
    first = file_account(department_a, name="新城教育", platform=Platform.DOUYIN)
    with pytest.raises(ValidationError) as error:
        services.filing_submit_open(
            actor=admin_a,
            department=department_a,
            name="教育二号",
            platform=Platform.DOUYIN,
            platform_uid="d2",
        )
    assert error.value.error_dict["duplicate_reason"][0].code == "duplicate_platform"
    assert first.name in error.value.messages[0]
    filing = services.filing_submit_open(
        actor=admin_a,
        department=department_a,
        name="教育二号",
        platform=Platform.DOUYIN,
        platform_uid="d2",
        duplicate_reason="面向学生家长的招生服务号",
    )
    assert filing.duplicate_reason == "面向学生家长的招生服务号"
