"""The benchmark's world: a throwaway database and a province's worth of data in it.

``throwaway_database()`` makes the default connection point at a database of its own for the
length of a ``with`` block (a SQLite file under ``VAR_DIR`` or ``benchmark_<name>`` on
PostgreSQL), created and migrated the way the test runner creates its test database, and
dropped afterwards: the developer's data is never read or written. ``build()`` fills it.

How each kind of data arrives, and so how it is made here:

- units, users, tokens, pending and closed accounts: through their services, with their audit
  events, as the office makes them one at a time;
- the bulk of the accounts: ``media_accounts_import``, the office's first registration of a
  district's existing accounts from a spreadsheet (one audit event per account);
- operators: ``bulk_create``. A first registration's sheet carries none; units then add them by
  change filings, two services calls and three events per account that would only slow the
  build without changing what the scenarios read;
- daily figures: ``metrics_record``, the service behind the collectors' ``POST /api/v1/metrics/``,
  one call per day for every account, as the collectors post them (one event per upload);
- the weekly index and today's inspection: their services, as the scheduler runs them;
- a clean-up campaign over every live account, started by the office; the applications awaiting
  its review meeting are saved and submitted one by one through the campaign's services (by the
  office, which may act for every unit, so no unit administrator is needed per unit).
"""

import copy
import datetime
import os
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
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
from registry.choices import AccountFunction, DepartmentKind, Employment, Platform
from registry.models import AccountMetric, Department, MediaAccount, Operator

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
    departments: int = 500
    days: int = 30
    metric_rows: int = 10_000  # rows of the metrics upsert scenario (the API's limit is 10,000)
    meeting_rows: int = 500  # applications awaiting the review meeting's decision sheet
    runs: int = 5  # timed runs of each scenario; the median is reported


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
    townships), and the rest as their sub-units (offices, communities, villages)."""
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
    third = []
    for number in range(1, max(0, count - 1 - len(second)) + 1):
        parent = second[(number - 1) % len(second)]
        third.append(
            services.department_create(
                actor=None,
                name=f"{parent.name}·下属{number:04d}",
                code=f"s{number}",
                kind=DepartmentKind.OTHER,
                parent=parent,
                # One unit in twenty has not named its first responsible person (a rule's case).
                first_responsible_person="" if number % 20 == 0 else _person(_rng("head", "s", number)),
            )
        )
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


def _day_rows(series: list[_Series], day_index: int, day: datetime.date, rng: random.Random) -> list[dict]:
    weekend = day.weekday() >= 5
    rows = []
    for item in series:
        item.followers *= 1 + rng.uniform(-0.0002, 0.0015)
        mean = item.posts_per_day * (0.4 if weekend else 1.0)
        posts = 0 if day_index >= item.silent_from else int(mean) + (rng.random() < mean - int(mean))
        reads = int(item.followers * item.open_rate * posts * rng.uniform(0.5, 1.5))
        reads += int(item.followers * 0.002 * rng.random())
        received = int(item.messages_per_day + rng.random())
        replied = sum(rng.random() < 0.35 for _m in range(received)) if item.slow else received
        if received > replied:
            item.backlog.append((day_index, received - replied))
        overdue = sum(count for when, count in item.backlog if day_index - when > 7)
        rows.append(
            {
                "media_account": item.pk,
                "date": day,
                "followers": int(item.followers),
                "posts": posts,
                "reads": reads,
                "likes": int(reads * 0.015),
                "shares": int(reads * 0.008),
                "comments": int(reads * 0.002),
                "messages_received": received,
                "messages_replied": replied,
                "messages_overdue": overdue,
            }
        )
    return rows


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
    with context.bound(context.RequestContext(request_id=context.new_request_id())):
        upper, lower = _departments(volumes.departments)
        log(f"  {len(upper) + len(lower)} units")
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

        accounts = services.media_accounts_import(
            actor=office, rows=_import_rows(volumes.accounts, [*upper, *lower])
        )
        _operators(accounts)
        log(f"  {len(accounts)} accounts imported, with their operators")

        series = _series(accounts, volumes.days)
        rng = _rng("figures")
        first = today - datetime.timedelta(days=volumes.days)
        if partitions.is_partitioned():
            # A month a partition, as on a site that ran the year (docs/operations.md "Figures by
            # month"), not the whole year in the default partition.
            partitions.months_create(since=first)
        for day_index in range(volumes.days):
            day = first + datetime.timedelta(days=day_index)
            services.metrics_record(actor=None, rows=_day_rows(series, day_index, day, rng))
            if (day_index + 1) % 10 == 0 or day_index + 1 == volumes.days:
                log(f"  daily figures: {day_index + 1} of {volumes.days} days")

        # A small share of accounts filed and waiting, and closed, through the filing services.
        departments = [*upper, *lower]
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
        log("  pending filings and closed accounts filed")

        # What the scheduler would have produced by now: the weeks' index and today's inspection.
        week = latest_complete_week(today)
        weeks = 0
        while week - WEEK * weeks >= first:
            weekly_index_compute(week_start=week - WEEK * weeks)
            weeks += 1
        inspection_run_request(actor=None)  # Celery runs eagerly here: the run executes on commit
        log(f"  {weeks} weeks of the activity index and today's inspection")
        campaign, meeting = _campaign(office, volumes.meeting_rows, today)
        log(f"  a campaign under way, {volumes.meeting_rows} applications awaiting its meeting")

    if connection.vendor == "postgresql":
        # Autovacuum would have analysed the freshly loaded tables by the time anyone reads them,
        # and cleared the dead rows the daily uploads leave of every account; without it the planner
        # guesses and lookups wade through bloat, and both sides of every scenario would suffer.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    counts = {
        "units": len(departments),
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
    )
