"""Coordinated releases (集中发声) in a real browser: the office writes a task and starts it, each unit
is told, reports its accounts' posts and sees the relay rate move; the office excuses a part with its
reason (docs/design.md §4.10).

Some of the pages' labels are still being translated: the steps find the pages' elements by their
test ids and form fields, not by their wording."""

import datetime
import re

import pytest
from django.utils import timezone

from audits.releases import services as releases
from audits.releases.choices import AssignmentStatus, ReleaseMode, ReleaseTaskStatus
from audits.releases.models import ReleaseAssignment, ReleaseTask
from registry.choices import Platform
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ORIGINAL = "https://www.xincheng.gov.cn/2024/flood-warning.html"


@pytest.fixture
def matrix(file_account, department_a, department_b):
    """Two accounts of department A (a WeChat official account and a Weibo), one of department B."""
    return {
        "教育公众号": file_account(department_a, name="新城教育发布"),
        "教育微博": file_account(department_a, name="新城教育微博", platform=Platform.WEIBO),
        "卫健公众号": file_account(department_b, name="健康新城发布"),
    }


@pytest.fixture
def started_task(office_admin, matrix):
    """A relay task for the whole matrix (no scope chosen), under way since an hour ago until tomorrow."""
    now = timezone.now()
    task = releases.release_task_create(
        actor=office_admin,
        title="防汛预警信息集中发布",
        mode=ReleaseMode.RELAY,
        link=ORIGINAL,
        window_start=now - datetime.timedelta(hours=1),
        window_end=now + datetime.timedelta(days=1),
    )
    return releases.release_task_start(actor=office_admin, task=task)


def local_input(moment):
    """A moment as a datetime-local input takes it, in the site's time zone."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def unit_row(page, department):
    """The cells of a unit's row of the progress table: required, done, late, missed, pending, rate."""
    row = page.get_by_test_id("release-units").locator("tbody tr").filter(has_text=department.name)
    return [cell.strip() for cell in row.locator("td").all_inner_texts()]


def test_it_lets_the_office_write_a_task_start_it_and_follow_every_unit(
    page, sign_in, office_admin, admin_a, admin_b, matrix, department_a, department_b
):
    sign_in("office", PASSWORD)

    page.goto("/releases/")
    page.get_by_test_id("new-release-task").click()
    page.wait_for_url("**/releases/new/")
    now = timezone.now()
    page.locator("#id_title").fill("防汛预警信息集中发布")
    page.locator("#id_body").fill("请各单位转发区防汛指挥部的暴雨预警。")
    page.locator("#id_link").fill(ORIGINAL)
    page.locator("#id_mode").select_option(ReleaseMode.RELAY)
    page.locator("#id_window_start").fill(local_input(now - datetime.timedelta(hours=1)))
    page.locator("#id_window_end").fill(local_input(now + datetime.timedelta(days=1)))
    # Only the WeChat official accounts must act: no unit chosen is every unit.
    page.locator(f"input[name=platforms][value={Platform.WECHAT_OFFICIAL}]").check()
    page.locator("form:has(#id_title) button[type=submit]").click()

    page.wait_for_url(re.compile(r"/releases/\d+/$"))
    task = ReleaseTask.objects.get()
    assert page.locator("h1").inner_text() == "防汛预警信息集中发布"
    assert (task.status, task.mode, task.link) == (ReleaseTaskStatus.DRAFT, ReleaseMode.RELAY, ORIGINAL)
    assert task.platforms == [Platform.WECHAT_OFFICIAL]
    assert task.window_end - task.window_start == datetime.timedelta(days=1, hours=1)
    # A draft asks nothing of anyone yet.
    assert page.get_by_test_id("release-progress").count() == 0
    assert not ReleaseAssignment.objects.exists()

    page.get_by_test_id("start-release-task").click()
    page.wait_for_url(f"**/releases/{task.pk}/")
    assert page.get_by_test_id("start-release-task").count() == 0
    assert "0%" in page.get_by_test_id("release-rate").inner_text()
    # One WeChat official account in each unit: the Weibo is out of the task's scope.
    assert page.get_by_test_id("release-units").locator("tbody tr").count() == 2
    assert unit_row(page, department_a) == ["1", "0", "0", "0", "1", "0%"]
    assert unit_row(page, department_b) == ["1", "0", "0", "0", "1", "0%"]
    parts = page.get_by_test_id("release-parts")
    assert parts.locator("tbody tr").count() == 2
    for name in ("新城教育发布", "健康新城发布"):
        part = parts.get_by_test_id(f"part-{name}")
        assert part.locator(".chip.release-pending").is_visible()
        # The office acts for every unit: it may report a part, and it alone excuses one.
        assert part.get_by_test_id(f"report-{name}").is_visible()
        assert part.locator("form[action$='/excuse/']").is_visible()
    assert parts.get_by_test_id("part-新城教育微博").count() == 0

    page.goto("/releases/")
    row = page.get_by_test_id("release-tasks").locator("tbody tr").filter(has_text="防汛预警信息集中发布")
    # Required, done in time, late, missed; then the relay rate.
    assert [cell.strip() for cell in row.locator("td.num").all_inner_texts()] == ["2", "0", "0", "0"]
    assert "0%" in row.locator("td").last.inner_text()


def test_a_unit_is_told_and_reports_its_accounts_post(
    page, sign_in, admin_a, admin_b, matrix, started_task, department_a
):
    sign_in("dept-edu", PASSWORD)

    page.get_by_test_id("notification-bell").click()
    page.wait_for_url("**/notifications/")
    told = page.get_by_test_id("notification").filter(has_text="防汛预警信息集中发布")
    assert told.count() == 1
    told.get_by_role("button", name="防汛预警信息集中发布").click()
    page.wait_for_url(f"**/releases/{started_task.pk}/")

    # The unit sees its own accounts' parts and its own progress only.
    parts = page.get_by_test_id("release-parts")
    assert parts.locator("tbody tr").count() == 2
    assert parts.get_by_test_id("part-健康新城发布").count() == 0
    assert page.get_by_test_id("release-units").locator("tbody tr").count() == 1
    assert unit_row(page, department_a) == ["2", "0", "0", "0", "2", "0%"]
    assert "0%" in page.get_by_test_id("release-rate").inner_text()

    post_url = "https://mp.weixin.qq.com/s/flood-warning-relay"
    part = parts.get_by_test_id("part-新城教育发布")
    assert part.locator("form[action$='/excuse/']").count() == 0  # excusing a part is the office's
    part.locator("input[name=post_url]").fill(post_url)
    part.get_by_test_id("report-新城教育发布").click()
    page.wait_for_url(f"**/releases/{started_task.pk}/#part-*")

    part = page.get_by_test_id("release-parts").get_by_test_id("part-新城教育发布")
    assert part.locator(".chip.release-done").is_visible()
    assert part.locator(f'a[href="{post_url}"]').is_visible()
    assert part.get_by_test_id("report-新城教育发布").count() == 0
    # One of the unit's two accounts done in time: half its relay rate.
    assert "50%" in page.get_by_test_id("release-rate").inner_text()
    assert unit_row(page, department_a) == ["2", "1", "0", "0", "1", "50%"]
    reported = ReleaseAssignment.objects.get(media_account=matrix["教育公众号"])
    assert (reported.status, reported.post_url, reported.reported_by) == (
        AssignmentStatus.DONE,
        post_url,
        admin_a,
    )

    # The list shows the unit its task, with the same count.
    page.goto("/releases/")
    row = page.get_by_test_id("release-tasks").locator("tbody tr").filter(has_text="防汛预警信息集中发布")
    assert [cell.strip() for cell in row.locator("td.num").all_inner_texts()] == ["2", "1", "0", "0"]
    assert "50%" in row.locator("td").last.inner_text()


def test_the_office_excuses_a_part_with_its_reason(
    page, sign_in, office_admin, admin_a, admin_b, matrix, started_task, department_b
):
    sign_in("office", PASSWORD)

    page.goto(f"/releases/{started_task.pk}/")
    assert unit_row(page, department_b) == ["1", "0", "0", "0", "1", "0%"]
    part = page.get_by_test_id("release-parts").get_by_test_id("part-健康新城发布")
    excuse = part.locator("form[action$='/excuse/']")
    excuse.locator("input[name=reason]").fill("账号正在迁移，暂停发布")
    excuse.get_by_role("button").click()
    page.wait_for_url(f"**/releases/{started_task.pk}/#part-*")

    part = page.get_by_test_id("release-parts").get_by_test_id("part-健康新城发布")
    assert part.locator(".chip.release-excused").is_visible()
    assert "账号正在迁移，暂停发布" in part.inner_text()
    assert part.locator("form[action$='/excuse/']").count() == 0
    # An excused part no longer counts as required: the unit has none left.
    assert unit_row(page, department_b) == ["0", "0", "0", "0", "0", "—"]
    required = page.get_by_test_id("release-progress").locator(".kpis strong").first
    assert required.inner_text() == "2"  # of the three accounts, the two of department A
    excused = ReleaseAssignment.objects.get(media_account=matrix["卫健公众号"])
    assert (excused.status, excused.excused_by, excused.excuse_reason) == (
        AssignmentStatus.EXCUSED,
        office_admin,
        "账号正在迁移，暂停发布",
    )
