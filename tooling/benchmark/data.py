"""The benchmark's world: a throwaway database and a province's worth of data in it.

``throwaway_database()`` makes the default connection point at a database of its own for the
length of a ``with`` block (a SQLite file under ``VAR_DIR`` or ``benchmark_<name>`` on
PostgreSQL), created and migrated the way the test runner creates its test database, and
dropped afterwards: the developer's data is never read or written. ``build()`` fills it.

How each kind of data arrives, and so how it is made here. Whatever has rules the scenarios
exercise goes through its service, with its audit events; what there is a lot of, and whose
rules nothing downstream reads again, is loaded in bulk, or a province (100,000 accounts, 365
days: 36.5 million daily figures) would take hours instead of minutes (docs/benchmarks.md,
"A province"):

- units: the government and the units beside it (one in ten) through ``department_create``,
  as the office registers them; their sub-units, nine in ten, by ``bulk_create`` and the last
  of them through the service again, whose re-placing of every unit fills the sub-units'
  ``order_key``. Each ``department_create`` locks and re-places every unit, so 2,000 of them
  one by one would cost a quadratic minute or two and nothing the scenarios read;
- users and tokens: their services;
- accounts: one in twenty through ``media_accounts_import``, the office's first registration
  of existing accounts this year (one audit event each, this year's filing numbers); the rest
  by ``bulk_create`` as the registrations of the years before, each year numbered from 0001
  (``XC-<year>-0001`` …) below 10,000 a year, filed on a day of that year, most confirmed in the
  last year, with the approved opening filing the import would have written. No audit events
  for those: the trail of past years is not what any scenario reads;
- operators: ``bulk_create``. A first registration's sheet carries none; units then add them by
  change filings, two services calls and three events per account that would only slow the
  build without changing what the scenarios read;
- daily figures: PostgreSQL's ``COPY`` (``executemany`` in large batches on SQLite), one
  account's days after another, streamed so memory stays flat, and then each account's
  followers and last post day set from its newest figures in one ``UPDATE``, as
  ``metrics_record`` does after an upload. No audit events: ``metrics_record`` writes one per
  upload, and a year of uploads is not what the trail scenarios measure;
- pending filings and closed accounts: through the filing services;
- the weekly index (the last four weeks) and today's inspection: their services, as the
  scheduler runs them;
- a clean-up campaign over every live account, started by the office; the applications awaiting
  its review meeting are saved and submitted one by one through the campaign's services (by the
  office, which may act for every unit, so no unit administrator is needed per unit).
"""

import copy
import datetime
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.utils import load_backend
from django.utils import timezone

from accounts import services as user_services
from accounts.choices import Role
from accounts.models import User
from audits.campaigns import services as campaign_services
from audits.campaigns.choices import Proposal, SelfInspectionStatus
from audits.campaigns.models import ReviewCampaign, ReviewMeeting, SelfInspection
from audits.inspections.choices import FindingStatus
from audits.inspections.models import Finding
from audits.inspections.services import inspection_run_request
from audits.ranking.selectors import WEEK, latest_complete_week
from audits.ranking.services import weekly_index_compute
from audits.trail import context
from audits.trail.models import AuditEvent
from registry import partitions, services
from registry.choices import (
    AccountFunction,
    DepartmentKind,
    Employment,
    FilingKind,
    FilingStatus,
    MediaAccountStatus,
    Platform,
)
from registry.models import AccountMetric, Department, Filing, MediaAccount, Operator

SEED = "benchmark:v1"
PASSWORD = "Benchmark-Only-42"
# Platforms by how common they are among government accounts: WeChat first, then Weibo, Douyin.
PLATFORM_WEIGHTS = {
    Platform.WECHAT_OFFICIAL: 40,
    Platform.WEIBO: 18,
    Platform.DOUYIN: 16,
    Platform.TOUTIAO: 7,
    Platform.WECHAT_CHANNELS: 7,
    Platform.KUAISHOU: 4,
    Platform.BILIBILI: 2,
    Platform.MINI_PROGRAM: 3,
    Platform.APP: 2,
    Platform.OTHER: 1,
}
# (share of accounts, followers at the start, mean posts a day, days silent at the end) — the
# model case's spread: a few strong main accounts, many small ones, a tenth gone quiet.
PROFILES = (
    (0.02, (80_000, 400_000), (2.5, 6.0), 0),
    (0.15, (4_000, 40_000), (0.5, 1.6), 0),
    (0.45, (200, 4_000), (0.1, 0.7), 0),
    (0.28, (12, 99), (0.02, 0.25), 0),
    (0.10, (150, 2_500), (0.1, 0.5), 21),
)
# A unit's answers to the three haves (三有), for an account it keeps and for one it gives up.
THREE_HAVES = {
    "has_need": True,
    "need_reason": "发布本单位政策解读和办事指南",
    "has_capacity": True,
    "run_by": Employment.STAFF,
    "has_support": True,
    "support_note": "年度运维经费，内容审核制度",
}
NO_HAVES = {"has_need": False, "has_capacity": False, "has_support": False}
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁"
GIVEN = "伟芳敏静丽强磊军洋勇艳杰涛明超霞平刚华"


@dataclass(frozen=True)
class Volumes:
    accounts: int = 10_000
    departments: int = 200  # units_for(accounts)
    days: int = 30
    metric_rows: int = 10_000  # rows of the metrics upsert scenario (the API's limit is 10,000)
    meeting_rows: int = 500  # applications awaiting the review meeting's decision sheet
    runs: int = 5  # timed runs of each scenario; the median is reported


RANKED_WEEKS = 4  # weeks of the activity index computed by the build


def units_for(accounts: int) -> int:
    """Units for ``accounts`` accounts when none are asked for: a province's 2,000 for 100,000."""
    return max(3, accounts // 50)


QUICK = Volumes(accounts=300, departments=30, days=21, metric_rows=1_000, meeting_rows=100, runs=2)


@dataclass
class World:
    """What the scenarios need to know about the data they run on."""

    office: User
    dept_admin: User
    office_token: str
    dept_token: str
    today: datetime.date
    week: datetime.date  # the latest complete week, which the ranking shows
    days: int  # days of figures, ending yesterday
    campaign: ReviewCampaign  # under way over every live account, its applications awaiting the meeting
    meeting: ReviewMeeting
    counts: dict[str, int] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)  # seconds each phase of the build took


# The database -------------------------------------------------------------------------------


def _benchmark_name(settings_dict: dict) -> str:
    if settings_dict["ENGINE"].endswith("sqlite3"):
        # The process id keeps two runs (a developer's and the test suite's) from sharing a file.
        return str(Path(settings.VAR_DIR) / f"benchmark-{os.getpid()}.sqlite3")
    return f"benchmark_{settings_dict['NAME']}"


@contextmanager
def throwaway_database() -> Iterator[str]:
    """Point the default connection at a new, migrated database; drop it on the way out.

    The configured connection is set aside untouched (it is never opened here) and put back
    afterwards, with the configured database name, whatever happens in between.
    """
    original = connections[DEFAULT_DB_ALIAS]
    original_name = original.settings_dict["NAME"]
    settings_dict = copy.deepcopy(original.settings_dict)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "NAME": _benchmark_name(settings_dict)}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = wrapper
    try:
        # As the test runner does: create (replacing a leftover of a crashed run), then migrate.
        name = wrapper.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            yield name
        finally:
            wrapper.creation.destroy_test_db(original_name, verbosity=0)
            if wrapper.vendor == "sqlite":
                for suffix in ("-wal", "-shm"):  # SQLite's journal files, if a reader left them
                    Path(f"{name}{suffix}").unlink(missing_ok=True)
    finally:
        # create_test_db renames the configured database in settings, which the set-aside
        # connection shares: put the name back even when creating or migrating failed.
        settings.DATABASES[DEFAULT_DB_ALIAS]["NAME"] = original_name
        original.settings_dict["NAME"] = original_name
        connections[DEFAULT_DB_ALIAS] = original


# The data -----------------------------------------------------------------------------------


def _rng(*key) -> random.Random:
    return random.Random(":".join((SEED, *map(str, key))))


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2)))


def _departments(count: int) -> tuple[list[Department], list[Department]]:
    """The government and a tenth of the units beside it (departments and, one in three,
    townships), and the rest as their sub-units (offices, communities, villages): three levels."""
    government = services.department_create(
        actor=None, name="基准人民政府", code="gov", kind=DepartmentKind.DISTRICT_GOVERNMENT
    )
    second = []
    for number in range(1, max(2, count // 10) + 1):
        township = number % 3 == 0
        second.append(
            services.department_create(
                actor=None,
                name=f"{'街镇' if township else '部门'}{number:03d}",
                code=f"u{number}",
                kind=DepartmentKind.TOWNSHIP if township else DepartmentKind.DISTRICT_DEPARTMENT,
                first_responsible_person=_person(_rng("head", number)),
                contact_name=_person(_rng("contact", number)),
                contact_phone=f"1380000{number:04d}",
            )
        )

    def sub_unit(number: int, **fields) -> dict:
        parent = second[(number - 1) % len(second)]
        return {
            "name": f"{parent.name}·下属{number:04d}",
            "code": f"s{number}",
            "kind": DepartmentKind.OTHER,
            "parent": parent,
            # One unit in twenty has not named its first responsible person (a rule's case).
            "first_responsible_person": "" if number % 20 == 0 else _person(_rng("head", "s", number)),
            **fields,
        }

    total = max(1, count - 1 - len(second))
    # The sub-units of each parent numbered 1, 2, 3… in registration order, as the service numbers
    # them; the last one, registered through the service, places them all (order_key).
    Department.objects.bulk_create(
        (
            Department(**sub_unit(number, sort_order=(number - 1) // len(second) + 1))
            for number in range(1, total)
        ),
        batch_size=1000,
    )
    services.department_create(actor=None, **sub_unit(total))
    third = list(Department.objects.filter(parent__isnull=False).order_by("pk"))
    return [government, *second], third


def _import_rows(count: int, departments: list[Department]) -> list[dict]:
    rng = _rng("accounts")
    platforms, weights = list(PLATFORM_WEIGHTS), list(PLATFORM_WEIGHTS.values())
    rows = []
    for number in range(1, count + 1):
        department = rng.choice(departments)
        platform = rng.choices(platforms, weights)[0]
        township = department.kind == DepartmentKind.TOWNSHIP
        functions = [AccountFunction.INFORMATION] + ([AccountFunction.SERVICE] if rng.random() < 0.2 else [])
        rows.append(
            {
                "row": number + 1,  # the sheet's header is row 1
                "department_code": department.code,
                "name": f"{department.name}{Platform(platform).label}{number}",
                "platform": platform,
                "platform_uid": f"bench{number:07d}",
                "url": f"https://example.gov.cn/media/{number}",
                "verified": "是" if rng.random() < 0.8 else "否",
                "has_interaction": "否" if rng.random() < 0.08 else "是",
                "functions": ",".join(functions),
                "responsible_person": "" if rng.random() < 0.03 else _person(rng),
                "exception_reason": "辖区民生事项需就近发布" if township and rng.random() < 0.8 else "",
            }
        )
    return rows


def _registered_before(
    rows: list[dict], departments: list[Department], today: datetime.date
) -> list[MediaAccount]:
    """The accounts of ``rows`` as the registrations of the years before this one left them: the
    fields ``media_accounts_import`` would have set, each year's filing numbers from 0001 (fewer
    than 10,000 a year, the numbers' four digits), and an approved opening filing each."""
    by_code = {department.code: department for department in departments}
    years = -(-len(rows) // 9_000)
    per_year = -(-len(rows) // years)
    rng = _rng("registered")
    accounts = []
    for index, row in enumerate(rows):
        year, sequence = today.year - years + index // per_year, index % per_year + 1
        opened_on = datetime.date(year, 1, 1) + datetime.timedelta(days=sequence * 364 // per_year)
        accounts.append(
            MediaAccount(
                department=by_code[row["department_code"]],
                name=row["name"],
                platform=row["platform"],
                platform_uid=row["platform_uid"],
                url=row["url"],
                verified=row["verified"] == "是",
                has_interaction=row["has_interaction"] == "是",
                functions=row["functions"].split(","),
                responsible_person=row["responsible_person"],
                exception_reason=row["exception_reason"],
                status=MediaAccountStatus.ACTIVE,
                filing_number=f"{settings.REGISTRY_FILING_PREFIX}-{year}-{sequence:04d}",
                opened_on=opened_on,
                # Most records confirmed at the last yearly check; one in twenty overdue (a rule's case).
                last_confirmed_on=None
                if rng.random() < 0.05
                else today - datetime.timedelta(rng.randrange(330)),
            )
        )
    MediaAccount.objects.bulk_create(accounts, batch_size=2000)
    Filing.objects.bulk_create(
        (
            Filing(
                media_account=account,
                kind=FilingKind.OPEN,
                status=FilingStatus.APPROVED,
                reason="首次登记",
                submitted_at=_noon(account.opened_on),
                decided_at=_noon(account.opened_on),
            )
            for account in accounts
        ),
        batch_size=2000,
    )
    return accounts


def _noon(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def _operators(accounts: list[MediaAccount]) -> None:
    rng = _rng("operators")
    employments = (Employment.STAFF, Employment.STAFF, Employment.PART_TIME, Employment.OUTSOURCED)
    Operator.objects.bulk_create(
        (
            Operator(
                media_account=account,
                name=_person(rng),
                phone=f"1390000{rng.randrange(10_000):04d}",
                employment=rng.choice(employments),
            )
            for account in accounts
            # One account in twenty-five has nobody on file (the no_responsible_person rule).
            for _n in range(0 if rng.random() < 0.04 else rng.randint(1, 3))
        ),
        batch_size=2000,
    )


@dataclass
class _Series:
    """One account's figures as they evolve day by day."""

    pk: int
    followers: float
    posts_per_day: float
    silent_from: int  # the day index from which it posts nothing
    open_rate: float
    messages_per_day: float
    slow: bool
    backlog: list[tuple[int, int]] = field(default_factory=list)


def _series(accounts: list[MediaAccount], days: int) -> list[_Series]:
    rng = _rng("series")
    shares = [share for share, *_rest in PROFILES]
    series = []
    for account in accounts:
        _share, (low, high), (posts_low, posts_high), silent_days = rng.choices(PROFILES, shares)[0]
        followers = rng.randint(low, high)
        series.append(
            _Series(
                pk=account.pk,
                followers=followers,
                posts_per_day=rng.uniform(posts_low, posts_high),
                silent_from=days - rng.randint(silent_days, 40) if silent_days else days,
                open_rate=rng.uniform(0.02, 0.12),
                messages_per_day=min(followers / 4_000, 30) if account.has_interaction else 0.0,
                slow=rng.random() < 0.05,  # answers about a third of its messages
            )
        )
    return series


def _account_days(item: _Series, days: list[tuple[str, bool]]) -> Iterator[tuple]:
    """One account's figures, day after day: ``days`` are the dates (ISO) and whether each is a
    weekend. A row is (account, date, *AccountMetric.FIGURES)."""
    random = _rng("figures", item.pk).random
    followers, pk, open_rate = item.followers, item.pk, item.open_rate
    unanswered = []  # messages left unanswered each day; past seven days they are overdue
    overdue = 0
    for day_index, (day, weekend) in enumerate(days):
        followers *= 1 + (-0.0002 + 0.0017 * random())
        mean = item.posts_per_day * (0.4 if weekend else 1.0)
        posts = 0 if day_index >= item.silent_from else int(mean) + (random() < mean - int(mean))
        reads = int(followers * open_rate * posts * (0.5 + random()))
        reads += int(followers * 0.002 * random())
        received = int(item.messages_per_day + random())
        replied = sum(random() < 0.35 for _m in range(received)) if item.slow else received
        unanswered.append(received - replied)
        if day_index >= 8:
            overdue += unanswered[day_index - 8]
        yield (
            pk,
            day,
            int(followers),
            posts,
            reads,
            int(reads * 0.015),
            int(reads * 0.008),
            int(reads * 0.002),
            received,
            replied,
            overdue,
        )


def _figures(series: list[_Series], first: datetime.date, days: int) -> Iterator[tuple]:
    """Every account's figures over ``days`` days from ``first``, one account after another (so
    the rows arrive in the order of the (account, date) key they are unique on)."""
    dates = [first + datetime.timedelta(days=n) for n in range(days)]
    calendar = [(day.isoformat(), day.weekday() >= 5) for day in dates]
    for item in series:
        yield from _account_days(item, calendar)


class _Stream:
    """A file for ``COPY … FROM STDIN`` fed by a generator of text chunks, read as COPY asks,
    so a year of a province's figures never sits in memory at once."""

    def __init__(self, chunks: Iterator[str]):
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        parts, length = [self._buffer], len(self._buffer)
        while size < 0 or length < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            encoded = chunk.encode()
            parts.append(encoded)
            length += len(encoded)
        data = b"".join(parts)
        if size < 0:
            self._buffer = b""
            return data
        self._buffer = data[size:]
        return data[:size]

    def readline(self, size: int = -1) -> bytes:  # psycopg2 asks for it; COPY FROM uses read()
        return self.read(size)


METRIC_COLUMNS = ("media_account_id", "date", *AccountMetric.FIGURES)
LINE = "\t".join(["%d", "%s", *["%d"] * len(AccountMetric.FIGURES)]) + "\n"


def _load_figures(rows: Iterator[tuple], log: Callable[[str], None], accounts: int, days: int) -> int:
    """Write ``rows`` into the figures' table in bulk, and return how many."""
    table = AccountMetric._meta.db_table
    count = 0
    # Each account's newest day with its followers, and its last day with posts, noted as the rows
    # go by: reading them back afterwards walks a silent account's whole year (20 minutes at 100,000).
    newest: dict[int, tuple[datetime.date, int]] = {}
    posted: dict[int, datetime.date] = {}

    def counted(batch_rows: int) -> Iterator[tuple]:
        nonlocal count
        for row in rows:
            count += 1
            if count % (batch_rows * 20) == 0:
                log(f"  daily figures: {count:,} of {accounts * days:,} rows")
            account, day, followers, posts = row[:4]
            if account not in newest or day > newest[account][0]:
                newest[account] = (day, followers)
            if posts and (account not in posted or day > posted[account]):
                posted[account] = day
            yield row

    if connection.vendor == "postgresql":

        def chunks() -> Iterator[str]:
            batch = []
            for row in counted(50_000):
                batch.append(LINE % row)
                if len(batch) == 50_000:
                    yield "".join(batch)
                    batch = []
            yield "".join(batch)

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if cursor.fetchone()[0]:
                # The figures are generated for accounts that exist: skip the foreign key's check
                # of each of the millions of rows (a trigger per row), for this transaction only.
                cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.cursor.copy_expert(
                f"COPY {table} ({', '.join(METRIC_COLUMNS)}) FROM STDIN", _Stream(chunks()), size=1 << 20
            )
    else:
        columns, values = ", ".join(METRIC_COLUMNS), ", ".join(["%s"] * len(METRIC_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({values})"
        batch = []
        with connection.cursor() as cursor:
            for row in counted(50_000):
                batch.append(row)
                if len(batch) == 50_000:
                    with transaction.atomic():
                        cursor.executemany(sql, batch)
                    batch = []
            with transaction.atomic():
                cursor.executemany(sql, batch)
    # What metrics_record keeps beside the figures: each account's newest followers and last post.
    MediaAccount.objects.exclude(pk__among=newest.keys()).update(followers=0, last_post_on=None)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE account_newest"
            " (id bigint PRIMARY KEY, followers bigint, last_post_on date)"
        )
        cursor.executemany(
            "INSERT INTO account_newest VALUES (%s, %s, %s)",
            [(account, followers, posted.get(account)) for account, (_day, followers) in newest.items()],
        )
        account_table = connection.ops.quote_name(MediaAccount._meta.db_table)
        cursor.execute(
            f"UPDATE {account_table} SET followers = n.followers, last_post_on = n.last_post_on "
            f"FROM account_newest n WHERE {account_table}.id = n.id"
        )
        cursor.execute("DROP TABLE account_newest")
    return count


def _campaign(office: User, applications: int, today: datetime.date) -> tuple[ReviewCampaign, ReviewMeeting]:
    """A clean-up campaign over every live account whose units have sent ``applications`` of their
    self-inspections, spread over the district, and the review meeting that will decide them."""
    campaign = campaign_services.campaign_create(
        actor=office,
        name="基准清理整顿",
        self_inspection_due=today + datetime.timedelta(days=14),
        closure_due=today + datetime.timedelta(days=45),
    )
    campaign_services.campaign_start(actor=office, campaign=campaign)
    inspections = list(SelfInspection.objects.filter(campaign=campaign).select_related("media_account"))
    # The district's strongest account, which small ones are merged into.
    main = max(
        (inspection.media_account for inspection in inspections), key=lambda account: account.followers
    )
    rng = _rng("applications")
    for inspection in inspections[:: max(1, len(inspections) // applications)][:applications]:
        account = inspection.media_account
        if account.followers >= 100 and rng.random() < 0.7:
            answers = {**THREE_HAVES, "proposal": Proposal.RETAIN, "staff_count": rng.randint(1, 3)}
        elif account != main and rng.random() < 0.3:
            answers = {**NO_HAVES, "proposal": Proposal.MERGE, "merge_target": main}
        else:
            answers = {**NO_HAVES, "proposal": Proposal.CLOSE}
        campaign_services.self_inspection_save(actor=office, self_inspection=inspection, **answers)
        campaign_services.self_inspection_submit(actor=office, self_inspection=inspection)
    meeting = campaign_services.meeting_create(
        actor=office, campaign=campaign, held_on=today, attendees="部长、分管副部长、网信办主任"
    )
    return campaign, meeting


def build(volumes: Volumes, log: Callable[[str], None]) -> World:
    """Fill the (throwaway) database with ``volumes`` of a province's registry."""
    today = timezone.localdate()
    phases: dict[str, float] = {}
    started = [time.perf_counter()]

    def lap(phase: str) -> str:
        """Close the build's phase ``phase`` (its seconds go to the report) and say how long it took."""
        now = time.perf_counter()
        seconds, started[0] = now - started[0], now
        phases[phase] = round(seconds, 1)
        return f"({seconds:.0f} s)"

    with context.bound(context.RequestContext(request_id=context.new_request_id())):
        upper, lower = _departments(volumes.departments)
        log(f"  {len(upper) + len(lower)} units {lap('units')}")
        office = user_services.user_create(
            actor=None, username="office", password=PASSWORD, role=Role.OFFICE_ADMIN, validate=False
        )
        # The administrator of a department: it sees its unit and the sub-units below.
        scoped = upper[1]
        dept_admin = user_services.user_create(
            actor=None,
            username="dept-admin",
            password=PASSWORD,
            role=Role.DEPT_ADMIN,
            department=scoped,
            validate=False,
        )
        _token, office_token = user_services.api_token_create(actor=office, user=office, name="benchmark")
        _token, dept_token = user_services.api_token_create(
            actor=dept_admin, user=dept_admin, name="benchmark"
        )

        departments = [*upper, *lower]
        rows = _import_rows(volumes.accounts, departments)
        imported = max(1, volumes.accounts // 20)
        accounts = services.media_accounts_import(actor=office, rows=rows[:imported])
        log(f"  {len(accounts)} accounts registered this year, by the import {lap('import')}")
        accounts += _registered_before(rows[imported:], departments, today)
        _operators(accounts)
        log(f"  {len(accounts) - imported} accounts of the years before, operators {lap('accounts')}")

        series = _series(accounts, volumes.days)
        first = today - datetime.timedelta(days=volumes.days)
        if partitions.is_partitioned():
            # A month a partition, as on a site that ran the year (docs/operations.md "Figures by
            # month"), not the whole year in the default partition.
            partitions.months_create(since=first)
        figures = _load_figures(_figures(series, first, volumes.days), log, len(series), volumes.days)
        del series
        log(f"  {figures:,} daily figures, in bulk {lap('daily figures in bulk')}")

        # A small share of accounts filed and waiting, and closed, through the filing services.
        for number in range(max(1, volumes.accounts // 200)):
            department = departments[number % len(departments)]
            platform = Platform.OTHER
            services.filing_submit_open(
                actor=office,
                department=department,
                name=f"待审账号{number}",
                platform=platform,
                platform_uid=f"pending{number:05d}",
                reason="工作需要",
                operators=[{"name": "李明", "phone": "", "employment": Employment.STAFF}],
                exception_reason="辖区需要" if department.kind == DepartmentKind.TOWNSHIP else "",
                duplicate_reason=(
                    "业务不同" if services.same_platform_accounts(department, platform).exists() else ""
                ),
            )
        for account in accounts[1::50]:
            filing = services.filing_submit_close(
                actor=office, media_account=account, reason="三有不足，关停"
            )
            services.filing_approve(actor=office, filing=filing)
        log(f"  pending filings and closed accounts filed {lap('pending filings, closures')}")

        # What the scheduler would have produced by now: the weeks' index and today's inspection.
        # Four weeks, the ranking's last and the three its page steps back through: a week of a
        # province costs the service half a minute, and no scenario reads an older one.
        week = latest_complete_week(today)
        weeks = 0
        while weeks < RANKED_WEEKS and week - WEEK * weeks >= first:
            weekly_index_compute(week_start=week - WEEK * weeks)
            weeks += 1
        log(f"  {weeks} weeks of the activity index {lap('weekly index')}")
        inspection_run_request(actor=None)  # Celery runs eagerly here: the run executes on commit
        log(f"  today's inspection {lap('inspection run')}")
        campaign, meeting = _campaign(office, volumes.meeting_rows, today)
        log(f"  a campaign, {volumes.meeting_rows} applications awaiting its meeting {lap('campaign')}")

    if connection.vendor == "postgresql":
        # Autovacuum would have analysed the freshly loaded tables by the time anyone reads them,
        # and cleared the dead rows the daily uploads leave of every account; without it the planner
        # guesses and lookups wade through bloat, and both sides of every scenario would suffer.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        log(f"  VACUUM ANALYZE {lap('VACUUM ANALYZE')}")
    counts = {
        "units": Department.objects.count(),
        "accounts": MediaAccount.objects.count(),
        "live accounts": MediaAccount.objects.live().count(),
        "accounts in the department admin's scope": MediaAccount.objects.restrict(dept_admin, "view").count(),
        "daily figures": AccountMetric.objects.count(),
        "audit events": AuditEvent.objects.count(),
        "open findings": Finding.objects.filter(status=FindingStatus.OPEN).count(),
        "accounts in the campaign": campaign.self_inspections.count(),
        "applications awaiting the meeting": campaign.self_inspections.filter(
            status=SelfInspectionStatus.SUBMITTED
        ).count(),
    }
    return World(
        office=office,
        dept_admin=dept_admin,
        office_token=office_token,
        dept_token=dept_token,
        today=today,
        week=week,
        days=volumes.days,
        campaign=campaign,
        meeting=meeting,
        counts=counts,
        phases=phases,
    )
