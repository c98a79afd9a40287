"""The command view (指挥中心) in a real browser: one page left open on a large screen, reloading itself,
showing the tasks under way, the silent accounts, the serious findings, the week's top accounts and the
matrix coloured by grade (docs/design.md §4.10); it reads at a distance and loads nothing from outside.

Some of the page's labels are still being translated: the steps find its panels by their test ids."""

import datetime

import pytest
from django.utils import timezone

from audits.inspections import services as inspections
from audits.inspections.tasks import execute_inspection_run
from audits.ranking.selectors import latest_complete_week
from audits.ranking.services import weekly_index_compute
from audits.releases import services as releases
from audits.releases.choices import ReleaseMode
from audits.releases.models import ReleaseAssignment
from registry import services
from registry.choices import Platform
from tests.conftest import PASSWORD, established

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ORIGINAL = "https://www.xincheng.gov.cn/2024/flood-warning.html"
WECHAT, WEIBO = str(Platform.WECHAT_OFFICIAL.label), str(Platform.WEIBO.label)
PANELS = ("command-tasks", "command-silent", "command-serious", "command-top", "command-matrix")
# What a large screen read from across the room needs at the least (the panels' headings).
HEADING_MIN_PX = 20
ASSETS = {"script", "stylesheet", "image", "font", "media"}
SILENT_SINCE = 20  # days since the silent account's last post: past the two weeks of `no_update`


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


@pytest.fixture
def queued(monkeypatch):
    """Runs sent to Celery, kept here: the test plays the worker."""
    sent = []
    monkeypatch.setattr(execute_inspection_run, "delay", sent.append)
    return sent


@pytest.fixture
def district(office_admin, admin_a, admin_b, file_account, department_a, department_b, queued):
    """Four accounts, one of each grade and a second red, judged by an inspection run today:

    - 新城教育发布 (A, WeChat): last posted 20 days ago: silent, a veto (red);
    - 新城教育微博 (A, Weibo): new, its unit names no first responsible person: a warning (amber);
    - 健康新城发布 (B, WeChat): new, with every person on file: nothing found (green);
    - 健康新城微博 (B, Weibo): posted last week, the public cannot write to it: serious (red).

    The last complete week's index is computed, the Weibo of B the only one that posted in it.
    """
    services.department_update(actor=office_admin, department=department_b, first_responsible_person="张主任")
    on_file = {"responsible_person": "王五", "operators": [{"name": "李四", "employment": "staff"}]}
    accounts = {
        "教育公众号": file_account(department_a, name="新城教育发布"),
        "教育微博": file_account(
            department_a, name="新城教育微博", platform=Platform.WEIBO, activated_on=None, **on_file
        ),
        "卫健公众号": file_account(department_b, name="健康新城发布", activated_on=None, **on_file),
        "卫健微博": file_account(
            department_b, name="健康新城微博", platform=Platform.WEIBO, has_interaction=False
        ),
    }
    week = latest_complete_week()
    services.metrics_record(
        actor=None,
        rows=[
            {
                "media_account": accounts["教育公众号"].pk,
                "date": timezone.localdate() - datetime.timedelta(days=SILENT_SINCE),
                "posts": 1,
            },
            {"media_account": accounts["卫健微博"].pk, "date": week + datetime.timedelta(days=1), "posts": 3},
        ],
    )
    weekly_index_compute(week_start=week)
    run = inspections.inspection_run_request(actor=office_admin)
    inspections.inspection_run_execute(run_id=run.pk)
    assert queued == [run.pk]
    return accounts


@pytest.fixture
def started_task(office_admin, admin_a, district):
    """A relay task for the whole matrix, under way since an hour ago until tomorrow; department A has
    reported its WeChat official account's post."""
    now = timezone.now()
    task = releases.release_task_create(
        actor=office_admin,
        title="防汛预警信息集中发布",
        mode=ReleaseMode.RELAY,
        link=ORIGINAL,
        window_start=now - datetime.timedelta(hours=1),
        window_end=now + datetime.timedelta(days=1),
    )
    task = releases.release_task_start(actor=office_admin, task=task)
    releases.release_assignment_report(
        actor=admin_a,
        assignment=ReleaseAssignment.objects.get(task=task, media_account=district["教育公众号"]),
        post_url="https://mp.weixin.qq.com/s/flood-warning-relay",
    )
    return task


def task_panel(page, title):
    return page.get_by_test_id("command-tasks").locator(".command-task").filter(has_text=title)


def count_badge(page, panel):
    return page.get_by_test_id(panel).locator("h2 .command-count").inner_text()


def matrix(page):
    """The matrix as {unit: {platform: "grade-… count"}}: "no-grade" for accounts not graded (awaiting
    approval), "" for a cell without accounts."""
    table = page.get_by_test_id("command-matrix").locator("table")
    platforms = table.locator("thead th").all_inner_texts()[1:]
    rows = {}
    for row in table.locator("tbody tr").all():
        cells = row.locator("td").evaluate_all(
            """cells => cells.map(cell => {
                const count = cell.querySelector(".command-cell");
                return count ? `${count.classList[1] || "no-grade"} ${count.textContent.trim()}` : "";
            })"""
        )
        rows[row.locator("th").inner_text().strip()] = dict(zip(platforms, cells, strict=True))
    return rows


def test_it_shows_the_office_the_whole_district_from_the_overviews_card(
    page, sign_in, office_admin, district, started_task, department_a, department_b
):
    sign_in("office", PASSWORD)

    page.get_by_test_id("release-dashboard").locator('a[href="/command/"]').click()
    page.wait_for_url("**/command/")
    # Left open on a large screen: it reloads itself every minute, without the site's navigation.
    assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "60"
    assert page.get_by_role("navigation", name="主导航").count() == 0

    # One of the task's four parts done in time: the bar a quarter full.
    task = task_panel(page, "防汛预警信息集中发布")
    bar = task.locator("progress.command-bar")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("1", "4")
    assert bar.evaluate("bar => bar.position") == 0.25
    figures = task.locator(".command-figures").inner_text()
    assert figures.startswith("1/4") and "25%" in figures

    # Silent for two weeks: the account whose last post was 20 days ago, with that day.
    assert count_badge(page, "command-silent") == "1"
    silent = page.get_by_test_id("command-silent").locator("ol li").all_inner_texts()
    last_post = timezone.localdate() - datetime.timedelta(days=SILENT_SINCE)
    assert len(silent) == 1 and "新城教育发布" in silent[0] and department_a.name in silent[0]
    assert last_post.isoformat() in silent[0]

    # The veto of the silent account and the serious finding of the account nobody can write to.
    assert count_badge(page, "command-serious") == "2"
    serious = page.get_by_test_id("command-serious").inner_text()
    assert "新城教育发布" in serious and "健康新城微博" in serious

    # The week's top account: the only one that posted in the week.
    top = page.get_by_test_id("command-top").locator("ol li").first.inner_text()
    assert top.startswith("1") and "健康新城微博" in top

    # Each cell coloured by its worst grade; a unit without accounts keeps its row, empty.
    assert count_badge(page, "command-matrix") == "4"
    cells = matrix(page)
    assert cells[department_a.name] == {WECHAT: "grade-red 1", WEIBO: "grade-amber 1"}
    assert cells[department_b.name] == {WECHAT: "grade-green 1", WEIBO: "grade-red 1"}
    assert set(cells["新城区人民政府"].values()) == {""}


def test_it_loads_only_the_sites_own_assets_and_reads_at_a_distance(
    page, sign_in, live_server, office_admin, district, started_task
):
    sign_in("office", PASSWORD)
    assets, violations = [], []
    page.on(
        "request", lambda request: assets.append(request.url) if request.resource_type in ASSETS else None
    )
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    page.goto("/command/")
    page.wait_for_load_state("networkidle")
    assert any(url.endswith(".css") for url in assets)  # the stylesheet at least: the check saw requests
    assert [url for url in assets if not url.startswith(f"{live_server.url}/")] == []
    assert violations == []

    for panel in PANELS:
        heading = page.get_by_test_id(panel).locator("h2")
        size = heading.evaluate("heading => parseFloat(getComputedStyle(heading).fontSize)")
        assert size >= HEADING_MIN_PX, f"{panel}: {size}px"


def test_a_unit_sees_only_its_own_scope(page, sign_in, admin_a, district, started_task, department_a):
    sign_in("dept-edu", PASSWORD)

    page.goto("/command/")
    # The task counts the unit's two parts only, one of them done.
    task = task_panel(page, "防汛预警信息集中发布")
    bar = task.locator("progress.command-bar")
    assert (bar.get_attribute("value"), bar.get_attribute("max")) == ("1", "2")
    figures = task.locator(".command-figures").inner_text()
    assert figures.startswith("1/2") and "50%" in figures

    assert count_badge(page, "command-silent") == "1"
    assert count_badge(page, "command-serious") == "1"  # its silent account's veto
    assert count_badge(page, "command-matrix") == "2"
    assert list(matrix(page)) == [department_a.name]
    shown = page.get_by_test_id("command-view").inner_text()
    for other in ("健康新城发布", "健康新城微博", "区卫生健康委"):
        assert other not in shown


def test_a_cell_of_accounts_awaiting_approval_is_coloured_by_no_grade(
    page, sign_in, office_admin, district, file_account, department_b
):
    file_account(department_b, name="健康新城抖音", platform=Platform.DOUYIN, approve=False)
    sign_in("office", PASSWORD)

    page.goto("/command/")
    assert matrix(page)[department_b.name][str(Platform.DOUYIN.label)] == "no-grade 1"
