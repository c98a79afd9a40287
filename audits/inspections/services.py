"""Every write of the scheduled inspections (动态管理 + 定期巡查, docs/design.md §7).

A run evaluates every enabled rule over all live accounts in set-based SQL, opens a finding
per account and broken rule, refreshes the ones still broken and resolves the ones that
cleared. It is one transaction: a crash leaves nothing half-done, and a rerun for the same day
changes nothing. The veto and serious findings of each unit then go back to it in one
rectification notice.
"""

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DateField,
    DateTimeField,
    F,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, JSONObject
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import authorize
from accounts.services import department_admins, notify, notify_each
from audits.inspections import rules
from audits.inspections.choices import FindingStatus, NoticeStatus, RunStatus, Severity
from audits.inspections.models import (
    Finding,
    InspectionRule,
    InspectionRun,
    RectificationNotice,
    RunStanding,
)
from audits.inspections.selectors import (
    RED_SEVERITIES,
    SEVERITY_ORDER,
    STALE_RUN,
    run_findings,
    unfinished_run,
)
from audits.inspections.states import FINDING, NOTICE
from audits.inspections.tasks import execute_inspection_run
from audits.trail.services import diff, record, record_many, snapshot
from content.tasks import rescan_posts
from registry.choices import LIVE_STATUSES
from registry.models import MediaAccount

logger = logging.getLogger(__name__)
NOTICE_WORKING_DAYS = 5


# Rules ---------------------------------------------------------------------------------------


def inspection_rules_install() -> int:
    """Create the rules that do not exist yet, with docs/design.md §7.1's defaults; returns how many."""
    existing = set(InspectionRule.objects.values_list("code", flat=True))
    missing = [
        InspectionRule(code=code, severity=severity, thresholds=thresholds, source=str(source))
        for code, (_query, severity, thresholds, source) in rules.RULES.items()
        if code not in existing
    ]
    InspectionRule.objects.bulk_create(missing)
    return len(missing)


def _validated_thresholds(rule: InspectionRule, thresholds: dict[str, Any]) -> dict[str, Any]:
    defaults = rules.RULES[rule.code][2]
    errors = {}
    for key, value in thresholds.items():
        if key not in defaults:
            errors[key] = _("This rule has no threshold named “%(key)s”.") % {"key": key}
        elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            errors[key] = _("Must be a number of at least 0.")
        elif value > rules.THRESHOLD_MAX:
            errors[key] = _("Must be at most %(limit)s.") % {"limit": rules.THRESHOLD_MAX}
    if errors:
        raise ValidationError({"thresholds": [f"{key}: {message}" for key, message in errors.items()]})
    return {**defaults, **thresholds}


@transaction.atomic
def inspection_rule_update(
    *,
    actor,
    rule: InspectionRule,
    enabled: bool | None = None,
    severity: str | None = None,
    thresholds: dict[str, Any] | None = None,
) -> InspectionRule:
    """The office edits a rule's thresholds, severity or on/off; the change is in the trail."""
    authorize(actor, "audits.edit_inspection_rule")
    rule = InspectionRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, ("enabled", "severity", "thresholds"))
    if enabled is not None:
        rule.enabled = enabled
    if severity is not None:
        if severity not in Severity.values:
            raise ValidationError({"severity": _("Unknown severity.")})
        rule.severity = severity
    if thresholds is not None:
        rule.thresholds = _validated_thresholds(rule, thresholds)
    rule.full_clean()
    rule.save()
    changes = diff(before, snapshot(rule, ("enabled", "severity", "thresholds")))
    if changes["after"]:
        record("audits.inspection_rule.updated", actor=actor, target=rule, changes=changes)
        if rule.code in rules.SCANNED:
            # Switched on or its window widened: the posts are scanned again by the rule as it is now.
            transaction.on_commit(lambda: rescan_posts.delay(rule.code))
    return rule


# Runs ----------------------------------------------------------------------------------------


# PostgreSQL's advisory lock key for run requests and claims ("RUNS").
RUNS_LOCK = 0x52554E53


def _runs_in_turn() -> None:
    """Take, until the transaction ends, the lock of run requests and claims: each looks for a run
    under way and acts on what it finds, so two at once would each find none and both go ahead.
    SQLite needs no lock: its write transactions (IMMEDIATE, see settings) run one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RUNS_LOCK])


@transaction.atomic
def inspection_run_request(*, actor, inspection_date: datetime.date | None = None) -> InspectionRun:
    """Queue a run (the office, or the scheduler with ``actor=None``); a worker executes it.
    While a run for the same day is queued or running, that run is the answer, not a second one."""
    authorize(actor, "audits.request_inspection_run")
    day = inspection_date or timezone.localdate()
    _runs_in_turn()
    under_way = unfinished_run()
    if under_way is not None and under_way.inspection_date == day:
        return under_way
    run = InspectionRun.objects.create(inspection_date=day, requested_by=actor)
    record(
        "audits.inspection_run.requested",
        actor=actor,
        target=run,
        changes={"after": {"inspection_date": run.inspection_date}},
    )
    transaction.on_commit(lambda: execute_inspection_run.delay(run.pk))
    return run


def _claim(run_id: int) -> InspectionRun | None:
    """Mark the run as running unless another run is under way; ``None`` means "try later".

    A run already marked running is taken over when it comes back and no worker holds it: that
    happens when the broker redelivers it after its worker died (acks_late; the dead worker's lock
    went with its connection), and a run is safe to repeat. A worker still evaluating it holds it
    locked (see :func:`inspection_run_execute`): then this one tries later. A failed run is claimed
    again too: the task retries a run that failed on a database error (a locked SQLite file), and
    its failure left nothing behind.
    """
    with transaction.atomic():
        _runs_in_turn()
        run = InspectionRun.objects.select_for_update(skip_locked=True).filter(pk=run_id).first()
        if run is None:  # another worker is evaluating it right now
            return None
        if run.status == RunStatus.FINISHED:
            return run
        busy = InspectionRun.objects.filter(
            status=RunStatus.RUNNING, started_at__gt=timezone.now() - STALE_RUN
        ).exclude(pk=run.pk)
        if busy.exists():
            return None
        run.status = RunStatus.RUNNING
        run.started_at = timezone.now()
        run.finished_at = None
        run.save(update_fields=["status", "started_at", "finished_at"])
        return run


def inspection_run_execute(*, run_id: int) -> InspectionRun | None:
    """Execute a queued run; returns ``None`` when another run is under way (retry later)."""
    run = _claim(run_id)
    if run is None or run.status != RunStatus.RUNNING:
        return run
    try:
        with transaction.atomic():
            # Hold the run while it is evaluated: a second worker handed it meanwhile waits or
            # skips it, and one that took it over before this lock finds it finished here.
            run = InspectionRun.objects.select_for_update().get(pk=run_id)
            if run.status != RunStatus.RUNNING:
                return run
            counts, accounts = _evaluate(run)
            run.status = RunStatus.FINISHED
            run.finished_at = timezone.now()
            run.counts = counts
            run.accounts = accounts
            run.error = ""
            run.save(update_fields=["status", "finished_at", "counts", "accounts", "error"])
            _record_standing(run)
            notices = _send_notices(run)
            record(
                "audits.inspection_run.finished",
                target=run,
                changes={"after": {"accounts": accounts, "counts": counts, "notices": notices}},
            )
    except Exception as error:
        logger.exception("inspection run %s failed", run_id)
        InspectionRun.objects.filter(pk=run_id).update(
            status=RunStatus.FAILED, finished_at=timezone.now(), error=f"{error.__class__.__name__}: {error}"
        )
        raise
    return run


def _record_standing(run: InspectionRun) -> None:
    """What stands after ``run``, per unit, in one INSERT … SELECT: the dashboard's trend reads it."""
    standing = (
        run_findings(run)
        .order_by()
        .values_list("media_account__department")
        .annotate(
            **{severity: Count("pk", filter=Q(severity=severity)) for severity in SEVERITY_ORDER},
            red_accounts=Count("media_account", distinct=True, filter=Q(severity__in=RED_SEVERITIES)),
            run_id=Value(run.pk),
        )
    )
    select, params = standing.query.sql_with_params()
    columns = ["department_id", *SEVERITY_ORDER, "red_accounts", "run_id"]
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RunStanding._meta.db_table} ({', '.join(columns)}) {select}", params)


# The accounts each rule finds broken in a run, written once per rule and read by the statements that
# resolve, refresh and open its findings: a rule's query (a year of daily figures, for some) then runs
# once per run, and no list of accounts travels through Python (issue 13: 100,000 accounts). A
# temporary table is the connection's own and goes with the run's transaction.
VIOLATIONS = "inspection_run_violations"


def _evaluate(run: InspectionRun) -> tuple[dict[str, dict[str, int]], int]:
    """Write each enabled rule's violations, then set the findings by them in three statements for
    all rules: resolve what cleared (a disabled rule's findings too: it has no violations), bring
    the severity of the rest to their rule's, open what is new. An open finding is not written
    again when it is seen again: that it is open says every run since its first saw it (its last
    day and run are read as the latest run's, ``FindingQuerySet.with_last_seen``), so a steady
    run writes only what changed (issue 13)."""
    inspection_rules_install()
    today = run.inspection_date
    quote = connection.ops.quote_name
    account_id = MediaAccount._meta.pk.rel_db_type(connection)
    detail = connection.data_types["JSONField"]
    with connection.cursor() as cursor:
        # IF NOT EXISTS: a run that failed and was rolled back to a savepoint (the tests' transaction)
        # may have left it behind on a connection the next run reuses; its rows went with it.
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {quote(VIOLATIONS)} (rule_id integer NOT NULL, "
            f"media_account_id {account_id} NOT NULL, detail {detail} NOT NULL, "
            "PRIMARY KEY (rule_id, media_account_id))"
        )
    all_rules = list(InspectionRule.objects.order_by("pk"))
    for rule in all_rules:
        if not rule.enabled or rule.code in rules.SCANNED:
            continue
        found = rules.violations(rule.code, today, rule.thresholds)
        for broken in found if isinstance(found, tuple) else (found,):
            fields = rules.detail_fields(broken)
            _insert_select(
                VIOLATIONS,
                broken,
                {
                    "rule_id": Value(rule.pk, output_field=IntegerField()),
                    "media_account_id": F("pk"),
                    "detail": JSONObject(**{name.removeprefix("detail_"): F(name) for name in fields})
                    if fields
                    else Value({}, output_field=JSONField()),
                },
            )
    if connection.vendor == "postgresql":
        # Autovacuum never sees a temporary table: without its figures the planner guesses the
        # joins below against it (a nested loop over every open finding, where a hash join is due).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {quote(VIOLATIONS)} (rule_id, media_account_id)")
    # A wording hit is the scan's to open and resolve (wording_findings_apply), but a switched-off
    # scan rule's hits resolve here like any switched-off rule's.
    cleared = Q(_violated(negated=True), post__isnull=True) | Q(post__isnull=False, rule__enabled=False)
    Finding.objects.filter(cleared, status__in=(FindingStatus.OPEN, FindingStatus.WAIVED)).update(
        status=FindingStatus.RESOLVED, resolved_at=timezone.now(), last_run=run, last_seen=_seen_until()
    )
    # A hit has its lexicon entry's severity, not its rule's.
    rule_severity = InspectionRule.objects.filter(pk=OuterRef("rule_id")).values("severity")
    Finding.objects.filter(status=FindingStatus.OPEN, post__isnull=True).exclude(
        severity=F("rule__severity")
    ).update(severity=Subquery(rule_severity))
    _open_findings(run)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {quote(VIOLATIONS)}")
    counts = _counts(run, all_rules)
    accounts = MediaAccount.objects.filter(status__in=LIVE_STATUSES).count()
    return counts, accounts


def _seen_until() -> Coalesce:
    """What a finding that stops being open now keeps as its last day seen: the latest run's."""
    latest = InspectionRun.objects.finished_latest_first().first()
    return Coalesce("last_seen", Value(latest.inspection_date) if latest else F("first_seen"))


def _counts(run: InspectionRun, all_rules: list[InspectionRule]) -> dict[str, dict[str, int]]:
    """Each rule's findings open after ``run``, opened by it and resolved by it: an open finding's
    ``last_run`` is the run that opened it, a resolved one's the run that resolved it."""
    rows = (
        Finding.objects.filter(Q(status=FindingStatus.OPEN) | Q(last_run=run))
        .order_by()
        .values("rule_id")
        .annotate(
            open=Count("pk", filter=Q(status=FindingStatus.OPEN)),
            opened=Count("pk", filter=Q(status=FindingStatus.OPEN, last_run=run)),
            resolved=Count("pk", filter=Q(status=FindingStatus.RESOLVED, last_run=run)),
        )
    )
    counted = {row.pop("rule_id"): row for row in rows}
    return {rule.code: counted.get(rule.pk, {"open": 0, "opened": 0, "resolved": 0}) for rule in all_rules}


def _violated(*, negated: bool = False) -> RawSQL:
    """Whether a finding's account is (or is not) among its rule's violations in this run: an
    (anti-)join on the table's key, which PostgreSQL does not turn into a subquery run per finding
    as it may a ``NOT IN`` over more ids than its working memory holds."""
    quote = connection.ops.quote_name
    table = quote(Finding._meta.db_table)
    return RawSQL(
        f"{'NOT ' if negated else ''}EXISTS (SELECT 1 FROM {quote(VIOLATIONS)} v "
        f"WHERE v.rule_id = {table}.rule_id AND v.media_account_id = {table}.media_account_id)",
        [],
        output_field=BooleanField(),
    )


def _insert_select(table: str, rows, columns: dict[str, Any]) -> int:
    """``INSERT INTO table (columns) SELECT …`` one value of each column per row of the queryset
    ``rows``: one statement, and the rows never travel through Python, so a run costs the same
    number of statements for 10 or 100,000 accounts."""
    aliases = {f"new_{column}": expression for column, expression in columns.items()}
    # No ORDER BY: MediaAccount's ordering would join every account's unit for nothing.
    select, params = rows.order_by().annotate(**aliases).values(*aliases).query.sql_with_params()
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(table)} ({', '.join(quote(column) for column in columns)}) "
        f"SELECT {', '.join(quote(alias) for alias in aliases)} FROM ({select}) AS new_rows"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _open_findings(run: InspectionRun) -> int:
    """Open a finding for each of the run's violations whose account has no open or waived one for
    the rule, at the rule's severity."""
    quote = connection.ops.quote_name
    day = connection.ops.adapt_datefield_value(run.inspection_date)
    columns = ", ".join(
        quote(column)
        for column in (
            *("rule_id", "media_account_id", "severity", "status", "first_seen", "last_seen"),
            *("last_run_id", "detail", "waive_reason", "term", "dismiss_reason"),
        )
    )
    finding, rule = quote(Finding._meta.db_table), quote(InspectionRule._meta.db_table)
    sql = (
        f"INSERT INTO {finding} ({columns}) "
        f"SELECT v.rule_id, v.media_account_id, r.severity, %s, %s, NULL, %s, v.detail, '', '', '' "
        f"FROM {quote(VIOLATIONS)} v JOIN {rule} r ON r.id = v.rule_id "
        f"WHERE NOT EXISTS (SELECT 1 FROM {finding} f "
        "WHERE f.rule_id = v.rule_id AND f.media_account_id = v.media_account_id AND f.status IN (%s, %s))"
    )
    params = [FindingStatus.OPEN.value, day, run.pk, FindingStatus.OPEN.value, FindingStatus.WAIVED.value]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def working_days_after(day: datetime.date, count: int) -> datetime.date:
    """``count`` working days (Monday to Friday) after ``day``."""
    while count:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day


def _send_notices(run: InspectionRun) -> int:
    """Group each unit's open veto and serious findings not yet under a notice into one notice.

    Set-based whatever the number of units (issue 13: 2,000 of them): one insert of the notices, one
    update of their findings, one read of them and one of their units' administrators, one insert
    of the notifications, and one insert of their events as the run commits. Those two inserts are
    batches of Django's: on PostgreSQL one statement up to 500 new notices a run (the trail's batch);
    on SQLite, whose statements take at most 999 parameters, one per about 70 notices.
    """
    unsent = Finding.objects.filter(
        status=FindingStatus.OPEN, severity__in=(Severity.VETO, Severity.SERIOUS), notice__isnull=True
    )
    deadline = working_days_after(run.inspection_date, NOTICE_WORKING_DAYS)
    _insert_select(
        RectificationNotice._meta.db_table,
        # From the findings' side (their partial index "finding_unsent"): probing each unit's
        # accounts for one took 150 ms at 10,000 accounts.
        unsent.values("media_account__department").distinct(),
        {
            "department_id": F("media_account__department"),
            "run_id": Value(run.pk, output_field=IntegerField()),
            "deadline": Value(deadline, output_field=DateField()),
            "status": Value(NoticeStatus.OPEN.value, output_field=CharField()),
            "response": Value("", output_field=CharField()),
            "return_note": Value("", output_field=CharField()),
            "created_at": Value(timezone.now(), output_field=DateTimeField()),
        },
    )
    sent = RectificationNotice.objects.filter(run=run)
    unsent.update(
        notice=Subquery(sent.filter(department__media_accounts=OuterRef("media_account_id")).values("pk")[:1])
    )
    notices = list(sent.select_related("department"))
    if not notices:
        return 0
    record_many(
        "audits.notice.sent", items=[(notice, {"after": {"deadline": deadline}}) for notice in notices]
    )
    admins = {}
    for admin in department_admins(sent.values("department_id")):
        admins.setdefault(admin.department_id, []).append(admin)
    subject = _("Rectification notice: reply by %(deadline)s") % {"deadline": deadline}
    body = _("The inspection of %(day)s found problems with your unit's accounts.") % {
        "day": run.inspection_date
    }
    notify_each(
        (admins.get(notice.department_id, []), subject, body, reverse("notice_detail", args=[notice.pk]))
        for notice in notices
    )
    return len(notices)


# Wording hits --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WordingHit:
    """What the scan found in one post: the rule, the term (or outside host), the severity and the
    finding's detail (the excerpt, the correct form, the lexicon entry)."""

    post_id: int
    media_account_id: int
    rule_id: int
    term: str
    severity: str
    detail: dict


@dataclass(frozen=True)
class WordingApplied:
    opened: int
    resolved: int


def wording_findings_apply(*, post_ids: list[int], hits: list[WordingHit]) -> WordingApplied:
    """Set the wording findings of the scanned posts ``post_ids`` by what the scan found in them:
    open one for each new hit, refresh the excerpt of each still there, resolve each gone (the post
    was edited, the entry changed or switched off). A false positive stays one: the same term in the
    same post is not flagged again, nor is a waived hit. Four statements per batch of posts."""
    if not post_ids:
        return WordingApplied(0, 0)
    standing = {
        (finding.post_id, finding.rule_id, finding.term): finding
        for finding in Finding.objects.filter(post_id__in=post_ids).exclude(status=FindingStatus.RESOLVED)
    }
    found = {(hit.post_id, hit.rule_id, hit.term): hit for hit in hits}
    today = timezone.localdate()
    gone = [
        finding.pk
        for key, finding in standing.items()
        if key not in found and finding.status in (FindingStatus.OPEN, FindingStatus.WAIVED)
    ]
    if gone:
        Finding.objects.filter(pk__in=gone).update(
            status=FindingStatus.RESOLVED, resolved_at=timezone.now(), last_seen=today
        )
    moved = []
    for key, hit in found.items():
        finding = standing.get(key)
        if finding is not None and finding.status == FindingStatus.OPEN and finding.detail != hit.detail:
            finding.detail, finding.severity = hit.detail, hit.severity
            moved.append(finding)
    Finding.objects.bulk_update(moved, ["detail", "severity"], batch_size=500)
    new = [
        Finding(
            rule_id=hit.rule_id,
            media_account_id=hit.media_account_id,
            post_id=hit.post_id,
            term=hit.term,
            severity=hit.severity,
            first_seen=today,
            detail=hit.detail,
        )
        for key, hit in found.items()
        if key not in standing
    ]
    Finding.objects.bulk_create(new, batch_size=500)
    return WordingApplied(opened=len(new), resolved=len(gone))


def wording_findings_withdraw(*, rule_code: str, term: str) -> int:
    """Resolve the standing hits of a lexicon entry that was changed, switched off or deleted: what
    the entry now finds, the posts' next scan finds again. Returns how many."""
    return Finding.objects.filter(
        rule__code=rule_code,
        term=term,
        post__isnull=False,
        status__in=(FindingStatus.OPEN, FindingStatus.WAIVED),
    ).update(status=FindingStatus.RESOLVED, resolved_at=timezone.now(), last_seen=timezone.localdate())


@transaction.atomic
def finding_confirm(*, actor, finding: Finding) -> Finding:
    """The office has read a wording hit and holds it a real error; it stays open for the unit."""
    authorize(actor, "audits.review_wording_hit", finding)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    FINDING.check(finding, "confirm")
    finding.confirmed_by, finding.confirmed_at = actor, timezone.now()
    finding.save(update_fields=["confirmed_by", "confirmed_at"])
    record("audits.finding.confirmed", actor=actor, target=finding, changes={"after": {"term": finding.term}})
    return finding


@transaction.atomic
def finding_dismiss(*, actor, finding: Finding, reason: str) -> Finding:
    """The office marks a wording hit a false positive: it leaves the grade and any notice's open
    findings, and the same term in the same post is not flagged again."""
    authorize(actor, "audits.review_wording_hit", finding)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    FINDING.check(finding, "dismiss")
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the hit is a false positive.")})
    before = finding.status
    finding.status = FindingStatus.DISMISSED
    finding.last_seen = timezone.localdate()
    finding.dismissed_by, finding.dismissed_at, finding.dismiss_reason = actor, timezone.now(), reason
    finding.save(update_fields=["status", "last_seen", "dismissed_by", "dismissed_at", "dismiss_reason"])
    record(
        "audits.finding.dismissed",
        actor=actor,
        target=finding,
        changes={"before": {"status": before}, "after": {"status": finding.status, "reason": reason}},
    )
    return finding


# Findings and notices ------------------------------------------------------------------------


@transaction.atomic
def finding_waive(*, actor, finding: Finding, reason: str) -> Finding:
    """The office accepts a finding as justified; it no longer counts against the account."""
    authorize(actor, "audits.waive_finding", finding)
    finding = Finding.objects.select_for_update().get(pk=finding.pk)
    FINDING.check(finding, "waive")
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for waiving the finding.")})
    finding.status = FindingStatus.WAIVED
    # No run sees it open from now on: it keeps the latest run as the last that saw it.
    latest = InspectionRun.objects.finished_latest_first().first()
    if latest is not None:
        finding.last_seen, finding.last_run = latest.inspection_date, latest
    else:
        finding.last_seen = finding.first_seen
    finding.waived_by = actor
    finding.waived_at = timezone.now()
    finding.waive_reason = reason
    finding.save(update_fields=["status", "waived_by", "waived_at", "waive_reason", "last_seen", "last_run"])
    record("audits.finding.waived", actor=actor, target=finding, changes={"after": {"reason": reason}})
    return finding


def _locked_notice(notice: RectificationNotice) -> RectificationNotice:
    return RectificationNotice.objects.select_for_update().get(pk=notice.pk)


@transaction.atomic
def notice_respond(*, actor, notice: RectificationNotice, response: str) -> RectificationNotice:
    """The unit says what it did about the findings."""
    notice = _locked_notice(notice)
    authorize(actor, "audits.respond_notice", notice)
    NOTICE.check(notice, "respond")
    if not response.strip():
        raise ValidationError({"response": _("Say what was done.")})
    notice.status = NoticeStatus.RESPONDED
    notice.response = response
    notice.responded_by = actor
    notice.responded_at = timezone.now()
    notice.save(update_fields=["status", "response", "responded_by", "responded_at"])
    record("audits.notice.responded", actor=actor, target=notice, changes={"after": {"response": response}})
    return notice


@transaction.atomic
def notice_accept(*, actor, notice: RectificationNotice, note: str = "") -> RectificationNotice:
    """The office accepts the answer: the notice's open findings are resolved."""
    authorize(actor, "audits.decide_notice", notice)
    notice = _locked_notice(notice)
    NOTICE.check(notice, "accept")
    notice.status = NoticeStatus.ACCEPTED
    notice.decided_by = actor
    notice.decided_at = timezone.now()
    notice.save(update_fields=["status", "decided_by", "decided_at"])
    resolved = notice.findings.filter(status=FindingStatus.OPEN).update(
        status=FindingStatus.RESOLVED, resolved_at=timezone.now(), last_seen=_seen_until()
    )
    record(
        "audits.notice.accepted",
        actor=actor,
        target=notice,
        changes={"after": {"note": note, "resolved": resolved}},
    )
    return notice


@transaction.atomic
def notice_return(*, actor, notice: RectificationNotice, note: str) -> RectificationNotice:
    """The office sends the answer back: the unit must answer again."""
    authorize(actor, "audits.decide_notice", notice)
    notice = _locked_notice(notice)
    NOTICE.check(notice, "return")
    if not note.strip():
        raise ValidationError({"note": _("Say what is still missing.")})
    notice.status = NoticeStatus.OPEN
    notice.return_note = note
    notice.save(update_fields=["status", "return_note"])
    record("audits.notice.returned", actor=actor, target=notice, changes={"after": {"note": note}})
    notify(
        users=department_admins([notice.department_id]),
        subject=_("Rectification answer sent back"),
        body=note,
        url=reverse("notice_detail", args=[notice.pk]),
    )
    return notice
