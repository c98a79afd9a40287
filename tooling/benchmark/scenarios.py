"""The benchmark's scenarios: each one timed through the real code path and as raw SQL.

A scenario pairs the application doing a user's job (a page through the test ``Client``, an API
call through ``APIClient`` with a real token, or a service) with one hand-written SQL statement
that gives the same rows straight from the database. The ratio of the two medians is what the
benchmark reports: how much the application adds to the database's own work. The raw side only
reads (or, for the uploads and a release task's start, only writes); everything else the
application does — scoping, rendering, validation, the audit trail — is what the ratio measures.
The wording scan's raw side has no database at all: the same automaton over the same texts in
Python (issue 14).
"""

import datetime
import io
import json
import statistics
import time
import tracemalloc
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.models import User
from audits.campaigns.choices import ClosureOrderStatus, SelfInspectionStatus
from audits.campaigns.models import ClosureOrder, SelfInspection
from audits.campaigns.selectors import WINDOW_DAYS
from audits.inspections.choices import FindingStatus, Grade, Severity
from audits.inspections.models import Finding, InspectionRule, RectificationNotice
from audits.inspections.selectors import RED_SEVERITIES
from audits.inspections.services import inspection_run_request
from audits.ranking.models import WeeklyIndex
from audits.ranking.services import WEIGHTS, weekly_index_compute
from audits.releases.choices import AssignmentStatus, ReleaseMode
from audits.releases.models import ReleaseAssignment, ReleaseTask
from audits.releases.services import release_task_create, release_task_start
from audits.releases.views import PAGE_SIZE as PARTS_PAGE
from audits.trail.models import AuditEvent
from audits.trail.views import COUNT_CAP
from content import services as content_services
from content.choices import PostKind
from content.models import AllowedDomain, LexiconEntry, Post
from content.wording import Scanner, Term
from registry.choices import LIVE_STATUSES, DepartmentKind, FilingStatus, MediaAccountStatus, Platform
from registry.models import AccountMetric, Department, ExportJob, Filing, MediaAccount, Operator
from registry.selectors import MATRIX_STATUSES
from tooling.benchmark.data import POST_COLUMNS, World, copy_line, sql_values

PAGE = 50  # the lists' page size (browser and API alike)


@dataclass(frozen=True)
class Scenario:
    name: str
    app: Callable[[], int | None]  # returns the rows it produced, where they can be counted
    raw: Callable[[], int]  # returns the rows the SQL produced
    raw_statements: int = 1
    memory: bool = False  # also measure the peak of Python's memory during one run (an export's)
    setup: Callable[[], object] | None = None  # before each run of the application's side, untimed
    raw_setup: Callable[[], object] | None = None  # before each run of the raw side, untimed
    per_second: str = ""  # what the rows are, to report them per second (e.g. "posts")


@dataclass(frozen=True)
class Result:
    scenario: str
    rows: int
    app_rows: int | None
    app_ms: float
    raw_ms: float
    ratio: float
    queries: int
    raw_statements: int
    peak_mib: float | None = None
    per_second_of: str | None = None
    app_per_second: float | None = None
    raw_per_second: float | None = None


# Running them ---------------------------------------------------------------------------------


@contextmanager
def production_like():
    """Settings for measuring: no query log (DEBUG off), no mail, Celery in the process.

    Celery runs eagerly so that an inspection run executes in the process, on the benchmark's
    database; a task sent to the configured broker would reach a real worker on the real one.
    """
    from config.celery import app

    eager, propagates = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    try:
        with override_settings(
            DEBUG=False,
            ALLOWED_HOSTS=["testserver"],
            EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        ):
            yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = eager, propagates


def _median_ms(work: Callable[[], object], runs: int, setup: Callable[[], object] | None = None) -> float:
    times = []
    for _run in range(runs):
        if setup is not None:
            setup()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def measure(scenario: Scenario, runs: int) -> Result:
    # The first call of each side warms the caches (templates, translations, the database's
    # pages) and, on the application side, counts the queries.
    if scenario.setup is not None:
        scenario.setup()
    with CaptureQueriesContext(connection) as queries:
        app_rows = scenario.app()
    query_count = len(queries)  # now: the log it reads is cleared when the next request starts
    if scenario.raw_setup is not None:
        scenario.raw_setup()
    rows = scenario.raw()
    app_ms = _median_ms(scenario.app, runs, scenario.setup)
    raw_ms = _median_ms(scenario.raw, runs, scenario.raw_setup)

    def per_second(count: int, ms: float) -> float | None:
        return round(count / ms * 1000) if scenario.per_second and ms else None

    return Result(
        scenario=scenario.name,
        rows=rows,
        app_rows=app_rows,
        app_ms=round(app_ms, 2),
        raw_ms=round(raw_ms, 3),
        ratio=round(app_ms / raw_ms, 1) if raw_ms else float("inf"),
        queries=query_count,
        raw_statements=scenario.raw_statements,
        peak_mib=_peak_mib(scenario.app) if scenario.memory else None,
        per_second_of=scenario.per_second or None,
        app_per_second=per_second(rows if app_rows is None else app_rows, app_ms),
        raw_per_second=per_second(rows, raw_ms),
    )


def _peak_mib(work: Callable[[], object]) -> float:
    # tracemalloc sees what Python allocates (rows, cells, the response's bytes), not the database
    # driver's C buffers; it slows the run, so this run is apart from the timed ones.
    tracemalloc.start()
    try:
        work()
        return round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    finally:
        tracemalloc.stop()


def as_json(results: list[Result]) -> list[dict]:
    return [asdict(result) for result in results]


# SQL pieces -----------------------------------------------------------------------------------

T = {
    "account": MediaAccount._meta.db_table,
    "department": Department._meta.db_table,
    "operator": Operator._meta.db_table,
    "metric": AccountMetric._meta.db_table,
    "filing": Filing._meta.db_table,
    "finding": Finding._meta.db_table,
    "event": AuditEvent._meta.db_table,
    "index": WeeklyIndex._meta.db_table,
    "closure": ClosureOrder._meta.db_table,
    "notice": RectificationNotice._meta.db_table,
    "rule": InspectionRule._meta.db_table,
    "inspection": SelfInspection._meta.db_table,
    "user": User._meta.db_table,
    "post": Post._meta.db_table,
    "task": ReleaseTask._meta.db_table,
    "part": ReleaseAssignment._meta.db_table,
}


def _in(values) -> str:
    # Only the project's own choice values are written into SQL this way, never user input.
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


LIVE = _in(LIVE_STATUSES)
# An account live at some time of a week (the ranking's and the weekly index's definition): two
# parameters, the week's Saturday and its Sunday.
LIVE_IN_WEEK = f"""a.status IN {_in((*LIVE_STATUSES, MediaAccountStatus.CLOSED, MediaAccountStatus.MERGED))}
    AND (a.activated_on IS NULL OR a.activated_on <= %s) AND (a.closed_on IS NULL OR a.closed_on >= %s)"""
GRADE = f"""CASE
    WHEN a.status NOT IN {LIVE} THEN NULL
    WHEN EXISTS (SELECT 1 FROM {T["finding"]} f WHERE f.media_account_id = a.id
                 AND f.status = '{FindingStatus.OPEN}' AND f.severity IN {_in(RED_SEVERITIES)})
        THEN '{Grade.RED}'
    WHEN EXISTS (SELECT 1 FROM {T["finding"]} f WHERE f.media_account_id = a.id
                 AND f.status = '{FindingStatus.OPEN}' AND f.severity = '{Severity.WARNING}')
        THEN '{Grade.AMBER}'
    ELSE '{Grade.GREEN}' END"""


def _scope(user: User, column: str) -> tuple[str, str, list]:
    """(WITH clause, condition, params) narrowing ``column`` (a department id) to ``user``'s units:
    the office sees everything; a department admin its unit and every unit below it."""
    if user.department_id is None:
        return "", "", []
    cte = (
        f"WITH RECURSIVE scope(id) AS (SELECT id FROM {T['department']} WHERE id = %s UNION ALL "
        f"SELECT d.id FROM {T['department']} d JOIN scope s ON d.parent_id = s.id) "
    )
    return cte, f" AND {column} IN (SELECT id FROM scope)", [user.department_id]


def _operators_json(vendor: str) -> str:
    """A correlated subquery giving an account's operators as a JSON array, as the API nests them."""
    if vendor == "postgresql":
        aggregate = "COALESCE(json_agg(json_build_object('name', o.name, 'phone', o.phone, 'employment', o.employment) ORDER BY o.id), '[]')"  # noqa: E501
    else:
        aggregate = (
            "json_group_array(json_object('name', o.name, 'phone', o.phone, 'employment', o.employment))"
        )
    return f"(SELECT {aggregate} FROM {T['operator']} o WHERE o.media_account_id = a.id)"


def _operators_text(vendor: str) -> str:
    """An account's operators as one cell of text, as the export writes them."""
    cell = "o.name || ' ' || o.phone || ' ' || o.employment"
    aggregate = (
        f"string_agg({cell}, '；' ORDER BY o.id)" if vendor == "postgresql" else f"group_concat({cell}, '；')"
    )
    return f"(SELECT {aggregate} FROM {T['operator']} o WHERE o.media_account_id = a.id)"


def _fetch(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return len(cursor.fetchall())


def _day(day: datetime.date):
    return connection.ops.adapt_datefield_value(day)


def _moment(day: datetime.date):
    """The start of ``day`` in the site's time, as a parameter of a raw statement."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return connection.ops.adapt_datetimefield_value(start)


# The scenarios --------------------------------------------------------------------------------


def _browser(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _get(client, url: str, **query) -> Callable[[], int | None]:
    def page() -> int | None:
        response = client.get(url, query)
        assert response.status_code == 200, (url, response.status_code)
        if response.get("Content-Type", "").startswith("application/json"):
            return len(response.json()["results"])
        return None

    return page


def _account_page(
    user: User, where: str = "", params=(), order: str = "d.order_key, a.platform, a.name, a.id"
):
    cte, scope, scope_params = _scope(user, "a.department_id")
    sql = f"""{cte}SELECT a.id, a.name, d.name, a.platform, a.platform_uid, a.status, {GRADE},
        a.filing_number, a.followers, a.last_post_on,
        (SELECT COUNT(*) FROM {T["account"]} a WHERE 1 = 1{scope}{where})
        FROM {T["account"]} a JOIN {T["department"]} d ON d.id = a.department_id
        WHERE 1 = 1{scope}{where} ORDER BY {order} LIMIT {PAGE}"""
    return lambda: _fetch(sql, [*scope_params, *params, *params])


def _account_api_page(user: User):
    cte, scope, scope_params = _scope(user, "a.department_id")
    sql = f"""{cte}SELECT a.*, d.name, {_operators_json(connection.vendor)},
        (SELECT COUNT(*) FROM {T["account"]} a WHERE 1 = 1{scope})
        FROM {T["account"]} a JOIN {T["department"]} d ON d.id = a.department_id
        WHERE 1 = 1{scope} ORDER BY d.order_key, a.platform, a.name, a.id LIMIT {PAGE}"""
    return lambda: _fetch(sql, scope_params)


def export_rows_raw(*, copy: bool = False):
    sql = f"""SELECT a.id, d.name, d.code, a.name, a.platform, a.platform_uid, a.url, a.verified,
        a.filing_number, a.status, a.functions, a.responsible_person, a.has_interaction, a.followers,
        a.last_post_on, a.last_confirmed_on, a.opened_on, {_operators_text(connection.vendor)},
        a.exception_reason
        FROM {T["account"]} a JOIN {T["department"]} d ON d.id = a.department_id
        ORDER BY d.order_key, a.platform, a.name, a.id"""
    if copy and connection.vendor == "postgresql":
        # The CSV's yardstick on PostgreSQL: the database writing the same rows as CSV itself.
        return lambda: _copy_csv(sql)
    return lambda: _fetch(sql, [])


class _LineCounter:
    """A file that only counts the lines written to it: COPY's output is read, not kept."""

    lines = 0

    def write(self, data) -> None:
        self.lines += data.count("\n" if isinstance(data, str) else b"\n")


def _copy_csv(sql: str) -> int:
    out = _LineCounter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT WITH CSV", out)
    return out.lines


def _download(client, url: str, requester: User, **query) -> Callable[[], int | None]:
    def download() -> int | None:
        response = client.get(url, query)
        # More rows than are built at once: the job's worker (eager here) has built the file.
        if response.status_code == 202:
            job = client.get(response.json()["url"]).json()
            response = client.get(job["download_url"])
        elif response.status_code == 302:
            job = ExportJob.objects.filter(requested_by=requester).latest("pk")
            response = client.get(reverse("export_job_download", args=[job.pk]))
        assert response.status_code == 200, (url, response.status_code)
        if not response.streaming:
            return None
        lines = 0
        for chunk in response.streaming_content:  # read as a client would, never held whole
            lines += chunk.count(b"\n")
        response.close()
        if response["Content-Type"].startswith("text/csv"):
            return lines - 1  # the lines after the header
        return None  # an .xlsx file: its rows are not counted here

    return download


def _dashboard(user: User):
    # The home page's figures: accounts by platform, status and grade, units, pending filings
    # and open notices, within the user's scope.
    cte, scope, params = _scope(user, "a.department_id")
    _cte, unit_scope, _p = _scope(user, "u.id")
    _cte, filing_scope, _p = _scope(user, "fa.department_id")
    _cte, notice_scope, _p = _scope(user, "n.department_id")
    sql = f"""{cte}SELECT ad.kind, a.platform, a.status, {GRADE}, COUNT(*),
        (SELECT COUNT(*) FROM {T["department"]} u WHERE u.is_active{unit_scope}),
        (SELECT COUNT(*) FROM {T["filing"]} fi JOIN {T["account"]} fa ON fa.id = fi.media_account_id
         WHERE fi.status = '{FilingStatus.SUBMITTED}'{filing_scope}),
        (SELECT COUNT(*) FROM {T["notice"]} n WHERE n.status = 'open'{notice_scope})
        FROM {T["account"]} a JOIN {T["department"]} ad ON ad.id = a.department_id
        WHERE 1 = 1{scope} GROUP BY ad.kind, a.platform, a.status, 4"""
    return lambda: _fetch(sql, params)


def _matrix(user: User):
    # Each unit's accounts counted by platform and grade (registry.selectors.matrix also names them,
    # one more query, when the scope holds few enough to name).
    cte, scope, params = _scope(user, "d.id")
    sql = f"""{cte}SELECT d.id, d.name, d.kind, d.parent_id, a.platform, {GRADE} AS grade, COUNT(a.id)
        FROM {T["department"]} d LEFT JOIN {T["account"]} a
            ON a.department_id = d.id AND a.status IN {_in(MATRIX_STATUSES)}
        WHERE (d.is_active OR a.id IS NOT NULL){scope}
        GROUP BY d.id, d.name, d.kind, d.parent_id, a.platform, grade ORDER BY d.id"""
    return lambda: _fetch(sql, params)


def _trail_page(user: User, *, capped: bool = True):
    cte, scope, params = _scope(user, "e.department_id")
    # The page counts at most COUNT_CAP + 1 events (audits.trail.views.CappedPaginator); the events
    # API counts them all.
    limit = f"ORDER BY e.at DESC, e.id DESC LIMIT {COUNT_CAP + 1}" if capped else ""
    sql = f"""{cte}SELECT e.*, d.name, (SELECT COUNT(*) FROM (SELECT 1 FROM {T["event"]} e WHERE 1 = 1{scope}
        {limit}) counted)
        FROM {T["event"]} e LEFT JOIN {T["department"]} d ON d.id = e.department_id
        WHERE 1 = 1{scope} ORDER BY e.at DESC, e.id DESC LIMIT {PAGE}"""
    return lambda: _fetch(sql, params)


def _ranking(user: User, week: datetime.date):
    # The rank as the selector counts it: 1 + the district's accounts live that week with a higher
    # index that week.
    cte, scope, params = _scope(user, "a.department_id")
    live = [_day(week + datetime.timedelta(days=6)), _day(week)]
    sql = f"""{cte}SELECT w.*, a.name, a.platform, a.department_id, d.name,
            1 + (SELECT COUNT(*) FROM {T["index"]} h JOIN {T["account"]} a ON a.id = h.media_account_id
                 WHERE h.week_start = w.week_start AND h."index" > w."index" AND {LIVE_IN_WEEK}) AS rank,
            (SELECT COUNT(*) FROM {T["index"]} w JOIN {T["account"]} a ON a.id = w.media_account_id
             WHERE w.week_start = %s AND {LIVE_IN_WEEK}{scope})
        FROM {T["index"]} w JOIN {T["account"]} a ON a.id = w.media_account_id
            JOIN {T["department"]} d ON d.id = a.department_id
        WHERE w.week_start = %s AND {LIVE_IN_WEEK}{scope}
        ORDER BY w."index" DESC, a.name, w.id LIMIT {PAGE}"""
    return lambda: _fetch(sql, [*params, *live, _day(week), *live, _day(week), *live])


def _week_figures(week: datetime.date):
    day_score = " + ".join(
        f"{weight} * LN(m.{name} * {float(factor)} + 1.0)" for name, (weight, factor) in WEIGHTS.items()
    )
    sql = f"""SELECT a.id, COUNT(m.id), COALESCE(SUM(m.posts), 0), COALESCE(SUM(m.reads), 0),
        COALESCE(SUM(m.likes), 0), COALESCE(SUM(m.shares), 0), COALESCE(SUM(m.comments), 0),
        COALESCE(MAX({day_score}), 0.0)
        FROM {T["account"]} a LEFT JOIN {T["metric"]} m
            ON m.media_account_id = a.id AND m.date BETWEEN %s AND %s
        WHERE {LIVE_IN_WEEK} GROUP BY a.id ORDER BY a.id"""
    end = week + datetime.timedelta(days=6)
    return lambda: _fetch(sql, [_day(week), _day(end), _day(end), _day(week)])


def _rule_violations(today: datetime.date):
    """Every rule of docs/design.md §7.1 with its default thresholds, as one UNION of set queries."""
    before = lambda days: _day(today - datetime.timedelta(days=days))  # noqa: E731
    live = (
        f"FROM {T['account']} a JOIN {T['department']} d ON d.id = a.department_id WHERE a.status IN {LIVE}"
    )
    # A new account's grace: by default as long as the window, so an account past it has lived the
    # whole window and the rate is counted over all of it.
    past_grace = "(a.activated_on IS NULL OR a.activated_on <= %s)"
    # Where an account's posts are received they say when it last posted (its last original post) and
    # how often (every post in the window); where none are, its daily figures do.
    posted = f"EXISTS (SELECT 1 FROM {T['post']} p WHERE p.media_account_id = a.id)"
    midnight = lambda days: _moment(today - datetime.timedelta(days=days))  # noqa: E731
    parts = [
        (
            f"""SELECT 'no_update', a.id {live} AND {past_grace} AND CASE WHEN {posted}
                THEN NOT COALESCE((SELECT MAX(p.published_at) FROM {T["post"]} p
                    WHERE p.media_account_id = a.id AND p.kind = '{PostKind.ORIGINAL}'
                    AND p.published_at < %s) >= %s, FALSE)
                ELSE (a.last_post_on IS NULL OR a.last_post_on < %s) END""",
            [before(14), midnight(0), midnight(14), before(14)],
        ),
        (
            f"""SELECT 'low_frequency', a.id {live} AND {past_grace} AND CASE WHEN {posted}
                THEN (SELECT COUNT(*) FROM {T["post"]} p WHERE p.media_account_id = a.id
                    AND p.published_at >= %s AND p.published_at < %s)
                ELSE COALESCE((SELECT SUM(m.posts) FROM {T["metric"]} m
                    WHERE m.media_account_id = a.id AND m.date >= %s AND m.date < %s), 0) END < 30""",
            [before(30), midnight(30), midnight(0), before(30), _day(today)],
        ),
        (f"SELECT 'low_reach', a.id {live} AND {past_grace} AND a.followers < 100", [before(30)]),
        (
            f"""SELECT 'unanswered', a.id {live} AND (SELECT m.messages_overdue FROM {T["metric"]} m
                WHERE m.media_account_id = a.id AND m.date >= %s AND m.date <= %s
                ORDER BY m.date DESC LIMIT 1) >= 1""",
            [before(7), _day(today)],
        ),
        (f"SELECT 'no_interaction', a.id {live} AND a.has_interaction = %s", [False]),
        (
            f"""SELECT 'closure_overdue', a.id {live} AND EXISTS (SELECT 1 FROM {T["closure"]} c
                WHERE c.media_account_id = a.id AND c.status = '{ClosureOrderStatus.OPEN}'
                AND c.deadline < %s)""",
            [_day(today)],
        ),
        (
            f"""SELECT 'stale_record', a.id {live} AND (COALESCE(a.last_confirmed_on, a.opened_on) IS NULL
                OR COALESCE(a.last_confirmed_on, a.opened_on) < %s)""",
            [before(365)],
        ),
        (
            f"SELECT 'township_account', a.id {live} AND d.kind = '{DepartmentKind.TOWNSHIP}' "
            "AND a.exception_reason = ''",
            [],
        ),
        (
            f"""SELECT 'duplicate_platform', a.id {live} AND EXISTS (SELECT 1 FROM {T["account"]} b
                WHERE b.department_id = a.department_id AND b.platform = a.platform
                AND b.status IN {LIVE} AND b.id <> a.id)""",
            [],
        ),
        (
            f"""SELECT 'no_responsible_person', a.id {live} AND (a.responsible_person = ''
                OR d.first_responsible_person = ''
                OR NOT EXISTS (SELECT 1 FROM {T["operator"]} o WHERE o.media_account_id = a.id))""",
            [],
        ),
    ]
    sql = " UNION ALL ".join(part for part, _params in parts)
    params = [param for _part, part_params in parts for param in part_params]
    return lambda: _fetch(sql, params)


def _applications(world: World):
    """The first page of the applications awaiting a decision, with their total, as the review page
    and the decision sheet read them: the unit's answers and proposed target, the account and its
    unit, its posts in the last 30 days, the unit's strongest other live account on the platform,
    its grade and its open findings."""
    if connection.vendor == "postgresql":
        rules = "string_agg(r.code, ',' ORDER BY f.id)"
    else:
        rules = "group_concat(r.code, ',')"
    sql = f"""SELECT s.*, a.name, a.platform, a.followers, a.last_post_on, d.name, t.name, u.username,
        COALESCE((SELECT SUM(m.posts) FROM {T["metric"]} m WHERE m.media_account_id = a.id
            AND m.date > %s AND m.date <= %s), 0),
        (SELECT b.id FROM {T["account"]} b WHERE b.department_id = a.department_id
            AND b.platform = a.platform AND b.status = '{MediaAccountStatus.ACTIVE}' AND b.id <> a.id
            ORDER BY b.followers DESC, b.id LIMIT 1),
        {GRADE},
        (SELECT {rules} FROM {T["finding"]} f JOIN {T["rule"]} r ON r.id = f.rule_id
            WHERE f.media_account_id = a.id AND f.status = '{FindingStatus.OPEN}'),
        (SELECT COUNT(*) FROM {T["inspection"]} c WHERE c.campaign_id = s.campaign_id
            AND c.status = '{SelfInspectionStatus.SUBMITTED}')
        FROM {T["inspection"]} s JOIN {T["account"]} a ON a.id = s.media_account_id
            JOIN {T["department"]} d ON d.id = a.department_id
            LEFT JOIN {T["account"]} t ON t.id = s.merge_target_id
            LEFT JOIN {T["user"]} u ON u.id = s.submitted_by_id
        WHERE s.campaign_id = %s AND s.status = '{SelfInspectionStatus.SUBMITTED}'
        ORDER BY d.code, a.name, s.id LIMIT {PAGE}"""
    since = world.today - datetime.timedelta(days=WINDOW_DAYS)
    return lambda: _fetch(sql, [_day(since), _day(world.today), world.campaign.pk])


def _inspection_run(office: User) -> Callable[[], int]:
    def run() -> int:
        # The office asks for a run; Celery, eager here, executes it when the request commits.
        run = inspection_run_request(actor=office)
        run.refresh_from_db()
        return sum(rule["open"] for rule in run.counts.values())

    return run


FIGURES = AccountMetric.FIGURES
METRIC_COLUMNS = ("media_account_id", "date", *FIGURES)


def _metric_rows(world: World, count: int) -> list[dict]:
    """``count`` rows as a collector re-sends them: the latest days of the live accounts, with the
    figures they already have (so the scenario leaves the data as it found it)."""
    live = MediaAccount.objects.live().values("pk")
    rows = []
    for back in range(1, 1 + world.days):
        day = world.today - datetime.timedelta(days=back)
        figures = (
            AccountMetric.objects.filter(date=day, media_account__in=live)
            .order_by("media_account_id")
            .values("media_account_id", *AccountMetric.FIGURES)[: count - len(rows)]
        )
        for row in figures:
            rows.append({"media_account": row.pop("media_account_id"), "date": day.isoformat(), **row})
        if len(rows) >= count:
            break
    return rows


def _metrics_post(world: World, rows: list[dict]) -> Callable[[], int]:
    client = _api(world.office_token)
    body = json.dumps(rows)

    def post() -> int:
        response = client.post("/api/v1/metrics/", body, content_type="application/json")
        assert response.status_code == 201, response.content[:500]
        return response.json()["rows"]

    return post


def _metrics_upsert(rows: list[dict]) -> Callable[[], int]:
    updates = ", ".join(f"{name} = excluded.{name}" for name in AccountMetric.FIGURES)
    batch = 1000  # 11,000 parameters a statement: under SQLite's and PostgreSQL's limits
    values = [
        [row["media_account"], _day(datetime.date.fromisoformat(row["date"]))]
        + [row.get(name, 0) for name in AccountMetric.FIGURES]
        for row in rows
    ]

    def upsert() -> int:
        with connection.cursor() as cursor:
            for start in range(0, len(values), batch):
                chunk = values[start : start + batch]
                placeholders = ", ".join(["(" + ", ".join(["%s"] * len(METRIC_COLUMNS)) + ")"] * len(chunk))
                cursor.execute(
                    f"INSERT INTO {T['metric']} ({', '.join(METRIC_COLUMNS)}) VALUES {placeholders} "
                    f"ON CONFLICT (media_account_id, date) DO UPDATE SET {updates}",
                    [value for row in chunk for value in row],
                )
        return len(values)

    return upsert


def _metrics_copy(rows: list[dict]) -> Callable[[], int]:
    """The same rows by PostgreSQL's COPY into an empty table of the figures' shape (its columns,
    checks and unique key): the fastest way rows get into the database, the yardstick issue 13
    sets the API's upload against."""
    text = "".join(
        "\t".join(
            str(value) for value in (row["media_account"], row["date"], *(row.get(n, 0) for n in FIGURES))
        )
        + "\n"
        for row in rows
    )

    def copy() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TEMPORARY TABLE IF NOT EXISTS metric_copy (LIKE {T['metric']} INCLUDING ALL)"
            )
            cursor.execute("TRUNCATE metric_copy")
            cursor.cursor.copy_expert(
                f"COPY metric_copy ({', '.join(METRIC_COLUMNS)}) FROM STDIN", io.StringIO(text)
            )
        return len(rows)

    return copy


# Posts (issue 14) ------------------------------------------------------------------------------

SENT = ("platform_post_id", "kind", "title", "text", "url", *Post.FIGURES)


def _scan_reset() -> None:
    """Before each run of the scan: yesterday's posts awaiting it, as they arrive, and none of their
    hits found yet (so each run opens the day's findings, as the first scan of the day does)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {T['finding']} WHERE post_id IS NOT NULL")
        cursor.execute(f"UPDATE {T['post']} SET scanned_at = NULL")
        if connection.vendor == "postgresql":
            # What autovacuum would have done between two days' scans: the dead rows of the run
            # before would otherwise slow each run a little more than the last.
            cursor.execute(f"VACUUM ANALYZE {T['post']}, {T['finding']}")


def _scan_alone() -> Callable[[], int]:
    """The raw side of the scan: the same ``Scanner`` built from the same entries and sites and run
    over the same titles and texts, in Python, without the database. What it reads is loaded by the
    first (untimed) call; each call then builds the automaton and reads every post."""
    loaded: dict[str, list] = {}

    def scan() -> int:
        if not loaded:
            loaded["terms"] = [
                Term(*entry)
                for entry in LexiconEntry.objects.filter(enabled=True).values_list(
                    "pk", "lexicon", "term", "correct_form", "category", "severity"
                )
            ]
            loaded["sites"] = list(AllowedDomain.objects.values_list("domain", flat=True))
            # As posts_scan reads a post: its title, then its text.
            loaded["words"] = [
                f"{title}\n{text}" if title else text
                for title, text in Post.objects.order_by("pk").values_list("title", "text").iterator(2_000)
            ]
        automaton = Scanner(loaded["terms"], loaded["sites"])
        for words in loaded["words"]:
            automaton.hits(words)
        return len(loaded["words"])

    return scan


def _sent_posts(count: int) -> list[dict]:
    """The first ``count`` of yesterday's posts as a collector sends them again: the same words and
    figures, so every run replaces the same posts (none created) and leaves them as it found them."""
    posts = Post.objects.order_by("pk").values("media_account_id", "published_at", *SENT)[:count]
    return [
        {
            "media_account": post.pop("media_account_id"),
            "published_at": timezone.localtime(post.pop("published_at")).isoformat(),
            **post,
        }
        for post in posts
    ]


def _posts_scanned() -> None:
    """Before each run of the posts API: yesterday's posts read by the scan, as the worker leaves them.
    Celery runs in the process here, so a post sent again while it awaits the scan would have the
    whole day scanned inside the request; that is the wording scan's scenario, not the upload's."""
    if Post.objects.filter(scanned_at__isnull=True).exists():
        content_services.posts_scan_all()


def _posts_post(world: World, rows: list[dict]) -> Callable[[], int]:
    client = _api(world.office_token)
    body = json.dumps(rows, ensure_ascii=False).encode()  # UTF-8, as a collector sends Chinese text

    def post() -> int:
        response = client.post("/api/v1/posts/", body, content_type="application/json")
        assert response.status_code == 201, response.content[:500]
        result = response.json()
        assert result["replaced"] == len(rows), result
        return result["rows"]

    return post


def _post_values(rows: list[dict]) -> list[tuple]:
    """The rows as the posts' table holds them (``POST_COLUMNS``), each with its words' digest."""
    now = timezone.now()
    return [
        (
            row["media_account"],
            row["platform_post_id"],
            datetime.datetime.fromisoformat(row["published_at"]),
            *(row[name] for name in SENT[1:]),
            content_services.words_digest(row),
            now,
        )
        for row in rows
    ]


def _posts_copy(rows: list[dict]) -> Callable[[], int]:
    """The same posts by PostgreSQL's COPY into an empty table of the posts' shape (its columns,
    checks, unique key and indexes): the yardstick issue 14 sets the API's upload against."""
    text = "".join(map(copy_line, _post_values(rows)))

    def copy() -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE IF NOT EXISTS post_copy (LIKE {T['post']} INCLUDING ALL)")
            cursor.execute("TRUNCATE post_copy")
            cursor.cursor.copy_expert(
                f"COPY post_copy ({', '.join(POST_COLUMNS)}) FROM STDIN", io.StringIO(text)
            )
        return len(rows)

    return copy


def _posts_upsert(rows: list[dict]) -> Callable[[], int]:
    """SQLite's yardstick, having no COPY: the same posts upserted by one ``executemany`` in one
    transaction, replacing the same rows as the API does."""
    updates = ", ".join(f"{name} = excluded.{name}" for name in POST_COLUMNS[2:])
    columns, placeholders = ", ".join(POST_COLUMNS), ", ".join(["%s"] * len(POST_COLUMNS))
    sql = (
        f"INSERT INTO {T['post']} ({columns}) VALUES ({placeholders}) "
        f"ON CONFLICT (media_account_id, platform_post_id) DO UPDATE SET {updates}"
    )
    values = [sql_values(row) for row in _post_values(rows)]

    def upsert() -> int:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, values)
        return len(values)

    return upsert


def _posts_scenarios(world: World, post_rows: int) -> list[Scenario]:
    """Issue 14: a day of posts scanned against the lexicons, and 10,000 of them sent through the API."""
    sent = _sent_posts(post_rows)
    copy = connection.vendor == "postgresql"
    return [
        # Each run scans every post of the day afresh (reset before it, untimed), with the automaton
        # built once per run as the worker's task builds it.
        Scenario(
            "wording scan · a day of posts",
            content_services.posts_scan_all,
            _scan_alone(),
            raw_statements=0,
            setup=_scan_reset,
            per_second="posts",
        ),
        Scenario(
            f"posts API · {len(sent):,} posts vs {'COPY' if copy else 'upsert'}",
            _posts_post(world, sent),
            _posts_copy(sent) if copy else _posts_upsert(sent),
            raw_statements=3 if copy else 1,
            setup=_posts_scanned,
            per_second="posts",
        ),
    ]


# Coordinated releases (issue 15) --------------------------------------------------------------

# The followed task's parts, twenty accounts at a time: 12 done in time, 2 late, 2 missed, 1 excused
# and 3 not done yet (60, 10, 10, 5 and 15 in a hundred). "%%": the statement has parameters.
RELEASE_MIX = f"""CASE WHEN media_account_id %% 20 < 12 THEN '{AssignmentStatus.DONE}'
    WHEN media_account_id %% 20 < 14 THEN '{AssignmentStatus.LATE}'
    WHEN media_account_id %% 20 < 16 THEN '{AssignmentStatus.MISSED}'
    WHEN media_account_id %% 20 < 17 THEN '{AssignmentStatus.EXCUSED}'
    ELSE '{AssignmentStatus.PENDING}' END"""


class _Releases:
    """What the release scenarios share, made when the first of them needs it, untimed: an
    administrator for every unit (a start tells each unit's, and the build has one, of one
    department); the drafts the start's two sides fill; and the followed task, over every live
    account, started through its service, its window since ended and its parts then set in one
    statement to a mix of outcomes (``RELEASE_MIX``), which its progress and its page read."""

    def __init__(self, office: User):
        self.office = office
        self._admins = False
        self._started: ReleaseTask | None = None  # the start scenario's draft, then its started task
        self._raw: ReleaseTask | None = None  # the draft whose parts the raw start writes
        self._followed: ReleaseTask | None = None

    def _unit_admins(self) -> None:
        if self._admins:
            return
        password = make_password(None)  # they never sign in here
        units = (
            Department.objects.filter(is_active=True)
            .exclude(users__role=Role.DEPT_ADMIN)
            .values_list("pk", flat=True)
        )
        User.objects.bulk_create(
            (
                User(
                    username=f"unit-admin-{pk}",
                    role=Role.DEPT_ADMIN,
                    department_id=pk,
                    email=f"unit{pk}@example.gov.cn",
                    password=password,
                )
                for pk in units
            ),
            batch_size=1000,
        )
        self._admins = True

    def _draft(self, title: str) -> ReleaseTask:
        """A draft over the whole matrix (no unit, kind, platform or account chosen), open for a day."""
        self._unit_admins()
        now = timezone.now()
        return release_task_create(
            actor=self.office,
            title=title,
            mode=ReleaseMode.RELAY,
            window_start=now,
            window_end=now + datetime.timedelta(days=1),
            body="请各单位政务新媒体账号于今日内转发。",
            link="https://www.gov.cn/yaowen/liebiao/202601/content_7000001.htm",
        )

    @staticmethod
    def _parts_delete(task: ReleaseTask) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {T['part']} WHERE task_id = %s", [task.pk])
            if connection.vendor == "postgresql":
                # What autovacuum would do between two tasks: each run writes into the same table.
                cursor.execute(f"VACUUM ANALYZE {T['part']}")

    def fresh_draft(self) -> None:
        """Before each start: the task the run before started gone, and a new draft."""
        if self._started is not None:
            self._parts_delete(self._started)
            self._started.delete()
        self._started = self._draft("集中转发：全区政务新媒体集中发声")

    def start(self) -> None:
        release_task_start(actor=self.office, task=self._started)

    def raw_reset(self) -> None:
        """Before each raw start: its draft with no parts (the run before's deleted)."""
        if self._raw is None:
            self._raw = self._draft("集中转发：全区政务新媒体集中发声（SQL）")
        self._parts_delete(self._raw)

    def raw_start(self) -> int:
        """The start's one statement: every live account's part, for the raw draft."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {T["part"]} (task_id, media_account_id, department_id, status, post_url,
                    excuse_reason)
                SELECT %s, a.id, a.department_id, '{AssignmentStatus.PENDING}', '', ''
                FROM {T["account"]} a WHERE a.status IN {LIVE}""",
                [self._raw.pk],
            )
            return cursor.rowcount

    def followed(self) -> ReleaseTask:
        if self._followed is not None:
            return self._followed
        task = self._draft("集中转发：学习宣传贯彻全会精神")
        release_task_start(actor=self.office, task=task)
        ended = timezone.now() - datetime.timedelta(hours=1)
        ReleaseTask.objects.filter(pk=task.pk).update(
            window_start=ended - datetime.timedelta(days=1), window_end=ended
        )
        done, late = ended - datetime.timedelta(hours=20), ended + datetime.timedelta(minutes=30)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {T['part']} SET status = {RELEASE_MIX} WHERE task_id = %s", [task.pk])
            cursor.execute(
                f"""UPDATE {T["part"]} SET done_at = CASE WHEN status = '{AssignmentStatus.DONE}'
                    THEN %s ELSE %s END, reported_at = %s,
                    post_url = 'https://mp.weixin.qq.com/s/relay' || media_account_id
                WHERE task_id = %s AND status IN {_in((AssignmentStatus.DONE, AssignmentStatus.LATE))}""",
                [*map(connection.ops.adapt_datetimefield_value, (done, late, late)), task.pk],
            )
            cursor.execute(
                f"""UPDATE {T["part"]} SET excused_at = %s, excused_by_id = %s,
                    excuse_reason = '账号停更整改中，本次免于转发'
                WHERE task_id = %s AND status = '{AssignmentStatus.EXCUSED}'""",
                [connection.ops.adapt_datetimefield_value(ended), self.office.pk, task.pk],
            )
            if connection.vendor == "postgresql":
                cursor.execute(f"VACUUM ANALYZE {T['part']}")
        self._followed = ReleaseTask.objects.get(pk=task.pk)
        return self._followed


def _progress_api(client, releases: _Releases) -> Callable[[], int]:
    def progress() -> int:
        url = f"/api/v1/release-tasks/{releases.followed().pk}/progress/"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return len(response.json()["by_department"])

    return progress


def _task_page(client, releases: _Releases) -> Callable[[], None]:
    def page() -> None:
        url = f"/releases/{releases.followed().pk}/"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    return page


def _progress(user: User, releases: _Releases) -> Callable[[], int]:
    """A task's parts in the user's scope counted by unit and status, as the progress selector counts them."""
    cte, scope, params = _scope(user, "p.department_id")
    counts = ", ".join(
        f"COUNT(CASE WHEN p.status = '{status}' THEN 1 END)" for status in AssignmentStatus.values
    )
    sql = f"""{cte}SELECT p.department_id, d.name, d.order_key, {counts}
        FROM {T["part"]} p JOIN {T["department"]} d ON d.id = p.department_id
        WHERE p.task_id = %s{scope} GROUP BY p.department_id, d.name, d.order_key ORDER BY d.order_key"""
    return lambda: _fetch(sql, [*params, releases.followed().pk])


def _task_parts(user: User, releases: _Releases) -> Callable[[], int]:
    """The task's page: its progress, then the first page of its parts (with their total), each with
    its account, unit and post."""
    progress = _progress(user, releases)
    cte, scope, params = _scope(user, "p.department_id")
    sql = f"""{cte}SELECT p.*, t.title, a.name, a.platform, d.name, po.title,
        (SELECT COUNT(*) FROM {T["part"]} p WHERE p.task_id = %s{scope})
        FROM {T["part"]} p JOIN {T["task"]} t ON t.id = p.task_id
            JOIN {T["account"]} a ON a.id = p.media_account_id
            JOIN {T["department"]} d ON d.id = p.department_id
            LEFT JOIN {T["post"]} po ON po.id = p.post_id
        WHERE p.task_id = %s{scope} ORDER BY d.order_key, a.name, p.id LIMIT {PARTS_PAGE}"""

    def page() -> int:
        progress()
        task = releases.followed().pk
        return _fetch(sql, [*params, task, task])

    return page


def _release_scenarios(world: World, office_browser: Client, office_api: APIClient) -> list[Scenario]:
    """Issue 15: a task over every live account starts (each account's part in one statement, each
    unit told), and its progress and its page read within the budget of a list page."""
    releases = _Releases(world.office)
    return [
        # A new draft before each run (untimed), started by the timed call; the raw side writes the
        # same parts for a draft of its own, emptied before each run.
        Scenario(
            "release task start · every account",
            releases.start,
            releases.raw_start,
            setup=releases.fresh_draft,
            raw_setup=releases.raw_reset,
        ),
        Scenario(
            "release task progress · office",
            _progress_api(office_api, releases),
            _progress(world.office, releases),
            setup=releases.followed,
        ),
        Scenario(
            "release task page · office",
            _task_page(office_browser, releases),
            _task_parts(world.office, releases),
            raw_statements=2,
            setup=releases.followed,
        ),
    ]


def scenarios(world: World, metric_rows: int, post_rows: int) -> list[Scenario]:
    office, dept = world.office, world.dept_admin
    office_browser, dept_browser = _browser(office), _browser(dept)
    office_api, dept_api = _api(world.office_token), _api(world.dept_token)
    wechat = {
        "platform": Platform.WECHAT_OFFICIAL,
        "status": MediaAccountStatus.ACTIVE,
        "ordering": "-followers",
    }
    rows = _metric_rows(world, metric_rows)
    return [
        Scenario(
            "account list page · office", _get(office_browser, "/media-accounts/"), _account_page(office)
        ),
        Scenario(
            "account list page · office, filtered",
            _get(office_browser, "/media-accounts/", **wechat),
            _account_page(
                office,
                " AND a.platform = %s AND a.status = %s",
                [Platform.WECHAT_OFFICIAL.value, MediaAccountStatus.ACTIVE.value],
                order="a.followers DESC, a.id",
            ),
        ),
        Scenario(
            "account list page · department", _get(dept_browser, "/media-accounts/"), _account_page(dept)
        ),
        Scenario(
            "account list API · office",
            _get(office_api, "/api/v1/media-accounts/"),
            _account_api_page(office),
        ),
        Scenario(
            "account list API · department",
            _get(dept_api, "/api/v1/media-accounts/"),
            _account_api_page(dept),
        ),
        Scenario(
            "account export CSV (all)",
            _download(office_browser, "/media-accounts/export.csv", office),
            export_rows_raw(copy=True),
            memory=True,
        ),
        Scenario(
            "account export CSV (all) · API",
            _download(office_api, "/api/v1/media-accounts/", office, format="csv"),
            export_rows_raw(copy=True),
            memory=True,
        ),
        Scenario(
            "account export xlsx (all)",
            _download(office_browser, "/media-accounts/export.xlsx", office),
            export_rows_raw(),
            memory=True,
        ),
        Scenario(
            "account export xlsx (all) · API",
            _download(office_api, "/api/v1/media-accounts/", office, format="xlsx"),
            export_rows_raw(),
            memory=True,
        ),
        Scenario("dashboard · office", _get(office_browser, "/"), _dashboard(office)),
        Scenario("dashboard · department", _get(dept_browser, "/"), _dashboard(dept)),
        Scenario("matrix page · office", _get(office_browser, "/matrix/"), _matrix(office)),
        Scenario("matrix page · department", _get(dept_browser, "/matrix/"), _matrix(dept)),
        Scenario(
            "inspection run (request + execute)", _inspection_run(office), _rule_violations(world.today)
        ),
        Scenario(
            f"metrics upsert {len(rows):,} rows · API",
            _metrics_post(world, rows),
            _metrics_upsert(rows),
            raw_statements=-(-len(rows) // 1000),
        ),
        *(
            [
                Scenario(
                    f"metrics upsert {len(rows):,} rows · API vs COPY",
                    _metrics_post(world, rows),
                    _metrics_copy(rows),
                    raw_statements=3,
                )
            ]
            if connection.vendor == "postgresql"
            else []
        ),
        Scenario(
            "campaign review page · office",
            _get(office_browser, f"/campaigns/{world.campaign.pk}/review/"),
            _applications(world),
        ),
        Scenario(
            "decision sheet (meeting page) · office",
            _get(office_browser, f"/meetings/{world.meeting.pk}/"),
            _applications(world),
        ),
        Scenario("audit trail page · office", _get(office_browser, "/trail/"), _trail_page(office)),
        Scenario("audit trail page · department", _get(dept_browser, "/trail/"), _trail_page(dept)),
        Scenario(
            "events API · office", _get(office_api, "/api/v1/events/"), _trail_page(office, capped=False)
        ),
        Scenario(
            "weekly ranking page · office", _get(office_browser, "/rankings/"), _ranking(office, world.week)
        ),
        Scenario(
            "weekly ranking API · department", _get(dept_api, "/api/v1/rankings/"), _ranking(dept, world.week)
        ),
        Scenario(
            "weekly index compute (service)",
            lambda: weekly_index_compute(week_start=world.week, actor=office),
            _week_figures(world.week),
        ),
        # After the pages above: the scan's findings would change the grades they show.
        *_posts_scenarios(world, post_rows),
        # After the inspection run: the rule release_missed would find the missed parts.
        *_release_scenarios(world, office_browser, office_api),
    ]
