"""Coordinated releases over REST (集中发声): the office runs a task from creation to its report, units
report their parts, posts complete parts on their own, and the missed parts become findings."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import Notification
from audits.inspections import services as inspections
from audits.inspections.models import Finding, InspectionRun
from audits.releases import services
from audits.releases.choices import AssignmentStatus
from audits.releases.models import ReleaseAssignment, ReleaseTask
from audits.trail.models import AuditEvent
from content import services as content
from content.posts import check_post_rows
from registry.choices import Platform
from tests.conftest import established

TASKS = "/api/v1/release-tasks/"
PARTS = "/api/v1/release-assignments/"
ORIGINAL = "https://www.gov.cn/xinwen/2026-12/01/content_1.htm"


def hours(n: float) -> str:
    return (timezone.localtime() + datetime.timedelta(hours=n)).isoformat()


@pytest.fixture
def matrix(file_account, department_a, department_b):
    """Two accounts of unit A (WeChat and Weibo), one of unit B, and a closed one of unit B."""
    filer = established(file_account)
    a_wechat = filer(department_a, name="教育发布")
    a_weibo = filer(department_a, name="教育微博", platform=Platform.WEIBO)
    b_wechat = filer(department_b, name="健康发布")
    return {"a_wechat": a_wechat, "a_weibo": a_weibo, "b_wechat": b_wechat}


def create(client, **fields):
    body = {
        "title": "关于做好冬季安全的倡议",
        "mode": "relay",
        "link": ORIGINAL,
        "window_start": hours(-1),
        "window_end": hours(24),
        **fields,
    }
    return client.post(TASKS, body, format="json")


def test_the_office_runs_a_task_from_creation_to_its_report(api_for, office_admin, admin_a, admin_b, matrix):
    office = api_for(office_admin)
    created = create(office)
    assert created.status_code == 201, created.json()
    task = created.json()
    assert task["status"] == "draft" and task["actions"] == ["start"]
    started = office.post(f"{TASKS}{task['id']}/start/")
    assert started.status_code == 200 and started.json()["status"] == "started"
    assert ReleaseAssignment.objects.filter(task_id=task["id"]).count() == 3
    # Each unit is told of its accounts, once per administrator.
    assert Notification.objects.filter(user=admin_a).count() == 1
    assert Notification.objects.filter(user=admin_b).count() == 1
    assert office.post(f"{TASKS}{task['id']}/start/").status_code == 409

    unit = api_for(admin_a)
    parts = unit.get(PARTS, {"task": task["id"]}).json()["results"]
    assert {part["account"]["name"] for part in parts} == {"教育发布", "教育微博"}  # its own only
    done = unit.post(
        f"{PARTS}{parts[0]['id']}/report/", {"post_url": "https://mp.weixin.qq.com/s/abc"}, format="json"
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert (
        unit.post(
            f"{PARTS}{parts[0]['id']}/report/", {"post_url": "https://x.cn/1"}, format="json"
        ).status_code
        == 409
    )
    other = ReleaseAssignment.objects.get(media_account=matrix["b_wechat"])
    assert (
        unit.post(f"{PARTS}{other.pk}/report/", {"post_url": "https://x.cn/1"}, format="json").status_code
        == 404
    )
    excused = office.post(f"{PARTS}{parts[1]['id']}/excuse/", {"reason": "账号迁移中"}, format="json")
    assert excused.status_code == 200 and excused.json()["status"] == "excused"

    progress = office.get(f"{TASKS}{task['id']}/progress/").json()
    assert {
        key: progress[key] for key in ("required", "done", "late", "missed", "excused", "pending", "rate")
    } == {
        "required": 2,
        "done": 1,
        "late": 0,
        "missed": 0,
        "excused": 1,
        "pending": 1,
        "rate": 0.5,
    }
    by_unit = {row["department_name"]: row["rate"] for row in progress["by_department"]}
    assert by_unit == {matrix["a_wechat"].department.name: 1.0, matrix["b_wechat"].department.name: 0.0}
    # A unit's progress is its own units'.
    assert unit.get(f"{TASKS}{task['id']}/progress/").json()["required"] == 1
    assert {event.action for event in AuditEvent.objects.filter(action__startswith="audits.release")} >= {
        "audits.release_task.created",
        "audits.release_task.started",
        "audits.release_part.reported",
        "audits.release_part.excused",
    }


def test_only_the_office_creates_starts_and_excuses(api_for, admin_a, auditor, matrix):
    assert create(api_for(admin_a)).status_code == 403
    assert create(api_for(auditor)).status_code == 403


def test_a_task_chosen_by_platform_reaches_only_those_accounts(api_for, office_admin, matrix):
    office = api_for(office_admin)
    task = create(office, platforms=["weibo"]).json()
    office.post(f"{TASKS}{task['id']}/start/")
    assert list(ReleaseAssignment.objects.values_list("media_account__name", flat=True)) == ["教育微博"]


def test_bad_input_is_named_and_changes_nothing(api_for, office_admin, matrix):
    office = api_for(office_admin)
    answer = create(office, window_end=hours(-2), platforms=["myspace"], mode="shout")
    assert answer.status_code == 400
    assert {"platforms[0]", "mode"} <= set(answer.json()["fields"])
    answer = create(office, window_end=hours(-2))
    assert answer.status_code == 400 and "window_end" in answer.json()["fields"]
    assert not ReleaseTask.objects.exists()


def test_a_post_that_carries_the_original_completes_the_part_on_its_own(
    api_for, office_admin, admin_a, matrix
):
    office = api_for(office_admin)
    task = create(office).json()
    office.post(f"{TASKS}{task['id']}/start/")
    rows = [
        {
            "media_account": matrix["a_wechat"].pk,
            "platform_post_id": "r1",
            "published_at": hours(-0.5),
            "kind": "repost",
            "text": f"转发：{ORIGINAL}",
        }
    ]
    content.posts_record(actor=admin_a, rows=check_post_rows(admin_a, enumerate(rows)))
    assert services.release_posts_match() == 1
    part = ReleaseAssignment.objects.get(media_account=matrix["a_wechat"])
    assert (part.status, part.post.platform_post_id, part.reported_by) == (AssignmentStatus.DONE, "r1", None)


def test_a_missed_window_opens_a_finding_and_goes_into_the_units_notice(
    api_for, office_admin, admin_a, matrix
):
    office = api_for(office_admin)
    task = create(office).json()
    office.post(f"{TASKS}{task['id']}/start/")
    ReleaseTask.objects.filter(pk=task["id"]).update(window_end=timezone.now() - datetime.timedelta(hours=1))
    assert services.release_parts_close() == 3
    late = api_for(admin_a).post(
        f"{PARTS}{ReleaseAssignment.objects.get(media_account=matrix['a_weibo']).pk}/report/",
        {"post_url": "https://weibo.com/1/2"},
        format="json",
    )
    assert late.json()["status"] == "late"  # reported after the window: late, not missed
    run = InspectionRun.objects.create(inspection_date=timezone.localdate() + datetime.timedelta(days=1))
    inspections.inspection_run_execute(run_id=run.pk)
    missed = Finding.objects.filter(rule__code="release_missed")
    assert set(missed.values_list("media_account__name", flat=True)) == {"教育发布", "健康发布"}
    assert all(finding.notice is not None for finding in missed)
    assert missed.get(media_account=matrix["a_wechat"]).detail == {"missed": 1}
