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
  office, which may act for every unit, so no unit administrator is needed per unit);
- the wording lexicons (more than 10,000 entries over the three) in one ``lexicon_import``, as the
  office uploads its sheet, and the allowed sites through ``allowed_domain_add``;
- a day of the district's posts (100,000 by default, issue 14): PostgreSQL's ``COPY``
  (``executemany`` on SQLite), as ``posts_record`` leaves them: their words' digest set, awaiting
  the wording scan. No audit events: one per upload, and the scenarios send their own.
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
from content import services as content_services
from content.choices import Lexicon, PostKind
from content.models import LexiconEntry, Post
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
    posts: int = 100_000  # a day of a province's posts, which the wording scan reads (issue 14)
    post_rows: int = 10_000  # posts of the posts API scenario (the API's limit is 10,000)
    runs: int = 5  # timed runs of each scenario; the median is reported


RANKED_WEEKS = 4  # weeks of the activity index computed by the build


def units_for(accounts: int) -> int:
    """Units for ``accounts`` accounts when none are asked for: a province's 2,000 for 100,000."""
    return max(3, accounts // 50)


QUICK = Volumes(
    accounts=300,
    departments=30,
    days=21,
    metric_rows=1_000,
    meeting_rows=100,
    posts=3_000,
    post_rows=1_000,
    runs=2,
)


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


# Posts and the wording they are read against (issue 14) --------------------------------------

LEXICON_SOURCE = "基准词库"
# The sites a post may link to; a link elsewhere is the link rule's hit.
ALLOWED_DOMAINS = ("gov.cn", "people.com.cn", "xinhuanet.com", "weixin.qq.com", "cctv.com")
# Serious wrong forms: a unit's name with a wrong character, in each of 200 places (4,000 entries).
PLACES = [
    first + second + level
    for first in "青白红东西南北金玉安"
    for second in "山河湖川林溪阳源桥州"
    for level in "区县"
]
ORGANS = (
    ("人民政府", "人民政俯"),
    ("公安局", "公安居"),
    ("教育局", "教肓局"),
    ("卫生健康委员会", "卫生建康委员会"),
    ("市场监督管理局", "市场监督管里局"),
    ("生态环境局", "生态坏境局"),
    ("人力资源和社会保障局", "人力资源和社会保彰局"),
    ("住房和城乡建设局", "住房和城乡建没局"),
    ("交通运输局", "交通运愉局"),
    ("农业农村局", "农业农材局"),
    ("民政局", "民攻局"),
    ("财政局", "材政局"),
    ("应急管理局", "应急管埋局"),
    ("文化和旅游局", "文化和旅游居"),
    ("退役军人事务局", "退役军人事物局"),
    ("司法局", "司法居"),
    ("审计局", "审汁局"),
    ("统计局", "统汁局"),
    ("自然资源局", "自然资原局"),
    ("医疗保障局", "医疗保樟局"),
)
SERIOUS = (
    ("中华人民共合国", "中华人民共和国"),
    ("国务院办工厅", "国务院办公厅"),
    ("全国人大常务委会", "全国人大常委会"),
    ("中央人民广部电台", "中央人民广播电台"),
)
# Misused words: the common wrong forms, alone and in 100 phrases each (4,000 entries and more).
MISUSED = (
    ("再接再励", "再接再厉"),
    ("谈笑风声", "谈笑风生"),
    ("迫不急待", "迫不及待"),
    ("一股作气", "一鼓作气"),
    ("默守成规", "墨守成规"),
    ("甘败下风", "甘拜下风"),
    ("穿流不息", "川流不息"),
    ("一愁莫展", "一筹莫展"),
    ("走头无路", "走投无路"),
    ("截止目前", "截至目前"),
    ("泊来品", "舶来品"),
    ("松驰", "松弛"),
    ("针贬时弊", "针砭时弊"),
    ("毛骨耸然", "毛骨悚然"),
    ("世外桃园", "世外桃源"),
    ("事伴功倍", "事半功倍"),
    ("貌和神离", "貌合神离"),
    ("出奇不意", "出其不意"),
    ("声名雀起", "声名鹊起"),
    ("如法泡制", "如法炮制"),
    ("破斧沉舟", "破釜沉舟"),
    ("金榜提名", "金榜题名"),
    ("不落巢臼", "不落窠臼"),
    ("蛛丝蚂迹", "蛛丝马迹"),
    ("明火执杖", "明火执仗"),
    ("人情事故", "人情世故"),
    ("一如继往", "一如既往"),
    ("按步就班", "按部就班"),
    ("美仑美奂", "美轮美奂"),
    ("委屈求全", "委曲求全"),
    ("常年累月", "长年累月"),
    ("既往不究", "既往不咎"),
    ("流览量", "浏览量"),
    ("幅射带动", "辐射带动"),
    ("精兵减政", "精兵简政"),
    ("有持无恐", "有恃无恐"),
    ("脍灸人口", "脍炙人口"),
    ("直接了当", "直截了当"),
    ("一诺千斤", "一诺千金"),
    ("重蹈复辙", "重蹈覆辙"),
)
WHO = "全体干部 广大党员 各级部门 社区工作者 志愿者们 参赛选手 企业职工 青年学生 医护人员 基层干部".split()
HOW = "要 将 应当 必须 继续 始终 仍需 务必 定能 纷纷".split()
# Sensitive words: what illegal advertising offers (60 × 40 = 2,400 entries, and a few alone).
OFFERS = [
    verb + how
    for verb in ("免费", "低价", "快速", "当天", "内部", "正规")
    for how in ("代办", "办理", "提供", "出售", "承接", "招募", "收购", "介绍", "兼职", "包过")
]
GOODS = (
    "发票 驾照 学历证书 银行卡 手机卡 刷单 小额贷款 信用卡套现 赌博网站 彩票内幕 考试答案 "
    "微信号 游戏账号 公民信息 网络水军 删帖 跑分 校园贷 高利贷 私家侦探 窃听器 假证 代考 "
    "论文代写 医师资格证 刻章 POS机 黑卡 车辆过户 无证驾驶 网络彩票 裸聊 代孕 婴儿买卖 枪支 "
    "管制刀具 迷药 走私烟 假币 外挂"
).split()
SENSITIVE = ("网络赌博", "刷单返利", "代开发票", "高息揽储", "办证刻章", "裸贷")
# The posts' sentences: who does what, and how it went.
DOERS = (
    "区委区政府 区卫生健康委 街道办事处 区市场监督管理局 区教育局 各社区 区应急管理局 "
    "区生态环境分局 区人力资源和社会保障局 区住房和城乡建设局 区交通运输局 区农业农村局 区民政局 "
    "区文化和旅游局 区司法局 区税务局 区医疗保障局 区融媒体中心 区委宣传部 区委网信办 区城市管理局 "
    "区水务局 区自然资源局 区统计局 区审计局 区财政局 区退役军人事务局 区残联 团区委 区妇联"
).split()
ACTS = (
    "召开 部署 推进 组织开展 深入开展 扎实推进 全面落实 专题研究 督导检查 启动 总结 安排 "
    "持续推进 集中开展 统筹推进 牵头组织 联合开展 全力做好 认真落实 积极参与"
).split()
MATTERS = (
    "安全生产专项整治工作 优化营商环境工作 城乡居民医疗保险参保缴费工作 防汛抗旱工作 "
    "秋冬季传染病防控工作 老旧小区改造工程 义务教育阶段招生工作 就业援助月活动 消防安全宣传进社区活动 "
    "食品安全抽检工作 河湖长制巡查工作 垃圾分类宣传活动 文明城市创建工作 政务服务“一网通办”改革 "
    "高标准农田建设 森林防火督查工作 困难群众走访慰问活动 全民健身运动会 防范电信诈骗宣传活动 "
    "未成年人保护工作 重点项目建设推进会 乡村振兴示范村建设 养老服务质量提升行动 燃气安全隐患排查 "
    "校园周边环境整治 退役军人就业招聘会 法律援助进乡村活动 耕地保护专项检查 城市道路提升改造工程 "
    "公共文化服务进基层活动 “双减”工作督导检查 社区网格化管理工作 农村人居环境整治 冬季供暖保障工作 "
    "基层医疗机构能力提升工作 科技特派员服务活动 夏季交通安全整治行动 统计数据质量核查工作 "
    "预算执行情况审计 无障碍环境建设工作"
).split()
OUTCOMES = (
    "，进一步压实各方责任。 ，确保各项任务落地见效。 。 ，切实提升群众的获得感、幸福感、安全感。 "
    "，为高质量发展提供有力保障。 ，会议由分管负责同志主持。 ，各相关单位负责人参加。 "
    "，现场解答群众咨询二百余人次。 ，发放宣传资料三千余份。 ，排查整改隐患四十二处。 "
    "，受到辖区居民一致好评。 ，推动工作取得阶段性成效。 ，形成了一批可复制可推广的经验做法。 "
    "，下一步将持续跟踪问效。 ，做到早发现、早报告、早处置。 ，努力让群众少跑腿、好办事。 "
    "，共惠及困难家庭一百八十余户。 ，覆盖全区所有街镇。 ，活动持续至本月底。 ，欢迎广大市民积极参与。"
).split()
# A sentence begins with a time or a lead-in, or (one in four) goes straight to who did it.
OPENINGS = ("",) * 3 + tuple(
    "近日， 今年以来， 本周， 日前， 上午， 下午， 据了解， 会上， 为进一步做好相关工作，".split()
)
NOTES = (
    "市民如有疑问，可拨打政务服务便民热线12345咨询。",
    "办理时请携带本人有效身份证件原件及复印件。",
    "截至目前，全区已累计完成年度目标任务的百分之八十五。",
    "下一步，我们将认真梳理群众反映的问题，逐项建立台账，限期办结。",
    "会议强调，要坚持以人民为中心的发展思想，把好事办好、实事办实。",
    "活动现场，工作人员通过展板讲解、案例分析等方式开展宣传。",
    "据统计，本次活动共有三十余家单位参加，提供就业岗位一千二百余个。",
    "相关负责人表示，将进一步完善工作机制，推动常态长效。",
)


def lexicon_entries() -> list[dict]:
    """The benchmark's lexicons, as the office's sheet would give them: more than 10,000 entries
    over the three, generated the same way every time."""
    entries = []
    for place in PLACES:
        for correct, wrong in ORGANS:
            entries.append((Lexicon.SERIOUS, place + wrong, place + correct, "机构名称"))
    entries += [(Lexicon.SERIOUS, wrong, correct, "规范表述") for wrong, correct in SERIOUS]
    for wrong, correct in MISUSED:
        entries.append((Lexicon.MISUSED, wrong, correct, "错别字"))
        for who in WHO:
            for how in HOW:
                entries.append((Lexicon.MISUSED, who + how + wrong, who + how + correct, "错别字"))
    entries += [(Lexicon.SENSITIVE, offer + goods, "", "违法广告") for offer in OFFERS for goods in GOODS]
    entries += [(Lexicon.SENSITIVE, term, "", "违法广告") for term in SENSITIVE]
    return [
        {
            "lexicon": lexicon,
            "term": term,
            "correct_form": correct,
            "category": category,
            "source": LEXICON_SOURCE,
        }
        for lexicon, term, correct, category in entries
    ]


def _wording(office: User) -> int:
    """The office's lexicons, uploaded at once, and the sites a post may link to."""
    entries = lexicon_entries()
    content_services.lexicon_import(actor=office, entries=entries)
    for domain in ALLOWED_DOMAINS:
        content_services.allowed_domain_add(actor=office, domain=domain, note="基准")
    return len(entries)


def _sentences(rng: random.Random, count: int) -> list[str]:
    """``count`` sentences of a district's news, to make posts of."""
    sentences = [
        rng.choice(OPENINGS)
        + rng.choice(DOERS)
        + rng.choice(ACTS)
        + rng.choice(MATTERS)
        + rng.choice(OUTCOMES)
        for _n in range(count)
    ]
    return sentences + list(NOTES)


def _slip(rng: random.Random, lexicons: dict[str, list[str]]) -> str:
    """A sentence with a lexicon's term in it, as units get them wrong."""
    lexicon = rng.choice(Lexicon.values)
    term = rng.choice(lexicons[lexicon])
    if lexicon == Lexicon.SERIOUS:
        return f"{term}有关负责人介绍了相关情况。"
    if lexicon == Lexicon.MISUSED:
        return f"{term}，推动各项工作再上新台阶。"
    return f"近期有市民收到“{term}”的信息，请广大群众提高警惕，谨防上当受骗。"


def _link(rng: random.Random, number: int) -> str:
    """A link to the source or a sign-up page: mostly to the allowed sites, one in three elsewhere."""
    place = rng.random()
    if place < 0.3:
        return f"详情请见：https://www.gov.cn/zhengce/content/2026-{number % 12 + 1:02d}/{number}.htm"
    if place < 0.5:
        return f"原文链接：https://mp.weixin.qq.com/s/bench{number:08x}"
    if place < 0.67:
        return f"来源：http://www.people.com.cn/n1/{number}.html"
    return f"报名入口：https://signup{number % 50}.example-events.com/form?id={number}"


POST_COLUMNS = (
    "media_account_id",
    "platform_post_id",
    "published_at",
    "kind",
    "title",
    "text",
    "url",
    *Post.FIGURES,
    "words_digest",
    "recorded_at",
)


def _posts(count: int, accounts: list[int], day: datetime.date) -> Iterator[tuple]:
    """A day of posts over ``accounts``: a few hundred to 2,000 characters of sentences in
    paragraphs, a title, one in thirty with a lexicon's term, one in twenty with a link. A row is
    (account, post id, published at, kind, title, text, url, *figures, words' digest, recorded at)."""
    rng = _rng("posts", day)
    sentences = _sentences(rng, 5_000)
    lexicons: dict[str, list[str]] = {}
    for entry in lexicon_entries():
        lexicons.setdefault(entry["lexicon"], []).append(entry["term"])
    morning = timezone.make_aware(datetime.datetime.combine(day, datetime.time(7)))
    recorded = timezone.now()
    for number in range(count):
        length = min(2_000, max(200, int(rng.lognormvariate(6.6, 0.5))))  # about 800 on average
        paragraphs, size = [], 0
        while size < length:
            paragraph = "".join(rng.choices(sentences, k=rng.randint(2, 6)))
            paragraphs.append(paragraph)
            size += len(paragraph)
        if rng.random() < 1 / 30:
            paragraphs.insert(rng.randrange(len(paragraphs)), _slip(rng, lexicons))
        if rng.random() < 1 / 20:
            paragraphs.append(_link(rng, number))
        title = rng.choice(DOERS) + rng.choice(ACTS) + rng.choice(MATTERS)
        text = "\n".join(paragraphs)
        url = f"https://mp.weixin.qq.com/s/day{number:08x}"
        reads = int(rng.paretovariate(1.2) * 200)
        yield (
            rng.choice(accounts),
            f"bench-{day:%Y%m%d}-{number:07d}",
            morning + datetime.timedelta(seconds=rng.randrange(16 * 3600)),
            PostKind.REPOST if rng.random() < 0.1 else PostKind.ORIGINAL,
            title,
            text,
            url,
            reads,
            reads // 50,
            reads // 200,
            reads // 300,
            # The service's own digest: a post sent again with the same words is not scanned again.
            content_services.words_digest({"title": title, "text": text, "url": url}),
            recorded,
        )


def copy_line(row: tuple) -> str:
    """``row`` as a line of ``COPY … FROM STDIN`` (text format)."""

    def value(cell) -> str:
        if cell is None:
            return r"\N"
        if isinstance(cell, datetime.datetime):
            return cell.isoformat()
        return str(cell).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")

    return "\t".join(map(value, row)) + "\n"


def sql_values(row: tuple) -> tuple:
    """``row`` as parameters of a raw statement: times as the backend stores them (UTC text on SQLite)."""
    adapt = connection.ops.adapt_datetimefield_value
    return tuple(adapt(cell) if isinstance(cell, datetime.datetime) else cell for cell in row)


def _load_posts(rows: Iterator[tuple]) -> int:
    """Write ``rows`` into the posts' table in bulk, awaiting the wording scan; return how many."""
    table = connection.ops.quote_name(Post._meta.db_table)
    count = 0
    if connection.vendor == "postgresql":

        def chunks() -> Iterator[str]:
            nonlocal count
            batch = []
            for row in rows:
                count += 1
                batch.append(copy_line(row))
                if len(batch) == 5_000:
                    yield "".join(batch)
                    batch = []
            yield "".join(batch)

        with transaction.atomic(), connection.cursor() as cursor:
            cursor.cursor.copy_expert(
                f"COPY {table} ({', '.join(POST_COLUMNS)}) FROM STDIN", _Stream(chunks()), size=1 << 20
            )
        return count
    sql = f"INSERT INTO {table} ({', '.join(POST_COLUMNS)}) VALUES ({', '.join(['%s'] * len(POST_COLUMNS))})"
    with connection.cursor() as cursor:
        batch = []
        for row in rows:
            count += 1
            batch.append(sql_values(row))
            if len(batch) == 10_000:
                with transaction.atomic():
                    cursor.executemany(sql, batch)
                batch = []
        with transaction.atomic():
            cursor.executemany(sql, batch)
    return count


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

        # The lexicons, and yesterday's posts, received before today's inspection reads them (an
        # account's posts, where it has them, say when and how often it posted).
        entries = _wording(office)
        log(f"  {entries:,} lexicon entries, {len(ALLOWED_DOMAINS)} allowed sites {lap('lexicons')}")
        live = list(MediaAccount.objects.live().order_by("pk").values_list("pk", flat=True))
        posts = _load_posts(_posts(volumes.posts, live, today - datetime.timedelta(days=1)))
        log(f"  {posts:,} posts of yesterday, in bulk {lap('posts in bulk')}")

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
        "lexicon entries": LexiconEntry.objects.count(),
        "posts": Post.objects.count(),
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
