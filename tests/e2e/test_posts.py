"""Posts and their wording in a real browser: the office keeps the lexicons and the allowed sites, a
unit adds a post by hand and sees its hit, the account page draws its posting calendar and updates,
and the office marks a hit a false positive (docs/design.md §4.9, §7.6)."""

import datetime

import openpyxl
import pytest
from django.utils import timezone

from audits.inspections.choices import FindingStatus, Severity
from audits.inspections.models import Finding
from content import services
from content.choices import Lexicon
from content.models import AllowedDomain, LexiconEntry, Post
from content.posts import check_post_rows
from content.tasks import scan_posts
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def queued(monkeypatch):
    """Scans sent to Celery, kept here: the test plays the worker, whenever it likes."""
    sent = []
    monkeypatch.setattr(scan_posts, "delay", lambda: sent.append("scan_posts"))
    return sent


@pytest.fixture
def account_a(file_account, department_a):
    return file_account(department_a, name="新城教育发布")


@pytest.fixture
def gambling(office_admin):
    return services.lexicon_entry_create(
        actor=office_admin, lexicon=Lexicon.SENSITIVE, term="赌博", category="违法", severity=Severity.SERIOUS
    )


def record_posts(user, account, *days_ago, text="工作动态"):
    """One original post at noon of each of these days back, as a collector would send them."""
    today = timezone.localdate()
    rows = [
        {
            "media_account": account.pk,
            "platform_post_id": f"p{number}",
            "published_at": timezone.make_aware(
                datetime.datetime.combine(today - datetime.timedelta(days=days), datetime.time(12))
            ).isoformat(),
            "kind": "original",
            "text": text,
        }
        for number, days in enumerate(days_ago)
    ]
    return services.posts_record(actor=user, rows=check_post_rows(user, enumerate(rows)))


def test_it_keeps_the_lexicons_and_the_allowed_sites_from_the_browser(
    page, sign_in, queued, office_admin, tmp_path
):
    sign_in("office", PASSWORD)

    page.get_by_role("navigation", name="主导航").get_by_role("link", name="定期巡查").click()
    page.get_by_role("navigation", name="定期巡查").get_by_role("link", name="词库").click()
    page.wait_for_url("**/lexicons/")
    assert page.locator("h1").inner_text() == "词库"
    assert page.get_by_test_id("demo-lexicon-note").is_visible()

    page.get_by_test_id("add-entry").click()
    page.wait_for_url("**/lexicons/new/")
    page.locator("#id_lexicon").select_option(label="敏感词")
    page.get_by_label("词条").fill("赌博")
    page.get_by_label("类别").fill("违法")
    page.get_by_role("button", name="保存词条").click()
    page.wait_for_url("**/lexicons/?lexicon=sensitive")
    assert "已新增词条“赌博”" in page.locator(".messages").inner_text()
    entry = LexiconEntry.objects.get(term="赌博")
    row = page.get_by_test_id(f"entry-{entry.pk}")
    assert row.get_by_role("rowheader").inner_text() == "赌博"
    assert "启用" in row.inner_text()

    # Switched off, it stays listed, marked off.
    row.get_by_role("link", name="编辑 赌博").click()
    page.wait_for_url(f"**/lexicons/{entry.pk}/edit/")
    assert page.locator("h1").inner_text() == "编辑词条：赌博"
    page.get_by_label("启用").uncheck()
    page.get_by_role("button", name="保存词条").click()
    page.wait_for_url("**/lexicons/?lexicon=sensitive")
    assert "词条“赌博”已保存。" in page.locator(".messages").inner_text()
    row = page.get_by_test_id(f"entry-{entry.pk}")
    assert "停用" in row.inner_text()
    assert "inactive" in row.get_attribute("class")
    entry.refresh_from_db()
    assert (entry.enabled, entry.severity) == (False, Severity.SERIOUS)  # the sensitive words' rule's

    sites = page.locator("#allowed-domains")
    assert "尚未允许任何网站" in sites.inner_text()
    sites.get_by_label("域名").fill("https://www.People.com.cn/index.html")
    sites.get_by_label("备注").fill("人民网")
    sites.get_by_role("button", name="允许").click()
    page.wait_for_url("**/lexicons/#allowed-domains")
    assert "已允许链接到 www.people.com.cn。" in page.locator(".messages").inner_text()
    assert page.get_by_test_id("allowed-domains").locator(".mono").all_inner_texts() == ["www.people.com.cn"]
    assert "人民网" in page.get_by_test_id("allowed-domains").inner_text()

    page.get_by_test_id("allowed-domains").get_by_role("button", name="移除 www.people.com.cn").click()
    page.wait_for_url("**/lexicons/#allowed-domains")
    assert "链接到 www.people.com.cn 将再次被标出。" in page.locator(".messages").inner_text()
    assert "尚未允许任何网站" in page.locator("#allowed-domains").inner_text()
    assert not AllowedDomain.objects.exists()

    # The lexicons download as the sheet the import reads.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载（.xlsx）").click()
    assert download.value.suggested_filename == "词库.xlsx"
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    sheet = openpyxl.load_workbook(saved).active
    assert ["敏感词", "赌博"] in [[cell.value for cell in row[:2]] for row in sheet.iter_rows(min_row=2)]


def test_it_checks_a_post_a_unit_adds_by_hand_and_shows_its_hit(
    page, sign_in, queued, admin_a, account_a, gambling
):
    sign_in("dept-edu", PASSWORD)
    page.goto(f"/media-accounts/{account_a.pk}/")
    assert "尚未收到发布内容" in page.get_by_test_id("account-posts").inner_text()
    page.get_by_test_id("add-post").click()
    page.wait_for_url(f"**/media-accounts/{account_a.pk}/posts/new/")
    page.get_by_label("发布时间").fill(timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("标题").fill("禁赌提醒")
    page.get_by_label("正文").fill("严禁赌博，人人有责。")
    page.get_by_role("button", name="保存发布内容").click()
    page.wait_for_url(f"**/media-accounts/{account_a.pk}/posts/")
    assert "已为新城教育发布添加发布内容" in page.locator(".messages").inner_text()
    post = Post.objects.get()
    row = page.get_by_test_id(f"post-{post.platform_post_id}")
    assert "检查中" in row.inner_text()
    assert queued == ["scan_posts"]

    # The worker scans it after the post's transaction committed.
    services.posts_scan_all()
    page.reload()
    row = page.get_by_test_id(f"post-{post.platform_post_id}")
    assert "1 个问题" in row.inner_text()
    row.get_by_role("link", name="禁赌提醒").click()
    page.wait_for_url(f"**/posts/{post.pk}/")
    hits = page.get_by_test_id("post-hits")
    assert hits.locator("mark").inner_text() == "赌博"
    assert "待整改" in hits.inner_text()

    page.get_by_role("navigation", name="导航路径").get_by_role("link", name="新城教育发布").click()
    page.wait_for_url(f"**/media-accounts/{account_a.pk}/")
    assert page.get_by_test_id(f"post-{post.platform_post_id}").is_visible()
    days = page.get_by_test_id("posting-calendar").locator("rect[data-count]")
    assert days.count() == 1 and days.get_attribute("data-count") == "1"
    today = timezone.localdate().isoformat()
    assert days.locator("title").text_content() == f"{today}: 1 条"
    assert page.get_by_test_id("last-update").inner_text().startswith(today)


def test_the_account_page_draws_each_posting_day_and_the_longest_gap(
    page, sign_in, office_admin, admin_a, account_a
):
    # Of the last 30 days: posts 25 days back, 9 back, two 2 back and one yesterday; the longest
    # stretch without any runs from day 24 to day 10, 15 days.
    record_posts(admin_a, account_a, 1, 2, 2, 9, 25)
    sign_in("office", PASSWORD)

    page.goto(f"/media-accounts/{account_a.pk}/")
    calendar = page.get_by_test_id("posting-calendar")
    assert calendar.locator("svg").is_visible()
    assert calendar.locator("rect[data-count]").count() == 4
    busiest = calendar.locator('rect[data-count="2"]')
    two_days_ago = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()
    assert busiest.locator("title").text_content() == f"{two_days_ago}: 2 条"
    assert busiest.get_attribute("class") == "level-4"
    assert calendar.locator("rect.level-0").count() > 300  # the rest of the year, empty
    assert page.get_by_test_id("longest-gap").inner_text() == "15 天"
    assert page.get_by_test_id("posts-per-week").inner_text() == "1.2"  # 5 posts in 30 days
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert page.get_by_test_id("last-update").inner_text() == f"{yesterday} (1 天前)"
    assert page.get_by_test_id("posts").locator("tbody tr").count() == 5


def test_the_office_marks_a_hit_a_false_positive_with_its_reason(
    page, sign_in, queued, office_admin, admin_a, account_a, gambling
):
    record_posts(admin_a, account_a, 1, text="严禁赌博，人人有责。")
    assert queued == ["scan_posts"]
    services.posts_scan_all()
    finding = Finding.objects.get(post__isnull=False)
    sign_in("office", PASSWORD)

    page.goto(f"/posts/{finding.post_id}/")
    page.get_by_test_id("post-hits").get_by_role("link", name="赌博").click()
    page.wait_for_url(f"**/findings/{finding.pk}/")
    excerpt = page.get_by_test_id("hit-excerpt")
    assert excerpt.locator("mark").inner_text() == "赌博"
    assert "严禁赌博，人人有责" in excerpt.inner_text()
    assert page.get_by_test_id("finding-status").inner_text() == "待整改"
    assert page.get_by_test_id("confirm-hit").is_visible()

    page.get_by_label("误报理由").fill("禁赌宣传，并非违规内容")
    page.get_by_test_id("dismiss-hit").click()
    page.wait_for_url(f"**/findings/{finding.pk}/")
    assert page.get_by_test_id("finding-status").inner_text() == "误报"
    assert "禁赌宣传，并非违规内容" in page.locator("main").inner_text()
    assert page.get_by_test_id("dismiss-hit").count() == 0
    finding.refresh_from_db()
    assert (finding.status, finding.dismissed_by) == (FindingStatus.DISMISSED, office_admin)
