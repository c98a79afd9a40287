"""Posts over REST: checked whole, upserted by account and platform post id, scanned for wording by the
worker, and the scan's hits are findings the office confirms or marks false positives."""

import datetime
import json

import pytest
from django.utils import timezone

from audits.inspections.choices import FindingStatus, RuleCode, Severity
from audits.inspections.models import Finding
from audits.trail.models import AuditEvent
from content import services
from content.choices import Lexicon
from content.models import Post

API = "/api/v1/posts/"
FINDINGS = "/api/v1/findings/"


def hours_ago(n: int) -> str:
    return (timezone.localtime() - datetime.timedelta(hours=n)).isoformat(timespec="seconds")


@pytest.fixture
def account_a(file_account, department_a):
    return file_account(department_a, name="教育发布")


@pytest.fixture
def account_b(file_account, department_b):
    return file_account(department_b, name="健康发布")


@pytest.fixture
def lexicon(office_admin):
    """A small lexicon of each kind, and one allowed site."""
    add = services.lexicon_entry_create
    add(
        actor=office_admin,
        lexicon=Lexicon.SERIOUS,
        term="人民代表大会",
        correct_form="全国人民代表大会",
        category="机构名称",
        severity=Severity.VETO,
    )
    add(
        actor=office_admin, lexicon=Lexicon.MISUSED, term="不径而走", correct_form="不胫而走", category="成语"
    )
    add(
        actor=office_admin,
        lexicon=Lexicon.MISUSED,
        term="ＡＰＰ下栽",
        correct_form="APP下载",
        category="错字",
    )
    add(actor=office_admin, lexicon=Lexicon.SENSITIVE, term="代表", category="测试用词")
    add(actor=office_admin, lexicon=Lexicon.SENSITIVE, term="赌博", category="违法")
    services.allowed_domain_add(actor=office_admin, domain="gov.cn")


def send(client, body):
    return client.post(API, json.dumps(body), content_type="application/json")


def row(account, post_id, text, **fields):
    return {
        "media_account": account.pk,
        "platform_post_id": post_id,
        "published_at": hours_ago(2),
        "kind": "original",
        "text": text,
        **fields,
    }


def hits(post_id=None, **filters):
    found = Finding.objects.filter(post__isnull=False, **filters)
    if post_id is not None:
        found = found.filter(post__platform_post_id=post_id)
    return {(finding.rule.code, finding.term, finding.status) for finding in found.select_related("rule")}


# A collector's batch --------------------------------------------------------------------------


def test_a_batch_is_written_and_each_post_scanned_for_every_kind_of_entry(
    api_for, admin_a, account_a, lexicon, inline_worker
):
    with inline_worker():
        response = send(
            api_for(admin_a),
            [
                row(account_a, "p1", "第十四届人民代表大会开幕，消息不径而走。"),
                row(account_a, "p2", "第十四届全国人民代表大会开幕。", title="要闻"),
                row(
                    account_a,
                    "p3",
                    "请点击ａｐｐ下栽，或访问 https://www.example.com/x 与 http://www.gov.cn/a",
                ),
                row(account_a, "p4", "今天天气晴。", kind="repost", reads=120, likes=3),
            ],
        )
    assert response.status_code == 201, response.json()
    assert response.json() == {"rows": 4, "created": 4, "replaced": 0}
    assert hits("p1") == {
        # The sensitive "代表" lies inside the serious wrong form: one problem, the longer.
        ("wording_serious", "人民代表大会", "open"),
        ("wording_misused", "不径而走", "open"),
    }
    # The correct form that contains a wrong one is not a hit; the word inside it still is.
    assert hits("p2") == {("wording_sensitive", "代表", "open")}
    # Full-width and half-width read alike; an allowed site's subdomain is allowed.
    assert hits("p3") == {
        ("wording_misused", "ＡＰＰ下栽", "open"),
        ("wording_link", "www.example.com", "open"),
    }
    assert hits("p4") == set()
    assert not Post.objects.filter(scanned_at__isnull=True).exists()


def test_a_hit_names_its_post_term_excerpt_and_correct_form_and_takes_its_entrys_severity(
    api_for, admin_a, office_admin, account_a, lexicon, inline_worker
):
    with inline_worker():
        send(api_for(admin_a), row(account_a, "p1", "本区召开第十四届人民代表大会第二次会议。"))
    answer = api_for(office_admin).get(FINDINGS, {"media_account": account_a.pk, "rule": "wording_serious"})
    [finding] = answer.json()["results"]
    assert finding["term"] == "人民代表大会"
    assert finding["severity"] == "veto"
    assert finding["post"] == Post.objects.get(platform_post_id="p1").pk
    assert finding["detail"]["correct_form"] == "全国人民代表大会"
    assert finding["detail"]["excerpt"] == {
        "before": "本区召开第十四届",
        "match": "人民代表大会",
        "after": "第二次会议。",
    }
    assert set(finding["actions"]) == {"waive", "confirm", "dismiss"}


def test_a_post_sent_again_is_replaced_and_scanned_again_only_when_its_words_change(
    api_for, admin_a, account_a, lexicon, inline_worker
):
    client = api_for(admin_a)
    with inline_worker():
        send(client, row(account_a, "p1", "此事不径而走。", reads=10))
    scanned = Post.objects.get().scanned_at
    with inline_worker():
        response = send(client, row(account_a, "p1", "此事不径而走。", reads=500))
    assert response.json() == {"rows": 1, "created": 0, "replaced": 1}
    post = Post.objects.get()
    assert (post.reads, post.scanned_at) == (500, scanned)
    with inline_worker():
        send(client, row(account_a, "p1", "此事不胫而走。", reads=600))
    # Corrected: the hit resolves; nothing new opens.
    assert hits("p1") == {("wording_misused", "不径而走", "resolved")}


def test_a_batch_without_lexicon_words_opens_nothing(api_for, admin_a, account_a, lexicon, inline_worker):
    with inline_worker():
        send(api_for(admin_a), [row(account_a, f"p{n}", "今日全区各项工作有序推进。") for n in range(5)])
    assert Finding.objects.filter(post__isnull=False).count() == 0
    assert Post.objects.filter(scanned_at__isnull=False).count() == 5


def test_one_bad_row_writes_nothing_and_every_problem_is_named(api_for, admin_a, account_a, account_b):
    response = send(
        api_for(admin_a),
        [
            row(account_a, "p1", "好"),
            row(account_a, "p1", "重复"),
            row(account_b, "p2", "别的单位"),
            {
                "media_account": account_a.pk,
                "platform_post_id": "p3",
                "published_at": "昨天",
                "kind": "story",
                "url": "ftp://x",
                "reads": -1,
                "colour": "red",
            },
        ],
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {
        "rows[1].platform_post_id",
        "rows[2].media_account",
        "rows[3].published_at",
        "rows[3].kind",
        "rows[3].url",
        "rows[3].reads",
        "rows[3].colour",
    }
    assert Post.objects.count() == 0


def test_a_post_from_the_future_is_refused(api_for, admin_a, account_a):
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).isoformat()
    response = send(api_for(admin_a), row(account_a, "p1", "x", published_at=tomorrow))
    assert response.status_code == 400
    assert "published_at" in response.json()["fields"]


def test_auditors_read_posts_but_may_not_send_them(api_for, auditor, admin_a, account_a):
    send(api_for(admin_a), row(account_a, "p1", "好"))
    assert api_for(auditor).get(API).json()["count"] == 1
    assert send(api_for(auditor), row(account_a, "p2", "好")).status_code == 403


def test_a_unit_reads_its_own_posts_only(api_for, admin_a, admin_b, office_admin, account_a, account_b):
    send(api_for(office_admin), [row(account_a, "p1", "甲"), row(account_b, "p2", "乙")])
    assert [post["platform_post_id"] for post in api_for(admin_b).get(API).json()["results"]] == ["p2"]
    other = Post.objects.get(platform_post_id="p1")
    assert api_for(admin_b).get(f"{API}{other.pk}/").status_code == 404


def test_the_list_filters_by_account_kind_and_time(api_for, admin_a, account_a):
    client = api_for(admin_a)
    send(
        client,
        [row(account_a, "old", "甲", published_at=hours_ago(48)), row(account_a, "new", "乙", kind="repost")],
    )
    ids = lambda **query: [post["platform_post_id"] for post in client.get(API, query).json()["results"]]  # noqa: E731
    assert ids(kind="repost") == ["new"]
    assert ids(published_before=hours_ago(24)) == ["old"]
    assert ids(media_account=account_a.pk) == ["new", "old"]


def test_a_batch_is_one_event_with_its_counts(api_for, admin_a, account_a):
    send(api_for(admin_a), [row(account_a, "p1", "甲"), row(account_a, "p2", "乙")])
    event = AuditEvent.objects.get(action="content.posts.recorded")
    assert event.department_id == account_a.department_id
    assert (event.changes["after"]["rows"], event.changes["after"]["created"]) == (2, 2)


# The office's review ----------------------------------------------------------------------------


def test_a_false_positive_stays_one_for_that_post_and_word(
    api_for, admin_a, office_admin, account_a, lexicon, inline_worker
):
    with inline_worker():
        send(api_for(admin_a), row(account_a, "p1", "严禁赌博。"))
    finding = Finding.objects.get(term="赌博")
    office = api_for(office_admin)
    assert office.post(f"{FINDINGS}{finding.pk}/dismiss/", {"reason": ""}, format="json").status_code == 400
    answer = office.post(f"{FINDINGS}{finding.pk}/dismiss/", {"reason": "禁赌宣传，非违规"}, format="json")
    assert answer.status_code == 200
    assert answer.json()["status"] == "dismissed"
    with inline_worker():
        send(api_for(admin_a), row(account_a, "p1", "严禁赌博，远离赌博。"))
    assert hits("p1") == {("wording_sensitive", "赌博", "dismissed")}
    assert AuditEvent.objects.filter(action="audits.finding.dismissed", object_id=str(finding.pk)).exists()


def test_only_the_office_confirms_or_dismisses_and_only_a_wording_hit(
    api_for, admin_a, office_admin, account_a, lexicon, inline_worker
):
    with inline_worker():
        send(api_for(admin_a), row(account_a, "p1", "严禁赌博。"))
    finding = Finding.objects.get(term="赌博")
    assert api_for(admin_a).post(f"{FINDINGS}{finding.pk}/confirm/").status_code == 403
    confirmed = api_for(office_admin).post(f"{FINDINGS}{finding.pk}/confirm/")
    assert confirmed.status_code == 200
    assert confirmed.json()["confirmed_by"] == office_admin.username
    assert api_for(office_admin).post(f"{FINDINGS}{finding.pk}/confirm/").status_code == 409


# The lexicons -------------------------------------------------------------------------------------

ENTRIES = "/api/v1/lexicon-entries/"


def test_everyone_reads_the_lexicons_and_only_the_office_writes(
    api_for, admin_a, auditor, office_admin, lexicon
):
    assert api_for(admin_a).get(ENTRIES).json()["count"] == 5
    body = {"lexicon": "sensitive", "term": "博彩", "category": "违法"}
    assert api_for(admin_a).post(ENTRIES, body, format="json").status_code == 403
    assert api_for(auditor).post(ENTRIES, body, format="json").status_code == 403
    created = api_for(office_admin).post(ENTRIES, body, format="json")
    assert created.status_code == 201, created.json()
    # Left out, the severity is the lexicon's rule's.
    assert created.json()["severity"] == "serious"
    again = api_for(office_admin).post(ENTRIES, body, format="json")
    assert again.status_code == 400


def test_the_office_edits_a_lexicon_and_the_next_scan_follows_it(
    api_for, admin_a, office_admin, account_a, lexicon, inline_worker
):
    with inline_worker():
        send(api_for(admin_a), row(account_a, "p1", "网上博彩广告泛滥，严禁赌博。"))
    assert hits("p1") == {("wording_sensitive", "赌博", "open")}
    office = api_for(office_admin)
    gambling = services.LexiconEntry.objects.get(term="赌博")
    with inline_worker():
        added = office.post(ENTRIES, {"lexicon": "sensitive", "term": "博彩"}, format="json")
        office.patch(f"{ENTRIES}{gambling.pk}/", {"enabled": False}, format="json")
    assert added.status_code == 201
    assert hits("p1") == {("wording_sensitive", "博彩", "open"), ("wording_sensitive", "赌博", "resolved")}
    with inline_worker():
        assert office.delete(f"{ENTRIES}{added.json()['id']}/").status_code == 204
    assert hits("p1", status=FindingStatus.OPEN) == set()
    actions = set(
        AuditEvent.objects.filter(action__startswith="content.lexicon_entry").values_list("action", flat=True)
    )
    assert actions == {
        "content.lexicon_entry.created",
        "content.lexicon_entry.updated",
        "content.lexicon_entry.deleted",
    }


def test_a_switched_off_scan_rule_resolves_its_hits_and_scans_no_more(
    api_for, admin_a, office_admin, account_a, lexicon, inline_worker
):
    from audits.inspections import services as inspections
    from audits.inspections.models import InspectionRule

    with inline_worker():
        send(api_for(admin_a), row(account_a, "p1", "消息不径而走。"))
    assert hits("p1") == {("wording_misused", "不径而走", "open")}
    with inline_worker():
        inspections.inspection_rule_update(
            actor=office_admin, rule=InspectionRule.objects.get(code=RuleCode.WORDING_MISUSED), enabled=False
        )
    assert hits("p1") == {("wording_misused", "不径而走", "resolved")}
