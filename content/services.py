"""Every write of posts and of the lexicons they are checked against (docs/design.md §4.9, §7.6).

Posts arrive in batches (a collector's up to 10,000, the hand form's one, a sheet's rows), checked
first by ``content.posts``; a batch is one upsert and one event. The wording scan then reads each new
or changed post in the worker (``content.tasks.scan_posts``), never in the request, and sets the
post's findings through the inspections' own service. A change of a lexicon, of the allowed sites
or of a scan rule has the posts of the rule's window scanned again.
"""

import datetime
import hashlib
from dataclasses import dataclass

import orjson
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import authorize
from audits.inspections import services as inspections
from audits.inspections.choices import RuleCode
from audits.inspections.models import InspectionRule
from audits.inspections.rules import RULES, SCAN_WINDOW
from audits.trail.services import diff, record, snapshot
from content import tasks
from content.choices import Lexicon
from content.models import AllowedDomain, LexiconEntry, Post
from content.posts import CheckedPosts
from content.wording import LINK, Scanner, Term
from registry.models import Department
from registry.services import upload_department

# The rule whose findings each lexicon's hits are, and the link rule's.
RULE_OF = {
    Lexicon.SERIOUS: RuleCode.WORDING_SERIOUS,
    Lexicon.MISUSED: RuleCode.WORDING_MISUSED,
    Lexicon.SENSITIVE: RuleCode.WORDING_SENSITIVE,
    LINK: RuleCode.WORDING_LINK,
}
SCAN_BATCH = 1000
LEXICON_FIELDS = ("lexicon", "term", "correct_form", "category", "severity", "source", "enabled")


# Posts -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostsRecorded:
    rows: int
    media_accounts: int
    created: int
    replaced: int


def words_digest(row: dict) -> str:
    """What tells a post whose words changed (scanned again) from one whose figures alone did."""
    words = "\x1f".join((row["title"], row["text"], row["url"]))
    return hashlib.blake2b(words.encode(), digest_size=16).hexdigest()


def _standing_posts(
    keys: list[tuple[int, str]],
) -> dict[tuple[int, str], tuple[str, datetime.datetime | None]]:
    """The posts already kept under these (account, platform post id) keys: their words' digest and
    when they were scanned. One statement: the keys go as one JSON parameter, as ids go by ``among``."""
    table = connection.ops.quote_name(Post._meta.db_table)
    if connection.vendor == "postgresql":
        keyed = "SELECT (k->>0)::bigint AS a, k->>1 AS p FROM jsonb_array_elements(%s::jsonb) AS k"
    else:
        keyed = "SELECT json_extract(value, '$[0]') AS a, json_extract(value, '$[1]') AS p FROM json_each(%s)"
    sql = (
        f"SELECT t.media_account_id, t.platform_post_id, t.words_digest, t.scanned_at FROM {table} t "
        f"JOIN ({keyed}) AS keys ON t.media_account_id = keys.a AND t.platform_post_id = keys.p"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [orjson.dumps(keys).decode()])
        return {(account, post_id): (digest, _aware(scanned)) for account, post_id, digest, scanned in cursor}


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    # SQLite hands a raw query's times back without their zone: they are kept in UTC.
    if moment is not None and timezone.is_naive(moment):
        return moment.replace(tzinfo=datetime.UTC)
    return moment


@transaction.atomic
def posts_record(*, actor, rows: CheckedPosts) -> PostsRecorded:
    """Upsert the checked posts by account and platform post id: a post sent again takes its new
    words and figures; one whose title, text or URL changed is scanned again. One event for the batch,
    with the SHA-256 of its rows, under the unit that sees them all (as the daily figures' upload)."""
    if not isinstance(rows, CheckedPosts) or rows.user != actor:
        raise ValidationError(_("The posts were not checked for this user."))
    if rows.errors:
        raise ValidationError([f"{error.row}: {error.field}: {error.message}" for error in rows.errors])
    authorize(actor, "content.enter_posts")
    for department_id in rows.departments:
        authorize(actor, "content.enter_account_posts", Department(pk=department_id))
    if not rows.rows:
        return PostsRecorded(0, 0, 0, 0)
    standing = _standing_posts([(row["media_account"], row["platform_post_id"]) for row in rows.rows])
    posts = []
    for row in rows.rows:
        digest = words_digest(row)
        before = standing.get((row["media_account"], row["platform_post_id"]))
        posts.append(
            Post(
                media_account_id=row["media_account"],
                platform_post_id=row["platform_post_id"],
                published_at=row["published_at"],
                kind=row["kind"],
                title=row["title"],
                text=row["text"],
                url=row["url"],
                reads=row["reads"],
                likes=row["likes"],
                comments=row["comments"],
                shares=row["shares"],
                words_digest=digest,
                # Figures alone grew: the words were read already.
                scanned_at=before[1] if before is not None and before[0] == digest else None,
            )
        )
    Post.objects.bulk_create(
        posts,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["media_account", "platform_post_id"],
        update_fields=[
            *("published_at", "kind", "title", "text", "url", *Post.FIGURES),
            *("words_digest", "scanned_at", "recorded_at"),
        ],
    )
    accounts = sorted({row["media_account"] for row in rows.rows})
    published = [row["published_at"] for row in rows.rows]
    recorded = PostsRecorded(
        rows=len(posts),
        media_accounts=len(accounts),
        created=len(posts) - len(standing),
        replaced=len(standing),
    )
    record(
        "content.posts.recorded",
        actor=actor,
        department_id=upload_department(actor, set(rows.departments)),
        changes={
            "after": {
                "rows": recorded.rows,
                "media_accounts": accounts,
                "created": recorded.created,
                "replaced": recorded.replaced,
                "from": min(published),
                "to": max(published),
                "digest": hashlib.sha256(orjson.dumps(rows.rows, option=orjson.OPT_SORT_KEYS)).hexdigest(),
            }
        },
    )
    if any(post.scanned_at is None for post in posts):
        transaction.on_commit(tasks.scan_posts.delay)
    return recorded


def post_texts_remove(*, today: datetime.date | None = None) -> int:
    """Remove the text of the posts published before the archive's time (``POST_TEXT_RETENTION_DAYS``);
    their title, address, figures and findings stay. Returns how many; one event for them all."""
    today = today or timezone.localdate()
    before = today - datetime.timedelta(days=settings.POST_TEXT_RETENTION_DAYS)
    cutoff = timezone.make_aware(datetime.datetime.combine(before, datetime.time.min))
    with transaction.atomic():
        removed = Post.objects.filter(published_at__lt=cutoff, text_removed_at__isnull=True).update(
            text="", text_removed_at=timezone.now()
        )
        if removed:
            record("content.post_texts.removed", changes={"after": {"posts": removed, "before": before}})
    return removed


# The wording scan ----------------------------------------------------------------------------


def _scan_rules() -> dict[str, InspectionRule]:
    inspections.inspection_rules_install()
    return {rule.code: rule for rule in InspectionRule.objects.filter(code__in=RULE_OF.values())}


def scanner(scan_rules: dict[str, InspectionRule] | None = None) -> Scanner:
    """The automaton of every enabled entry of every lexicon whose rule is on, and the allowed sites
    when the link rule is on."""
    scan_rules = _scan_rules() if scan_rules is None else scan_rules
    lexicons = [lexicon for lexicon in Lexicon.values if scan_rules[RULE_OF[lexicon]].enabled]
    entries = LexiconEntry.objects.filter(enabled=True, lexicon__in=lexicons).values_list(
        "pk", "lexicon", "term", "correct_form", "category", "severity"
    )
    return Scanner(
        (Term(*entry) for entry in entries),
        AllowedDomain.objects.values_list("domain", flat=True),
        links=scan_rules[RuleCode.WORDING_LINK].enabled,
    )


def _hit_detail(hit, text: str) -> dict:
    detail = {"lexicon": hit.lexicon, "count": hit.count, "excerpt": hit.excerpt(text)}
    if hit.entry is not None:
        detail.update(
            entry=hit.entry.entry_id, correct_form=hit.entry.correct_form, category=hit.entry.category
        )
    return detail


def posts_scan(*, limit: int = SCAN_BATCH, automaton: Scanner | None = None) -> int:
    """Scan up to ``limit`` posts awaiting it (new or changed) and set their wording findings; returns
    how many. Two workers never take the same posts (PostgreSQL's ``SKIP LOCKED``)."""
    with transaction.atomic():
        pending = Post.objects.filter(scanned_at__isnull=True).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        posts = list(pending.values_list("pk", "media_account_id", "title", "text")[:limit])
        if not posts:
            return 0
        scan_rules = _scan_rules()
        automaton = automaton or scanner(scan_rules)
        hits = []
        for pk, account_id, title, text in posts:
            words = f"{title}\n{text}" if title else text
            for hit in automaton.hits(words):
                rule = scan_rules[RULE_OF[hit.lexicon]]
                hits.append(
                    inspections.WordingHit(
                        post_id=pk,
                        media_account_id=account_id,
                        rule_id=rule.pk,
                        term=hit.term,
                        severity=hit.entry.severity if hit.entry is not None else rule.severity,
                        detail=_hit_detail(hit, words),
                    )
                )
        ids = [post[0] for post in posts]
        applied = inspections.wording_findings_apply(post_ids=ids, hits=hits)
        Post.objects.filter(pk__among=ids).update(scanned_at=timezone.now())
        record(
            "content.posts.scanned",
            changes={"after": {"posts": len(ids), "opened": applied.opened, "resolved": applied.resolved}},
        )
    return len(posts)


def posts_scan_all(*, limit: int = SCAN_BATCH) -> int:
    """Scan every post awaiting it, a batch at a time, with one automaton; returns how many."""
    automaton = scanner()
    total = 0
    while scanned := posts_scan(limit=limit, automaton=automaton):
        total += scanned
    return total


def posts_rescan(*, rule_codes: list[str]) -> int:
    """Have the posts of these scan rules' window (the widest) scanned again: a lexicon, the allowed
    sites or a rule changed. Returns how many posts wait for it."""
    windows = [
        InspectionRule.objects.filter(code=code).values_list("thresholds", flat=True).first() or {}
        for code in rule_codes
    ]
    days = max(
        (
            thresholds.get(SCAN_WINDOW, RULES[code][2][SCAN_WINDOW])
            for code, thresholds in zip(rule_codes, windows, strict=True)
        ),
        default=0,
    )
    if not days:
        return 0
    since = timezone.now() - datetime.timedelta(days=days)
    marked = Post.objects.filter(
        published_at__gte=since, scanned_at__isnull=False, text_removed_at__isnull=True
    ).update(scanned_at=None)
    if marked:
        transaction.on_commit(tasks.scan_posts.delay)
    return marked


# The lexicons ----------------------------------------------------------------------------------


def _default_severity(lexicon: str) -> str:
    return _scan_rules()[RULE_OF[lexicon]].severity


def _entry_checked(entry: LexiconEntry) -> LexiconEntry:
    entry.term = " ".join(entry.term.split())
    entry.correct_form = " ".join(entry.correct_form.split())
    entry.category = entry.category.strip()
    entry.source = entry.source.strip()
    if not entry.severity and entry.lexicon in Lexicon.values:
        entry.severity = _default_severity(entry.lexicon)
    entry.full_clean()
    if entry.correct_form and entry.correct_form == entry.term:
        raise ValidationError({"correct_form": _("The correct form must differ from the term.")})
    return entry


@transaction.atomic
def lexicon_entry_create(*, actor, **fields) -> LexiconEntry:
    """Add an entry; the posts of its lexicon's window are scanned again for it."""
    authorize(actor, "content.edit_lexicons")
    entry = _entry_checked(LexiconEntry(**{name: fields[name] for name in LEXICON_FIELDS if name in fields}))
    entry.save()
    record(
        "content.lexicon_entry.created",
        actor=actor,
        target=entry,
        changes={"after": snapshot(entry, LEXICON_FIELDS)},
    )
    posts_rescan(rule_codes=[RULE_OF[entry.lexicon]])
    return entry


@transaction.atomic
def lexicon_entry_update(*, actor, entry: LexiconEntry, **fields) -> LexiconEntry:
    """Change an entry: what its old form found is resolved, and the window is scanned again."""
    authorize(actor, "content.edit_lexicons")
    entry = LexiconEntry.objects.select_for_update().get(pk=entry.pk)
    before = snapshot(entry, LEXICON_FIELDS)
    for name in LEXICON_FIELDS:
        if name in fields:
            setattr(entry, name, fields[name])
    entry = _entry_checked(entry)
    changes = diff(before, snapshot(entry, LEXICON_FIELDS))
    if not changes["after"]:
        return entry
    entry.save()
    record("content.lexicon_entry.updated", actor=actor, target=entry, changes=changes)
    inspections.wording_findings_withdraw(rule_code=RULE_OF[before["lexicon"]], term=before["term"])
    posts_rescan(rule_codes=sorted({RULE_OF[before["lexicon"]], RULE_OF[entry.lexicon]}))
    return entry


@transaction.atomic
def lexicon_entry_delete(*, actor, entry: LexiconEntry) -> None:
    """Delete an entry; what it found is resolved (the findings keep the term and excerpt)."""
    authorize(actor, "content.edit_lexicons")
    entry = LexiconEntry.objects.select_for_update().get(pk=entry.pk)
    record(
        "content.lexicon_entry.deleted",
        actor=actor,
        target=entry,
        changes={"before": snapshot(entry, LEXICON_FIELDS)},
    )
    inspections.wording_findings_withdraw(rule_code=RULE_OF[entry.lexicon], term=entry.term)
    entry.delete()


@dataclass(frozen=True)
class LexiconImported:
    created: int
    updated: int


@transaction.atomic
def lexicon_import(*, actor, entries: list[dict]) -> LexiconImported:
    """Add or change entries by lexicon and term, from a checked sheet (``content.spreadsheets``:
    each value checked there, so 10,000 entries are not checked one query each); a row without a
    severity keeps the entry's, or takes the lexicon's rule's. One event, and each changed lexicon's
    window scanned once."""
    authorize(actor, "content.edit_lexicons")
    existing = {(entry.lexicon, entry.term): entry for entry in LexiconEntry.objects.select_for_update()}
    created, updated = [], []
    for fields in entries:
        fields = {name: value for name, value in fields.items() if name in LEXICON_FIELDS}
        entry = existing.get((fields["lexicon"], fields["term"]))
        if entry is None:
            fields["severity"] = fields.get("severity") or _default_severity(fields["lexicon"])
            created.append(LexiconEntry(**fields))
        else:
            if not fields.get("severity"):
                fields.pop("severity", None)
            before = snapshot(entry, LEXICON_FIELDS)
            for name, value in fields.items():
                setattr(entry, name, value)
            if diff(before, snapshot(entry, LEXICON_FIELDS))["after"]:
                updated.append(entry)
    LexiconEntry.objects.bulk_create(created, batch_size=500)
    LexiconEntry.objects.bulk_update(
        updated, [name for name in LEXICON_FIELDS if name not in ("lexicon", "term")], batch_size=500
    )
    for entry in updated:
        if not entry.enabled:
            inspections.wording_findings_withdraw(rule_code=RULE_OF[entry.lexicon], term=entry.term)
    if created or updated:
        record(
            "content.lexicon.imported",
            actor=actor,
            changes={"after": {"created": len(created), "updated": len(updated)}},
        )
        posts_rescan(rule_codes=sorted({RULE_OF[entry.lexicon] for entry in (*created, *updated)}))
    return LexiconImported(created=len(created), updated=len(updated))


def _domain(text: str) -> str:
    domain = text.strip().lower()
    for prefix in ("https://", "http://"):
        domain = domain.removeprefix(prefix)
    domain = domain.split("/", 1)[0].strip(".")
    if not domain or " " in domain or "." not in domain:
        raise ValidationError({"domain": _("Give a site's domain, such as gov.cn or www.people.com.cn.")})
    return domain


@transaction.atomic
def allowed_domain_add(*, actor, domain: str, note: str = "") -> AllowedDomain:
    """Allow links to a site (and its subdomains); the link rule's window is scanned again."""
    authorize(actor, "content.edit_lexicons")
    allowed = AllowedDomain(domain=_domain(domain), note=note.strip())
    allowed.full_clean()
    allowed.save()
    record(
        "content.allowed_domain.added", actor=actor, target=allowed, changes={"after": {"note": allowed.note}}
    )
    posts_rescan(rule_codes=[RuleCode.WORDING_LINK])
    return allowed


@transaction.atomic
def allowed_domain_remove(*, actor, allowed: AllowedDomain) -> None:
    authorize(actor, "content.edit_lexicons")
    record("content.allowed_domain.removed", actor=actor, target=allowed)
    allowed.delete()
    posts_rescan(rule_codes=[RuleCode.WORDING_LINK])
