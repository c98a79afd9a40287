"""The posts' and lexicons' pages: a unit adds a post and sees its hits, the office keeps the lexicons
and reviews hits; the account page draws the posting calendar and its updates."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from audits.inspections.choices import FindingStatus, Severity
from audits.inspections.models import Finding
from content import services
from content.choices import Lexicon
from content.models import LexiconEntry, Post
from content.posts import check_post_rows


@pytest.fixture
def account_a(file_account, department_a):
    return file_account(department_a, name="教育发布")


@pytest.fixture
def gambling(office_admin):
    return services.lexicon_entry_create(
        actor=office_admin, lexicon=Lexicon.SENSITIVE, term="赌博", category="违法", severity=Severity.SERIOUS
    )


def record(user, account, post_id, text, *, days_ago=0, kind="original"):
    published = timezone.localtime() - datetime.timedelta(days=days_ago, hours=1)
    row = {
        "media_account": account.pk,
        "platform_post_id": post_id,
        "published_at": published.isoformat(),
        "kind": kind,
        "text": text,
    }
    return services.posts_record(actor=user, rows=check_post_rows(user, [(0, row)]))


def test_a_unit_adds_a_post_by_hand_and_sees_its_hits(
    client_for, admin_a, account_a, gambling, inline_worker
):
    client = client_for(admin_a)
    page = client.get(f"/media-accounts/{account_a.pk}/posts/new/")
    assert page.status_code == 200
    with inline_worker():
        response = client.post(
            f"/media-accounts/{account_a.pk}/posts/new/",
            {
                "published_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "kind": "original",
                "title": "提醒",
                "text": "严禁赌博，人人有责。",
            },
        )
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.platform_post_id.startswith("manual-")
    detail = client.get(f"/posts/{post.pk}/").content.decode()
    assert "<mark>赌博</mark>" in detail
    listing = client.get(f"/media-accounts/{account_a.pk}/posts/").content.decode()
    assert 'data-testid="post-' in listing and "1 个问题" in listing


def test_a_post_without_title_or_text_is_refused_and_nothing_is_written(client_for, admin_a, account_a):
    response = client_for(admin_a).post(
        f"/media-accounts/{account_a.pk}/posts/new/",
        {"published_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "kind": "original"},
    )
    assert response.status_code == 200
    assert Post.objects.count() == 0


def test_only_the_accounts_unit_and_the_office_add_its_posts(client_for, admin_b, auditor, account_a):
    assert client_for(admin_b).get(f"/media-accounts/{account_a.pk}/posts/new/").status_code == 404
    assert client_for(auditor).get(f"/media-accounts/{account_a.pk}/posts/new/").status_code == 403


def test_the_account_page_draws_the_calendar_and_the_updates_from_its_posts(client_for, admin_a, account_a):
    for days_ago in (1, 2, 2, 20):
        record(admin_a, account_a, f"p{days_ago}-{Post.objects.count()}", "工作动态", days_ago=days_ago)
    record(admin_a, account_a, "r", "转发", days_ago=0, kind="repost")
    page = client_for(admin_a).get(f"/media-accounts/{account_a.pk}/").content.decode()
    assert 'data-testid="posting-calendar"' in page
    assert page.count('data-count="2"') == 1  # the day of two posts
    last = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    assert f'data-testid="last-update">{last}' in page  # the repost is no original update
    # 30 days back: nothing from day 30 to day 21, a post on day 20, nothing to day 3, posts on days 2
    # and 1, a repost today.
    assert 'data-testid="longest-gap">17 天' in page


def test_an_account_without_posts_reads_its_updates_from_the_daily_figures(client_for, admin_a, account_a):
    page = client_for(admin_a).get(f"/media-accounts/{account_a.pk}/").content.decode()
    assert "日常运营数据（尚未收到发布内容）" in page


def test_everyone_reads_the_lexicons_and_only_the_office_is_offered_to_edit(
    client_for, admin_a, office_admin, gambling
):
    unit_page = client_for(admin_a).get("/lexicons/").content.decode()
    assert "赌博" in unit_page and 'data-testid="add-entry"' not in unit_page
    assert 'data-testid="demo-lexicon-note"' in unit_page
    assert (
        client_for(admin_a).post("/lexicons/new/", {"lexicon": "sensitive", "term": "博彩"}).status_code
        == 403
    )
    assert 'data-testid="add-entry"' in client_for(office_admin).get("/lexicons/").content.decode()


def test_the_office_adds_edits_and_deletes_an_entry(client_for, office_admin, gambling):
    client = client_for(office_admin)
    response = client.post(
        "/lexicons/new/",
        {
            "lexicon": "misused",
            "term": "不径而走",
            "correct_form": "不胫而走",
            "category": "成语",
            "severity": "",
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    entry = LexiconEntry.objects.get(term="不径而走")
    assert entry.severity == Severity.WARNING  # the misused words' rule's
    again = client.post("/lexicons/new/", {"lexicon": "misused", "term": "不径而走", "enabled": "on"})
    assert again.status_code == 200 and LexiconEntry.objects.filter(term="不径而走").count() == 1
    client.post(
        f"/lexicons/{entry.pk}/edit/",
        {
            "lexicon": "misused",
            "term": "不径而走",
            "correct_form": "不胫而走",
            "category": "成语",
            "severity": "serious",
        },
    )
    entry.refresh_from_db()
    assert (entry.severity, entry.enabled) == ("serious", False)
    assert client.post(f"/lexicons/{entry.pk}/delete/").status_code == 302
    assert not LexiconEntry.objects.filter(pk=entry.pk).exists()


def test_a_sheet_of_entries_is_imported_whole_or_not_at_all(client_for, office_admin, gambling):
    client = client_for(office_admin)
    good = (
        "词库,词条,正确表述,类别,严重程度,来源,启用\n"
        "敏感词,博彩,,违法,,测试,是\n错别字,不径而走,不胫而走,成语,警告,,是\n敏感词,赌博,,违法,严重,,否\n"
    )
    bad = "词库,词条\n敏感词,网赌\n某词库,错误\n"
    refused = client.post("/lexicons/import/", {"file": SimpleUploadedFile("l.csv", bad.encode())})
    assert refused.status_code == 400 and "网赌" not in {entry.term for entry in LexiconEntry.objects.all()}
    response = client.post("/lexicons/import/", {"file": SimpleUploadedFile("l.csv", good.encode())})
    assert response.status_code == 302
    assert LexiconEntry.objects.get(term="博彩").severity == Severity.SERIOUS
    assert LexiconEntry.objects.get(term="赌博").enabled is False


def test_the_office_reviews_a_hit_on_its_page(
    client_for, admin_a, office_admin, account_a, gambling, inline_worker
):
    with inline_worker():
        record(admin_a, account_a, "p1", "严禁赌博。")
    finding = Finding.objects.get(post__isnull=False)
    unit_view = client_for(admin_a).get(f"/findings/{finding.pk}/").content.decode()
    assert "<mark>赌博</mark>" in unit_view and 'data-testid="dismiss-hit"' not in unit_view
    client = client_for(office_admin)
    assert client.post(f"/findings/{finding.pk}/confirm/").status_code == 302
    assert client.post(f"/findings/{finding.pk}/dismiss/", {"reason": "禁赌宣传"}).status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.confirmed_by) == (FindingStatus.DISMISSED, office_admin)


def test_an_allowed_site_is_added_and_removed(client_for, office_admin):
    client = client_for(office_admin)
    client.post(
        "/lexicons/allowed-sites/", {"domain": "https://www.People.com.cn/index.html", "note": "人民网"}
    )
    [allowed] = services.AllowedDomain.objects.all()
    assert allowed.domain == "www.people.com.cn"
    client.post(f"/lexicons/allowed-sites/{allowed.pk}/remove/")
    assert not services.AllowedDomain.objects.exists()


def test_old_post_texts_are_removed_past_the_archives_time(admin_a, account_a, settings):
    settings.POST_TEXT_RETENTION_DAYS = 30
    record(admin_a, account_a, "old", "旧文", days_ago=40)
    record(admin_a, account_a, "new", "新文", days_ago=1)
    assert services.post_texts_remove() == 1
    old = Post.objects.get(platform_post_id="old")
    assert (old.text, old.text_removed_at is not None) == ("", True)
    assert Post.objects.get(platform_post_id="new").text == "新文"
