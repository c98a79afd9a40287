"""Release tasks in the browser: the office writes a task with its image, starts it and follows it; the
image is served only to those who see the task, and only as the image it was checked to be."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits.releases.models import ReleaseAssignment, ReleaseTask
from registry.choices import Platform
from tests.conftest import established

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def matrix(file_account, department_a, department_b):
    filer = established(file_account)
    return [
        filer(department_a, name="教育发布"),
        filer(department_a, name="教育微博", platform=Platform.WEIBO),
        filer(department_b, name="健康发布"),
    ]


def form(**fields):
    start = timezone.localtime() - datetime.timedelta(hours=1)
    return {
        "title": "关于做好冬季安全的倡议",
        "body": "请各账号转发。",
        "link": "https://www.gov.cn/a.htm",
        "mode": "relay",
        "window_start": start.strftime("%Y-%m-%dT%H:%M"),
        "window_end": (start + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        **fields,
    }


def test_the_office_writes_a_task_with_its_image_and_starts_it(
    client_for, office_admin, admin_a, admin_b, matrix
):
    office = client_for(office_admin)
    response = office.post(
        "/releases/new/", form(image=SimpleUploadedFile("海报.png", PNG), platforms=["wechat_official"])
    )
    assert response.status_code == 302
    task = ReleaseTask.objects.get()
    assert task.image.name.endswith(".png") and "海报" not in task.image.name
    assert office.post(f"/releases/{task.pk}/start/").status_code == 302
    assert ReleaseAssignment.objects.filter(task=task).count() == 2  # the two WeChat accounts
    page = office.get(f"/releases/{task.pk}/").content.decode()
    assert f"/releases/{task.pk}/image/" in page and 'data-testid="release-progress"' in page
    image = office.get(f"/releases/{task.pk}/image/")
    assert image["Content-Type"] == "image/png"
    assert image["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # A unit with a part sees the task and its image; the task's report downloads.
    assert client_for(admin_a).get(f"/releases/{task.pk}/image/").status_code == 200
    assert client_for(admin_a).get(f"/releases/{task.pk}/report.xlsx").status_code == 200


def test_an_image_that_is_no_image_is_refused_and_nothing_is_saved(client_for, office_admin, matrix):
    svg = SimpleUploadedFile("poster.png", b"<svg xmlns='http://www.w3.org/2000/svg'><script/></svg>")
    response = client_for(office_admin).post("/releases/new/", form(image=svg))
    assert response.status_code == 400
    assert not ReleaseTask.objects.exists()


def test_a_unit_sees_only_the_tasks_that_gave_its_accounts_a_part(client_for, office_admin, admin_b, matrix):
    office = client_for(office_admin)
    office.post("/releases/new/", form(platforms=["weibo"]))
    task = ReleaseTask.objects.get()
    office.post(f"/releases/{task.pk}/start/")
    outsider = client_for(admin_b)
    assert outsider.get(f"/releases/{task.pk}/").status_code == 404
    assert "关于做好冬季安全的倡议" not in outsider.get("/releases/").content.decode()


def test_the_rate_is_where_people_look(client_for, office_admin, admin_a, matrix, department_a):
    from audits.releases import services

    office = client_for(office_admin)
    office.post("/releases/new/", form())
    task = ReleaseTask.objects.get()
    services.release_task_start(actor=office_admin, task=task)
    part = ReleaseAssignment.objects.get(media_account=matrix[0])
    services.release_assignment_report(
        actor=admin_a, assignment=part, post_url="https://mp.weixin.qq.com/s/1"
    )
    ReleaseTask.objects.filter(pk=task.pk).update(window_end=timezone.now() - datetime.timedelta(minutes=1))
    services.release_parts_close()
    home = office.get("/").content.decode()
    assert 'data-testid="release-dashboard"' in home and "33%" in home  # 1 of 3 in time
    unit_page = client_for(admin_a).get(f"/departments/{department_a.pk}/").content.decode()
    assert 'data-testid="unit-release-rate"' in unit_page and "50%" in unit_page  # 1 of its 2
    assert 'data-testid="weekly-releases"' in office.get("/rankings/").content.decode()
    assert 'data-testid="command-view"' in office.get("/command/").content.decode()


def test_a_unit_picks_its_accounts_post_from_those_since_the_window_opened(
    client_for, office_admin, admin_a, matrix
):
    from audits.releases import services
    from content import services as content
    from content.posts import check_post_rows

    office = client_for(office_admin)
    office.post("/releases/new/", form())
    task = ReleaseTask.objects.get()
    services.release_task_start(actor=office_admin, task=task)
    published = (timezone.localtime() - datetime.timedelta(minutes=30)).isoformat()
    row = {
        "media_account": matrix[0].pk,
        "platform_post_id": "r1",
        "published_at": published,
        "kind": "repost",
        "title": "转发：冬季安全倡议",
    }
    content.posts_record(actor=admin_a, rows=check_post_rows(admin_a, [(0, row)]))
    unit = client_for(admin_a)
    page = unit.get(f"/releases/{task.pk}/").content.decode()
    assert 'data-testid="pick-教育发布"' in page and 'data-testid="pick-教育微博"' not in page  # no post
    part = ReleaseAssignment.objects.get(media_account=matrix[0])
    post = content.Post.objects.get(platform_post_id="r1")
    assert (
        unit.post(f"/release-parts/{part.pk}/report/", {"post": post.pk, "post_url": ""}).status_code == 302
    )
    part.refresh_from_db()
    assert (part.status, part.post) == ("done", post)
