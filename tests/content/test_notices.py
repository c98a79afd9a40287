"""Wording hits in the existing machinery: a serious hit makes the account red and goes back to its
unit in the next run's rectification notice; the unit answers; the office accepts and it is resolved."""

import datetime

from django.utils import timezone

from audits.inspections import services as inspections
from audits.inspections.choices import FindingStatus, Grade, NoticeStatus, RuleCode, Severity
from audits.inspections.models import Finding, InspectionRun
from audits.inspections.selectors import run_report, with_grade, wording_by_unit
from content import services as content
from content.choices import Lexicon
from content.posts import check_post_rows
from registry.models import MediaAccount


def test_a_serious_hit_goes_to_the_unit_in_a_notice_and_is_answered(
    file_account, department_a, admin_a, office_admin, inline_worker
):
    account = file_account(department_a, name="教育发布")
    content.lexicon_entry_create(
        actor=office_admin,
        lexicon=Lexicon.SERIOUS,
        term="台湾总统",
        correct_form="台湾地区领导人",
        severity=Severity.VETO,
    )
    published = (timezone.localtime() - datetime.timedelta(hours=2)).isoformat()
    row = {
        "media_account": account.pk,
        "platform_post_id": "p1",
        "published_at": published,
        "kind": "original",
        "text": "……台湾总统……",
    }
    with inline_worker():
        content.posts_record(actor=admin_a, rows=check_post_rows(admin_a, [(0, row)]))
    hit = Finding.objects.get(rule__code=RuleCode.WORDING_SERIOUS)
    assert with_grade(MediaAccount.objects.filter(pk=account.pk)).get().grade == Grade.RED

    run = InspectionRun.objects.create(inspection_date=timezone.localdate())
    inspections.inspection_run_execute(run_id=run.pk)
    hit.refresh_from_db()
    assert hit.status == FindingStatus.OPEN  # the run does not resolve what the scan found
    notice = hit.notice
    assert notice is not None and notice.department == department_a

    inspections.notice_respond(actor=admin_a, notice=notice, response="已改为“台湾地区领导人”。")
    inspections.notice_accept(actor=office_admin, notice=notice)
    hit.refresh_from_db()
    assert (hit.status, hit.notice.status) == (FindingStatus.RESOLVED, NoticeStatus.ACCEPTED)


def test_the_run_report_and_the_weekly_ranking_count_the_hits_per_unit(
    client_for, file_account, department_a, admin_a, office_admin, inline_worker
):
    account = file_account(department_a, name="教育发布")
    content.lexicon_entry_create(actor=office_admin, lexicon=Lexicon.SENSITIVE, term="赌博", category="违法")
    content.lexicon_entry_create(
        actor=office_admin, lexicon=Lexicon.MISUSED, term="再接再励", correct_form="再接再厉"
    )
    published = (timezone.localtime() - datetime.timedelta(hours=2)).isoformat()
    rows = [
        {
            "media_account": account.pk,
            "platform_post_id": f"p{n}",
            "published_at": published,
            "kind": "original",
            "text": text,
        }
        for n, text in enumerate(["严禁赌博。", "再接再励，严禁赌博。", "无事。"])
    ]
    with inline_worker():
        content.posts_record(actor=admin_a, rows=check_post_rows(admin_a, enumerate(rows)))
    run = InspectionRun.objects.create(inspection_date=timezone.localdate())
    inspections.inspection_run_execute(run_id=run.pk)
    [unit] = [row for row in run_report(run).by_department if row.key == department_a.pk]
    assert unit.wording == 3
    [weekly] = wording_by_unit(
        admin_a,
        since=timezone.localtime() - datetime.timedelta(days=7),
        until=timezone.localtime() + datetime.timedelta(days=1),
    )
    assert (weekly.department, weekly.sensitive, weekly.misused, weekly.serious) == (
        department_a.name,
        2,
        1,
        0,
    )
    # The weekly ranking's page shows the same table for its week.
    assert 'data-testid="weekly-wording"' in client_for(admin_a).get("/rankings/").content.decode()
