"""An inspection run: findings opened, refreshed and resolved, idempotently; notices to the units."""

import datetime

import pytest
from django.core import mail
from django.db import connection

from audits.inspections import services as inspections
from audits.inspections.choices import FindingStatus, NoticeStatus, RuleCode, RunStatus, Severity
from audits.inspections.models import Finding, InspectionRule, InspectionRun, RectificationNotice
from audits.inspections.selectors import run_findings
from audits.trail.models import AuditEvent
from config.errors import InvalidTransition
from registry import services
from registry.choices import Platform
from tests.conftest import established


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def run_on(day: datetime.date) -> InspectionRun:
    run = InspectionRun.objects.create(inspection_date=day)
    return inspections.inspection_run_execute(run_id=run.pk)


def yesterday(n=1):
    return datetime.date.today() - datetime.timedelta(days=n)


@pytest.fixture
def quiet_account(file_account, department_a):
    """An account silent for three weeks, with 50 followers."""
    account = file_account(
        department_a, responsible_person="王五", operators=[{"name": "李四", "employment": "staff"}]
    )
    services.metrics_record(
        actor=None, rows=[{"media_account": account.pk, "date": yesterday(22), "posts": 1, "followers": 50}]
    )
    return account


def open_codes(account) -> set[str]:
    return set(
        Finding.objects.filter(media_account=account, status=FindingStatus.OPEN).values_list(
            "rule__code", flat=True
        )
    )


def test_it_opens_a_finding_per_broken_rule(quiet_account):
    run = run_on(datetime.date.today())
    assert run.status == RunStatus.FINISHED and run.accounts == 1
    assert {RuleCode.NO_UPDATE, RuleCode.LOW_FREQUENCY, RuleCode.LOW_REACH} <= open_codes(quiet_account)
    assert run.counts[RuleCode.NO_UPDATE] == {"open": 1, "opened": 1, "resolved": 0}
    finding = Finding.objects.get(media_account=quiet_account, rule__code=RuleCode.LOW_REACH)
    assert finding.severity == Severity.WARNING and finding.detail == {"followers": 50}


def test_it_changes_nothing_when_run_twice_for_the_same_day(quiet_account):
    run_on(datetime.date.today())
    before = list(Finding.objects.order_by("pk").values("pk", "status", "first_seen", "last_seen"))
    notices = RectificationNotice.objects.count()
    second = run_on(datetime.date.today())
    assert list(Finding.objects.order_by("pk").values("pk", "status", "first_seen", "last_seen")) == before
    assert RectificationNotice.objects.count() == notices
    assert all(counts["opened"] == 0 and counts["resolved"] == 0 for counts in second.counts.values())


def test_a_finding_that_still_holds_was_last_seen_by_the_latest_run(quiet_account):
    first = run_on(yesterday())
    latest = run_on(datetime.date.today())
    finding = Finding.objects.with_last_seen().get(media_account=quiet_account, rule__code=RuleCode.NO_UPDATE)
    assert (finding.first_seen, finding.seen_until) == (yesterday(), datetime.date.today())
    assert finding.seen_in_run == latest.pk and finding.last_run == first  # the run that opened it


def test_a_resolved_finding_keeps_the_last_day_a_run_saw_it(quiet_account):
    run_on(yesterday(2))
    run_on(yesterday())
    services.metrics_record(
        actor=None,
        rows=[{"media_account": quiet_account.pk, "date": yesterday(), "posts": 2, "followers": 500}],
    )
    clearing = run_on(datetime.date.today())
    finding = Finding.objects.with_last_seen().get(media_account=quiet_account, rule__code=RuleCode.NO_UPDATE)
    assert finding.status == FindingStatus.RESOLVED and finding.last_run == clearing
    assert (finding.first_seen, finding.last_seen, finding.seen_until) == (
        yesterday(2),
        yesterday(),
        yesterday(),
    )


def test_a_waived_finding_keeps_the_latest_run_as_the_last_that_saw_it(quiet_account, office_admin):
    run_on(yesterday())
    latest = run_on(datetime.date.today())
    finding = Finding.objects.get(media_account=quiet_account, rule__code=RuleCode.LOW_REACH)
    inspections.finding_waive(actor=office_admin, finding=finding, reason="新开账号，粉丝在增长")
    run_on(datetime.date.today() + datetime.timedelta(days=1))  # still broken, still waived
    finding = Finding.objects.with_last_seen().get(pk=finding.pk)
    assert (finding.last_seen, finding.seen_in_run) == (datetime.date.today(), latest.pk)


def test_it_resolves_a_finding_that_cleared(quiet_account):
    run_on(datetime.date.today())
    services.metrics_record(
        actor=None,
        rows=[{"media_account": quiet_account.pk, "date": yesterday(), "posts": 2, "followers": 500}],
    )
    run = run_on(datetime.date.today())
    assert RuleCode.NO_UPDATE not in open_codes(quiet_account)
    assert RuleCode.LOW_REACH not in open_codes(quiet_account)
    assert run.counts[RuleCode.NO_UPDATE]["resolved"] == 1
    assert (
        Finding.objects.get(media_account=quiet_account, rule__code=RuleCode.NO_UPDATE).status == "resolved"
    )


def test_it_resolves_the_findings_of_a_disabled_rule(quiet_account, office_admin):
    run_on(datetime.date.today())
    rule = InspectionRule.objects.get(code=RuleCode.LOW_REACH)
    inspections.inspection_rule_update(actor=office_admin, rule=rule, enabled=False)
    run_on(datetime.date.today())
    assert RuleCode.LOW_REACH not in open_codes(quiet_account)


def test_it_keeps_a_waived_finding_waived_while_it_holds(quiet_account, office_admin):
    run_on(datetime.date.today())
    finding = Finding.objects.get(media_account=quiet_account, rule__code=RuleCode.LOW_REACH)
    inspections.finding_waive(actor=office_admin, finding=finding, reason="新开账号，粉丝在增长")
    run_on(datetime.date.today())
    assert RuleCode.LOW_REACH not in open_codes(quiet_account)
    assert Finding.objects.filter(media_account=quiet_account, rule__code=RuleCode.LOW_REACH).count() == 1
    with pytest.raises(InvalidTransition):
        inspections.finding_waive(actor=office_admin, finding=finding, reason="again")


def test_a_waived_finding_counts_for_the_runs_before_the_waiver_only(quiet_account, office_admin):
    before = run_on(datetime.date.today())
    finding = Finding.objects.get(media_account=quiet_account, rule__code=RuleCode.LOW_REACH)
    inspections.finding_waive(actor=office_admin, finding=finding, reason="新开账号，粉丝在增长")
    after = run_on(datetime.date.today())  # the same day: only the time tells them apart

    assert finding in run_findings(before)
    assert finding not in run_findings(after)
    finding.refresh_from_db()
    assert before.finished_at < finding.waived_at < after.finished_at


def test_it_sends_each_unit_one_notice_for_its_veto_and_serious_findings(
    quiet_account, admin_a, file_account, department_a, django_capture_on_commit_callbacks
):
    admin_a.email = "edu@example.gov.cn"
    admin_a.save()
    file_account(department_a, platform=Platform.WEIBO, has_interaction=False)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_on(datetime.date.today())
    notice = RectificationNotice.objects.get()
    assert (notice.department, notice.run, notice.status) == (department_a, run, NoticeStatus.OPEN)
    assert notice.deadline.weekday() < 5 and notice.deadline > run.inspection_date
    assert set(notice.findings.values_list("severity", flat=True)) == {Severity.VETO, Severity.SERIOUS}
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["edu@example.gov.cn"]


def test_it_counts_five_working_days_for_a_notice():
    friday = datetime.date(2026, 11, 20)
    assert inspections.working_days_after(friday, 5) == datetime.date(2026, 11, 27)


def test_it_resolves_a_notices_findings_when_the_office_accepts_the_answer(
    quiet_account, admin_a, admin_b, office_admin
):
    run_on(datetime.date.today())
    notice = RectificationNotice.objects.get()
    with pytest.raises(InvalidTransition):
        inspections.notice_accept(actor=office_admin, notice=notice)
    inspections.notice_respond(actor=admin_a, notice=notice, response="已恢复更新")
    inspections.notice_return(actor=office_admin, notice=notice, note="请附更新截图")
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN
    inspections.notice_respond(actor=admin_a, notice=notice, response="已恢复更新，见截图")
    inspections.notice_accept(actor=office_admin, notice=notice)
    assert not notice.findings.filter(status=FindingStatus.OPEN).exists()
    assert AuditEvent.objects.filter(action__startswith="audits.notice.").count() >= 4


def test_it_refuses_a_run_while_another_is_under_way(quiet_account):
    busy = InspectionRun.objects.create(
        inspection_date=datetime.date.today(),
        status=RunStatus.RUNNING,
        started_at=datetime.datetime.now(datetime.UTC),
    )
    waiting = InspectionRun.objects.create(inspection_date=datetime.date.today())
    assert inspections.inspection_run_execute(run_id=waiting.pk) is None
    waiting.refresh_from_db()
    assert waiting.status == RunStatus.QUEUED
    InspectionRun.objects.filter(pk=busy.pk).update(status=RunStatus.FINISHED)
    assert inspections.inspection_run_execute(run_id=waiting.pk).status == RunStatus.FINISHED


def test_it_records_a_failed_run(quiet_account, monkeypatch):
    def broken(run):
        raise RuntimeError("disk full")

    monkeypatch.setattr(inspections, "_evaluate", broken)
    run = InspectionRun.objects.create(inspection_date=datetime.date.today())
    with pytest.raises(RuntimeError):
        inspections.inspection_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "disk full" in run.error
    assert not Finding.objects.exists()


def test_it_refuses_thresholds_the_rule_does_not_have(office_admin):
    rule = InspectionRule.objects.get(code=RuleCode.LOW_REACH)
    with pytest.raises(Exception) as error:
        inspections.inspection_rule_update(
            actor=office_admin, rule=rule, thresholds={"followers": -1, "x": 1}
        )
    assert "thresholds" in error.value.message_dict
    rule.refresh_from_db()
    assert rule.thresholds == {"followers": 100, "grace_days": 30}


def test_it_records_rule_edits_in_the_trail(office_admin):
    rule = InspectionRule.objects.get(code=RuleCode.LOW_REACH)
    inspections.inspection_rule_update(actor=office_admin, rule=rule, thresholds={"followers": 200})
    event = AuditEvent.objects.get(action="audits.inspection_rule.updated")
    assert event.changes["after"]["thresholds"] == {"followers": 200, "grace_days": 30}


# Every query of a run, counted once; the same for any number of accounts. A change here
# should be deliberate. PostgreSQL takes two more: the advisory lock that queues the claims, and the
# figures of the run's table of violations for its planner. (65 before a run resolved, re-graded and
# opened the findings of all rules in one statement each and stopped writing into every finding
# still open, issue 13; the frequency rule counts posts where an account has them and daily figures
# where it has none, one statement each, issue 14; the release rule, issue 15.)
QUERIES_PER_RUN = 42 + 2 * (connection.vendor == "postgresql")


@pytest.mark.parametrize("volume", [10, 1000])
def test_it_runs_in_a_fixed_number_of_queries(department_a, volume, django_assert_num_queries):
    """The same number of queries for 10 and for 1,000 accounts, new ones in their grace among them."""
    from registry.choices import MediaAccountStatus
    from registry.models import MediaAccount

    MediaAccount.objects.bulk_create(
        MediaAccount(
            department=department_a,
            name=f"号{n}",
            platform=Platform.WEIBO,
            platform_uid=f"v{n}",
            status=MediaAccountStatus.ACTIVE,
            filing_number=f"T-{n}",
            activated_on=datetime.date.today() - datetime.timedelta(days=n % 40) if n % 2 else None,
        )
        for n in range(volume)
    )
    run = InspectionRun.objects.create(inspection_date=datetime.date.today())
    with django_assert_num_queries(QUERIES_PER_RUN):
        inspections.inspection_run_execute(run_id=run.pk)
    assert Finding.objects.filter(rule__code=RuleCode.DUPLICATE_PLATFORM).count() == volume
