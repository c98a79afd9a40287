"""The inspections in the browser: rules, the schedule, runs and their reports, findings and
rectification notices; who may see and do what, and what bad input does (nothing)."""

import datetime
import io
import itertools
from types import SimpleNamespace

import pytest
from django.test import Client
from django.test.client import MULTIPART_CONTENT
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from openpyxl import load_workbook

from audits.inspections import services as inspections
from audits.inspections.choices import FindingStatus, NoticeStatus, RuleCode, RunStatus, Severity
from audits.inspections.models import Finding, InspectionRule, InspectionRun, RectificationNotice, RunStanding
from audits.inspections.schedule import TASK_NAME, inspection_schedule_set
from audits.inspections.selectors import run_findings, run_report
from audits.trail.models import AuditEvent
from config.celery import app as celery_app
from registry import services
from registry.choices import Platform
from registry.models import MediaAccount
from tests.conftest import established
from tests.permission_matrix import check_matrix
from tests.registry.test_browse_media_accounts import import_accounts

pytestmark = pytest.mark.django_db
_days = itertools.count(1)


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def run_on(day: datetime.date) -> InspectionRun:
    run = InspectionRun.objects.create(inspection_date=day)
    return inspections.inspection_run_execute(run_id=run.pk)


@pytest.fixture
def inspected(file_account, department_a, sub_unit_a, department_b):
    """Three silent accounts (never posted: a veto finding each), one without interaction, inspected today."""
    a = file_account(department_a, name="新城教育")
    sub = file_account(sub_unit_a, name="招生办微博", platform=Platform.WEIBO, has_interaction=False)
    b = file_account(department_b, name="健康新城", platform=Platform.DOUYIN)
    run = run_on(timezone.localdate())
    notices = {notice.department_id: notice for notice in RectificationNotice.objects.all()}
    return SimpleNamespace(
        run=run,
        a=a,
        sub=sub,
        b=b,
        notice_a=notices[department_a.pk],
        notice_sub=notices[sub_unit_a.pk],
        notice_b=notices[department_b.pk],
        finding_a=Finding.objects.get(media_account=a, rule__code=RuleCode.NO_UPDATE),
    )


@pytest.fixture
def eager_celery():
    """Celery runs a task inline when it is sent, as the worker would run it."""
    saved = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = saved


def fresh_notice(department, *, answered_by=None) -> RectificationNotice:
    """A notice of a run of its own (one notice per unit and run), answered if ``answered_by``."""
    run = InspectionRun.objects.create(
        inspection_date=timezone.localdate() - datetime.timedelta(days=next(_days)), status=RunStatus.FINISHED
    )
    notice = RectificationNotice.objects.create(
        department=department, run=run, deadline=timezone.localdate() + datetime.timedelta(days=7)
    )
    if answered_by is not None:
        notice = inspections.notice_respond(actor=answered_by, notice=notice, response="已恢复更新")
    return notice


# Who may see and do what ------------------------------------------------------------------------


def test_it_shows_runs_reports_and_the_schedule_to_the_office_and_auditors_only(
    client_for, personas, inspected
):
    run = inspected.run.pk
    for url in ("/inspections/", f"/inspections/{run}/", f"/inspections/{run}/status/"):
        check_matrix(
            client_for,
            personas,
            "get",
            url,
            office=200,
            auditor=200,
            admin_a=403,
            admin_b=403,
            admin_gov=403,
            anonymous=302,
        )
    check_matrix(
        client_for,
        personas,
        "get",
        f"/inspections/{run}/report.xlsx",
        office=200,
        auditor=200,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )
    check_matrix(
        client_for,
        personas,
        "get",
        "/inspections/999999/",
        office=404,
        auditor=404,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )


def test_it_lets_every_role_read_the_rules_and_only_the_office_edit_them(client_for, personas):
    rule = InspectionRule.objects.get(code=RuleCode.LOW_REACH)
    check_matrix(
        client_for,
        personas,
        "get",
        "/inspections/rules/",
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=200,
        admin_gov=200,
        anonymous=302,
    )
    url = f"/inspections/rules/{rule.pk}/edit/"
    check_matrix(
        client_for,
        personas,
        "get",
        url,
        office=200,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )
    check_matrix(
        client_for,
        personas,
        "post",
        url,
        data={"severity": "warning", "followers": "120", "grace_days": "30", "enabled": "on"},
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )


def test_it_lets_only_the_office_run_an_inspection_or_set_the_schedule(client_for, personas):
    check_matrix(
        client_for,
        personas,
        "post",
        "/inspections/run/",
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )
    check_matrix(
        client_for,
        personas,
        "post",
        "/inspections/schedule/",
        data={"time": "03:30", "enabled": "on"},
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=403,
        admin_gov=403,
        anonymous=302,
    )


def test_it_scopes_findings_and_notices_to_the_unit(client_for, personas, inspected):
    for url in ("/findings/", "/notices/"):
        check_matrix(
            client_for,
            personas,
            "get",
            url,
            office=200,
            auditor=200,
            admin_a=200,
            admin_b=200,
            admin_gov=200,
            anonymous=302,
        )
    for url in (
        f"/findings/{inspected.finding_a.pk}/",
        f"/notices/{inspected.notice_a.pk}/",
        f"/notices/{inspected.notice_sub.pk}/",
    ):
        check_matrix(
            client_for,
            personas,
            "get",
            url,
            office=200,
            auditor=200,
            admin_a=200,
            admin_b=404,
            admin_gov=404,
            anonymous=302,
        )
    client = client_for(personas["admin_b"])
    assert {finding.media_account for finding in client.get("/findings/").context["page"]} == {inspected.b}
    assert [notice.pk for notice in client.get("/notices/").context["page"]] == [inspected.notice_b.pk]


def test_it_lets_only_the_office_waive_a_finding(client_for, personas, file_account, department_a):
    def fresh_finding(name):
        account = file_account(department_a)
        run_on(timezone.localdate())
        return f"/findings/{Finding.objects.filter(media_account=account).first().pk}/waive/"

    check_matrix(
        client_for,
        personas,
        "post",
        fresh_finding,
        data={"reason": "新开账号"},
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )


def test_it_lets_the_unit_and_the_office_answer_a_notice(client_for, personas, department_a):
    check_matrix(
        client_for,
        personas,
        "post",
        lambda name: f"/notices/{fresh_notice(department_a).pk}/respond/",
        data={"respond-response": "已恢复更新"},
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=302,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )


@pytest.mark.parametrize("action,data", [("accept", {}), ("return", {"return-note": "请附截图"})])
def test_it_lets_only_the_office_decide_on_an_answer(
    client_for, personas, department_a, admin_a, action, data
):
    check_matrix(
        client_for,
        personas,
        "post",
        lambda name: f"/notices/{fresh_notice(department_a, answered_by=admin_a).pk}/{action}/",
        data=data,
        content_type=MULTIPART_CONTENT,
        office=302,
        auditor=403,
        admin_a=403,
        admin_b=404,
        admin_gov=404,
        anonymous=302,
    )


def test_it_refuses_a_form_without_its_csrf_token(office_admin, admin_a, inspected):
    posts = {
        office_admin: [
            "/inspections/run/",
            "/inspections/schedule/",
            f"/findings/{inspected.finding_a.pk}/waive/",
        ],
        admin_a: [f"/notices/{inspected.notice_a.pk}/respond/"],
    }
    for user, urls in posts.items():
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        for url in urls:
            assert client.post(url, {"reason": "x", "respond-response": "x"}).status_code == 403
    assert not InspectionRun.objects.exclude(pk=inspected.run.pk).exists()
    inspected.finding_a.refresh_from_db()
    assert inspected.finding_a.status == FindingStatus.OPEN


def test_it_speaks_english_too(client_for, office_admin, inspected):
    client = client_for(office_admin)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    for url in ("/inspections/", f"/inspections/{inspected.run.pk}/", "/findings/", "/inspections/rules/"):
        page = client.get(url).content.decode()
        assert "Inspection runs" in page and "巡查记录" not in page


# Rules -------------------------------------------------------------------------------------------


def test_it_shows_each_rules_source_severity_and_thresholds(client_for, auditor):
    page = client_for(auditor).get("/inspections/rules/").content.decode()
    assert "检查时间点前2周内无更新" in page  # the national indicators, as the office knows them
    assert "未更新天数" in page and "14" in page
    assert "/edit/" not in page  # auditors read


def test_it_shows_a_new_accounts_grace_with_its_source(client_for, auditor):
    page = client_for(auditor).get("/inspections/rules/").content.decode()
    no_update = page.split('data-testid="rule-no_update"')[1].split("</tr>")[0]
    assert "新账号宽限期（天）" in no_update and "<dd>14" in no_update
    assert "新账号宽限期（天）：本平台对新开通账号的规定" in no_update
    low_reach = page.split('data-testid="rule-low_reach"')[1].split("</tr>")[0]
    assert "新账号宽限期（天）" in low_reach and "<dd>30" in low_reach
    stale = page.split('data-testid="rule-stale_record"')[1].split("</tr>")[0]
    assert "宽限期" not in stale


def test_the_office_sets_a_new_accounts_grace(client_for, office_admin):
    rule = InspectionRule.objects.get(code=RuleCode.NO_UPDATE)
    client = client_for(office_admin)
    form = client.get(f"/inspections/rules/{rule.pk}/edit/").content.decode()
    assert 'name="grace_days"' in form and "依据：本平台对新开通账号的规定" in form
    assert "Source:" not in form
    response = client.post(
        f"/inspections/rules/{rule.pk}/edit/",
        {"severity": Severity.VETO, "days": "14", "grace_days": "7", "enabled": "on"},
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.thresholds == {"days": 14, "grace_days": 7}
    event = AuditEvent.objects.get(action="audits.inspection_rule.updated")
    assert event.changes["after"] == {"thresholds": {"days": 14, "grace_days": 7}}


@pytest.mark.parametrize("grace", ["-1", "两周", "", "1.5", "100001"])
def test_it_refuses_a_bad_grace_and_saves_nothing(client_for, office_admin, grace):
    rule = InspectionRule.objects.get(code=RuleCode.LOW_REACH)
    before = rule.thresholds
    response = client_for(office_admin).post(
        f"/inspections/rules/{rule.pk}/edit/",
        {"severity": Severity.WARNING, "followers": "100", "grace_days": grace, "enabled": "on"},
    )
    assert response.status_code == 200 and list(response.context["form"].errors) == ["grace_days"]
    rule.refresh_from_db()
    assert rule.thresholds == before


def test_it_saves_a_rules_thresholds_severity_and_switch(client_for, office_admin):
    rule = InspectionRule.objects.get(code=RuleCode.LOW_FREQUENCY)
    response = client_for(office_admin).post(
        f"/inspections/rules/{rule.pk}/edit/",
        {"severity": Severity.SERIOUS, "posts_per_day": "0.5", "window_days": "14", "grace_days": "30"},
    )
    assert response.status_code == 302 and response["Location"] == "/inspections/rules/"
    rule.refresh_from_db()
    assert (rule.enabled, rule.severity, rule.thresholds) == (
        False,
        Severity.SERIOUS,
        {"posts_per_day": 0.5, "window_days": 14, "grace_days": 30},
    )
    event = AuditEvent.objects.get(action="audits.inspection_rule.updated")
    assert event.actor == office_admin and event.changes["after"]["severity"] == Severity.SERIOUS


@pytest.mark.parametrize(
    "data,field",
    [
        ({"severity": "warning", "days": "-3", "enabled": "on"}, "days"),
        ({"severity": "warning", "days": "十四", "enabled": "on"}, "days"),
        ({"severity": "warning", "days": "", "enabled": "on"}, "days"),
        ({"severity": "fatal", "days": "14", "enabled": "on"}, "severity"),
    ],
)
def test_it_marks_a_bad_value_on_its_field_and_saves_nothing(client_for, office_admin, data, field):
    rule = InspectionRule.objects.get(code=RuleCode.STALE_RECORD)
    before = (rule.enabled, rule.severity, rule.thresholds)
    response = client_for(office_admin).post(f"/inspections/rules/{rule.pk}/edit/", data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert "未保存" in response.content.decode()
    rule.refresh_from_db()
    assert (rule.enabled, rule.severity, rule.thresholds) == before
    assert not AuditEvent.objects.filter(action="audits.inspection_rule.updated").exists()


# The schedule -----------------------------------------------------------------------------------


def test_it_installs_the_daily_run_at_two_in_the_morning_shanghai_time(client_for, auditor):
    task = PeriodicTask.objects.get(name=TASK_NAME)
    assert (task.task, task.enabled) == ("audits.tasks.scheduled_inspection_run", True)
    assert (task.crontab.minute, task.crontab.hour, str(task.crontab.timezone)) == ("0", "2", "Asia/Shanghai")
    page = client_for(auditor).get("/inspections/").content.decode()
    assert "每天02:00" in page and 'data-testid="next-run"' in page


def test_it_moves_the_daily_run_and_leaves_other_jobs_on_the_same_crontab_alone(client_for, office_admin):
    other = PeriodicTask.objects.create(
        name="another job",
        task="audits.tasks.other",
        crontab=PeriodicTask.objects.get(name=TASK_NAME).crontab,
    )
    response = client_for(office_admin).post("/inspections/schedule/", {"time": "03:30", "enabled": "on"})
    assert response.status_code == 302
    task = PeriodicTask.objects.get(name=TASK_NAME)
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("3", "30", True)
    other.refresh_from_db()
    assert (other.crontab.hour, other.crontab.minute) == ("2", "0")
    event = AuditEvent.objects.get(action="audits.inspection_schedule.updated")
    assert event.changes == {"before": {"time": "02:00"}, "after": {"time": "03:30"}}
    page = client_for(office_admin).get("/inspections/").content.decode()
    assert "每天03:30" in page


def test_it_refuses_a_bad_time_and_changes_nothing(client_for, office_admin):
    response = client_for(office_admin).post("/inspections/schedule/", {"time": "25:99", "enabled": "on"})
    assert response.status_code == 200 and "time" in response.context["schedule_form"].errors
    task = PeriodicTask.objects.get(name=TASK_NAME)
    assert (task.crontab.hour, task.crontab.minute) == ("2", "0")


def test_it_turns_the_daily_run_off_and_on_again(office_admin):
    inspection_schedule_set(actor=office_admin, hour=2, minute=0, enabled=False)
    assert not PeriodicTask.objects.get(name=TASK_NAME).enabled
    PeriodicTask.objects.filter(name=TASK_NAME).delete()  # even if someone deleted it in the admin
    inspection_schedule_set(actor=office_admin, hour=2, minute=0, enabled=True)
    assert PeriodicTask.objects.get(name=TASK_NAME).enabled


# Runs and reports -------------------------------------------------------------------------------


def test_it_queues_a_run_and_follows_it_to_the_finished_report(
    client_for, office_admin, file_account, department_a, django_capture_on_commit_callbacks, request
):
    file_account(department_a, name="沉默账号")
    client = client_for(office_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post("/inspections/run/")
    run = InspectionRun.objects.get()
    assert (run.status, run.requested_by) == (RunStatus.QUEUED, office_admin)
    assert response.status_code == 302 and response["Location"] == f"/inspections/{run.pk}/"
    assert len(callbacks) == 1  # the Celery task, sent once the request's transaction commits
    page = client.get(f"/inspections/{run.pk}/").content.decode()
    assert f'data-run-status-url="/inspections/{run.pk}/status/"' in page
    assert client.get(f"/inspections/{run.pk}/status/").json() == {
        "id": run.pk,
        "status": "queued",
        "label": "排队中",
        "under_way": True,
    }

    request.getfixturevalue("eager_celery")
    callbacks[0]()  # the worker's turn
    run.refresh_from_db()
    assert run.status == RunStatus.FINISHED
    assert client.get(f"/inspections/{run.pk}/status/").json()["under_way"] is False
    page = client.get(f"/inspections/{run.pk}/").content.decode()
    assert "data-run-status-url" not in page and "沉默账号" in page  # a red account of the report


def test_it_points_to_the_run_under_way_instead_of_queuing_another(client_for, office_admin):
    client = client_for(office_admin)
    client.post("/inspections/run/")
    response = client.post("/inspections/run/", follow=True)
    assert InspectionRun.objects.count() == 1
    assert "已有一次巡查正在进行" in response.content.decode()


def test_it_reports_findings_by_rule_department_and_platform(
    inspected, department_a, sub_unit_a, department_b
):
    report = run_report(inspected.run)
    by_rule = {row.code: row for row in report.by_rule}
    assert by_rule[RuleCode.NO_UPDATE].open == 3 and by_rule[RuleCode.NO_INTERACTION].open == 1
    assert report.findings == sum(row.open for row in report.by_rule) == report.opened
    assert {row.label: row.findings for row in report.by_department} == {
        department.name: Finding.objects.filter(media_account__department=department).count()
        for department in (department_a, sub_unit_a, department_b)
    }
    assert {row.key: (row.veto, row.serious) for row in report.by_platform} == {
        Platform.WECHAT_OFFICIAL: (1, 0),
        Platform.WEIBO: (1, 1),
        Platform.DOUYIN: (1, 0),
    }
    assert {entry.media_account for entry in report.red_accounts} == {inspected.a, inspected.sub, inspected.b}
    assert report.previous is None


def test_it_reports_the_change_since_the_previous_run(inspected, office_admin, client_for):
    today = timezone.localdate()
    services.metrics_record(
        actor=None,
        rows=[
            {
                "media_account": inspected.a.pk,
                "date": today - datetime.timedelta(days=1),
                "posts": 40,
                "followers": 500,
            }
        ],
    )
    inspections.finding_waive(
        actor=office_admin,
        finding=Finding.objects.get(media_account=inspected.b, rule__code=RuleCode.LOW_REACH),
        reason="新开账号",
    )
    second = run_on(today)
    report = run_report(second)
    assert report.previous == inspected.run
    by_rule = {row.code: row for row in report.by_rule}
    assert (by_rule[RuleCode.NO_UPDATE].open, by_rule[RuleCode.NO_UPDATE].resolved) == (2, 1)
    assert by_rule[RuleCode.LOW_REACH].resolved == 1 and by_rule[RuleCode.LOW_REACH].open == 1
    assert report.opened == 0 and report.carried_over == report.findings
    assert inspected.a not in {entry.media_account for entry in report.red_accounts}
    # The first run's report still shows what that run found.
    assert {entry.media_account for entry in run_report(inspected.run).red_accounts} == {
        inspected.a,
        inspected.sub,
        inspected.b,
    }
    page = client_for(office_admin).get(f"/inspections/{second.pk}/").content.decode()
    assert f'href="/inspections/{inspected.run.pk}/"' in page


def test_it_exports_the_report_as_a_workbook(client_for, auditor, inspected, file_account, department_b):
    file_account(department_b, name='=HYPERLINK("http://x")', platform=Platform.WEIBO)
    run = run_on(timezone.localdate())
    response = client_for(auditor).get(f"/inspections/{run.pk}/report.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["按规则", "按单位", "按平台", "红色账号"]
    by_rule = list(workbook["按规则"].iter_rows(values_only=True))
    assert by_rule[0][0] == f"{run.inspection_date.isoformat()}巡查报告"
    header = by_rule.index(("巡查规则", "严重程度", "巡查问题", "新增", "仍未消除", "已消除"))
    rows = {row[0]: row for row in by_rule[header + 1 :]}
    assert rows["长期未更新"][1:3] == ("单项否决", 4)
    red = list(workbook["红色账号"].iter_rows(min_row=2, values_only=True))
    assert {row[1] for row in red} == {"新城教育", "招生办微博", "健康新城", '=HYPERLINK("http://x")'}
    # An account named like a formula stays text: nothing runs on the office's computer.
    cell = next(c for c in workbook["红色账号"]["B"] if c.value and str(c.value).startswith("="))
    assert cell.data_type == "s"


def test_it_has_no_report_before_the_run_finished(client_for, office_admin):
    run = InspectionRun.objects.create(inspection_date=timezone.localdate())
    response = client_for(office_admin).get(f"/inspections/{run.pk}/report.xlsx")
    assert response.status_code == 302 and response["Location"] == f"/inspections/{run.pk}/"


def test_it_shows_a_failed_runs_error(client_for, office_admin):
    run = InspectionRun.objects.create(
        inspection_date=timezone.localdate(), status=RunStatus.FAILED, error="OperationalError: locked"
    )
    page = client_for(office_admin).get(f"/inspections/{run.pk}/").content.decode()
    assert "巡查失败" in page and "OperationalError: locked" in page and "data-run-status-url" not in page


# Findings ----------------------------------------------------------------------------------------


def test_it_lists_open_findings_unless_asked_otherwise(client_for, office_admin, inspected):
    inspections.finding_waive(actor=office_admin, finding=inspected.finding_a, reason="已核实")
    client = client_for(office_admin)
    shown = {f.pk for f in client.get("/findings/").context["page"]}
    assert inspected.finding_a.pk not in shown and shown
    waived = client.get("/findings/?status=waived").context["page"]
    assert [f.pk for f in waived] == [inspected.finding_a.pk]
    everything = client.get("/findings/?status=").context["page"].paginator.count
    assert everything == Finding.objects.count()


def test_it_filters_findings_by_account_department_rule_and_severity(
    client_for, office_admin, inspected, sub_unit_a
):
    client = client_for(office_admin)

    def shown(query):
        return {
            (f.media_account.name, f.rule.code) for f in client.get(f"/findings/?{query}").context["page"]
        }

    assert {name for name, _code in shown(f"media_account={inspected.a.pk}")} == {"新城教育"}
    assert {name for name, _code in shown(f"department={sub_unit_a.pk}")} == {"招生办微博"}
    assert shown("rule=no_interaction") == {("招生办微博", RuleCode.NO_INTERACTION)}
    assert {code for _name, code in shown("severity=veto")} == {RuleCode.NO_UPDATE}


def test_it_names_a_bad_filter(client_for, admin_b, inspected):
    # An account outside the user's scope is refused like an unknown one.
    response = client_for(admin_b).get(f"/findings/?media_account={inspected.a.pk}&severity=fatal")
    assert set(response.context["filter"].form.errors) == {"media_account", "severity"}
    assert "新城教育" not in response.content.decode()


def test_it_waives_a_finding_with_a_reason(client_for, office_admin, inspected):
    url = f"/findings/{inspected.finding_a.pk}/waive/"
    response = client_for(office_admin).post(url, {"reason": "  "})
    assert response.status_code == 200 and "请填写豁免该问题的理由" in response.content.decode()
    inspected.finding_a.refresh_from_db()
    assert inspected.finding_a.status == FindingStatus.OPEN

    response = client_for(office_admin).post(url, {"reason": "汛期临时账号，已报备"})
    assert response.status_code == 302
    inspected.finding_a.refresh_from_db()
    assert (inspected.finding_a.status, inspected.finding_a.waived_by) == (FindingStatus.WAIVED, office_admin)
    again = client_for(office_admin).post(url, {"reason": "again"})
    assert again.status_code == 409 and "只有待处理的问题才能豁免" in again.content.decode()


# Rectification notices --------------------------------------------------------------------------


def test_it_flags_overdue_notices(client_for, office_admin, department_a):
    late = fresh_notice(department_a)
    RectificationNotice.objects.filter(pk=late.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    fresh_notice(department_a)
    client = client_for(office_admin)
    page = client.get("/notices/").content.decode()
    assert 'data-testid="overdue-count"' in page and f'class="overdue" data-testid="notice-{late.pk}"' in page
    assert [n.pk for n in client.get("/notices/?overdue=true").context["page"]] == [late.pk]


def test_it_takes_a_notice_from_answer_to_return_to_acceptance(client_for, office_admin, admin_a, inspected):
    notice = inspected.notice_a
    unit, office = client_for(admin_a), client_for(office_admin)
    url = f"/notices/{notice.pk}/"
    assert unit.get(url).context["response_form"] is not None

    empty = unit.post(url + "respond/", {"respond-response": ""})
    assert empty.status_code == 200 and "请说明整改情况" in empty.content.decode()
    assert unit.post(url + "respond/", {"respond-response": "已恢复更新，每日发布"}).status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.responded_by) == (NoticeStatus.RESPONDED, admin_a)

    no_note = office.post(url + "return/", {"return-note": ""})
    assert no_note.status_code == 200 and "请说明还缺少什么" in no_note.content.decode()
    assert office.post(url + "return/", {"return-note": "请附更新截图"}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.OPEN
    assert "请附更新截图" in unit.get(url).content.decode()

    unit.post(url + "respond/", {"respond-response": "截图已附"})
    assert office.post(url + "accept/", {"accept-note": ""}).status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ACCEPTED
    assert not notice.findings.filter(status=FindingStatus.OPEN).exists()

    late = office.post(url + "accept/", {})
    assert late.status_code == 409 and "只有已答复的通知才能审核通过" in late.content.decode()


# The dashboard -----------------------------------------------------------------------------------


def test_it_shows_the_latest_runs_figures_and_the_trend_on_the_dashboard(
    client_for, office_admin, admin_b, inspected, django_assert_max_num_queries
):
    inspections.finding_waive(actor=office_admin, finding=inspected.finding_a, reason="已核实")
    run_on(timezone.localdate() + datetime.timedelta(days=1))  # the next day's run
    response = client_for(office_admin).get("/")
    dashboard = response.context["inspection"]
    by_severity = {severity: count for severity, _label, count in dashboard.by_severity}
    assert by_severity[Severity.VETO] == 2 and by_severity[Severity.SERIOUS] == 1  # the waived one is out
    assert dashboard.red_accounts == 2 and dashboard.notices_open == 3
    assert [series["data"] for series in dashboard.charts["trend"]["series"] if series["key"] == "veto"] == [
        [3, 2]
    ]
    page = response.content.decode()
    assert 'data-testid="red-accounts">2<' in page and 'data-inspection-chart="trend"' in page
    # A unit sees its own figures only.
    unit = client_for(admin_b).get("/").context["inspection"]
    assert unit.red_accounts == 1 and unit.notices_open == 1
    assert {grade: count for grade, _label, count in unit.grades} == {"green": 0, "amber": 0, "red": 1}


def test_it_keeps_for_each_run_and_unit_what_the_findings_say_stood_after_it(
    office_admin, admin_a, inspected
):
    """The dashboard's trend reads the standings a run records as it finishes; they are what its
    report counts from the findings, whatever happened to the findings afterwards."""
    first = inspected.run
    inspections.finding_waive(actor=office_admin, finding=inspected.finding_a, reason="已核实")
    second = run_on(timezone.localdate() + datetime.timedelta(days=1))
    notice = inspected.notice_a  # accepted after both runs: its findings resolved, yet they stood then
    inspections.notice_respond(actor=admin_a, notice=notice, response="已恢复更新")
    inspections.notice_accept(actor=office_admin, notice=notice, note="")
    for run in (first, second):
        counted = {}
        for finding in run_findings(run).select_related("media_account"):
            unit = counted.setdefault(finding.media_account.department_id, {"red": set()})
            unit[finding.severity] = unit.get(finding.severity, 0) + 1
            if finding.severity in (Severity.VETO, Severity.SERIOUS):
                unit["red"].add(finding.media_account_id)
        kept = {standing.department_id: standing for standing in RunStanding.objects.filter(run=run)}
        assert counted and set(kept) == set(counted)
        for department_id, unit in counted.items():
            standing = kept[department_id]
            assert standing.red_accounts == len(unit["red"])
            for severity in Severity.values:
                assert getattr(standing, severity) == unit.get(severity, 0), (run, department_id, severity)


# Query counts -----------------------------------------------------------------------------------


def test_it_reads_the_inspection_pages_in_the_same_queries_for_10_and_200_accounts(
    client_for, office_admin, admin_a, government, department_a, department_b, django_assert_max_num_queries
):
    units = [government, department_a, department_b]
    import_accounts(office_admin, units, 10)
    run_on(timezone.localdate() - datetime.timedelta(days=1))
    run = run_on(timezone.localdate())
    notice = RectificationNotice.objects.filter(department=department_a).first()
    pages = [
        "/inspections/",
        f"/inspections/{run.pk}/",
        f"/inspections/{run.pk}/report.xlsx",
        "/inspections/rules/",
        "/findings/",
        f"/findings/?severity=veto&department={department_a.pk}",
        "/notices/",
        f"/notices/{notice.pk}/",
        "/",
    ]
    counts = {}
    for persona in (office_admin, admin_a):
        client = client_for(persona)
        for url in pages:
            with django_assert_max_num_queries(40) as captured:
                status = client.get(url).status_code
            counts[(persona.pk, url)] = (status, len(captured.captured_queries))

    import_accounts(office_admin, units, 190, start=10)
    run_on(run.inspection_date)
    assert MediaAccount.objects.count() == 200 and Finding.objects.count() > 400
    for persona in (office_admin, admin_a):
        client = client_for(persona)
        for url in pages:
            status, few = counts[(persona.pk, url)]
            with django_assert_max_num_queries(few):
                assert client.get(url).status_code == status
