"""Load a demo district: units, their administrators, about 112 accounts and 90 days of metrics.

The district is modelled on the real clean-up campaign of docs/design.md §1: 112 accounts run by
the government, the departments and the townships, a handful of strong main accounts, and
many with under 100 followers or under one post a day — the material the inspections and the
campaign screens are for. Everything is written through the services, so the demo leaves the
same audit trail as real use. A second run finds everything in place and writes nothing, except
to put back where they belong the units and accounts of an earlier demo (which hung every unit
below the government). It says what it is doing as it goes. The ``seed_demo`` command runs it.
"""

import datetime
import math
import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from accounts import services as user_services
from accounts.choices import Role
from accounts.models import User
from audits.trail import context
from registry import partitions, services
from registry.choices import AccountFunction, DepartmentKind, Employment, Platform
from registry.models import Department, MediaAccount

DEFAULT_PASSWORD = "demo12345"
SEED = "seed_demo:v1"
DAYS = 90

GOV, DEPT, TOWN, OTHER = (
    DepartmentKind.DISTRICT_GOVERNMENT,
    DepartmentKind.DISTRICT_DEPARTMENT,
    DepartmentKind.TOWNSHIP,
    DepartmentKind.OTHER,
)

# (code, name, kind, parent's code), in the official order. The government, the departments and
# the townships stand side by side: the propaganda office, not the government, oversees their
# accounts. Only sub-units (a department's 下属单位, a street office's 社区) have a parent.
DEPARTMENTS = (
    ("gov", "新城区人民政府", GOV, None),
    ("publicity", "区委宣传部", DEPT, None),
    ("media", "区融媒体中心", DEPT, None),
    ("edu", "区教育局", DEPT, None),
    ("edu-exam", "区教育考试中心", OTHER, "edu"),
    ("health", "区卫生健康委", DEPT, None),
    ("health-cdc", "区疾病预防控制中心", OTHER, "health"),
    ("police", "区公安分局", DEPT, None),
    ("market", "区市场监管局", DEPT, None),
    ("culture", "区文化和旅游局", DEPT, None),
    ("hrss", "区人社局", DEPT, None),
    ("civil", "区民政局", DEPT, None),
    ("eco", "区生态环境局", DEPT, None),
    ("emergency", "区应急管理局", DEPT, None),
    ("urban", "区城管局", DEPT, None),
    ("housing", "区住建局", DEPT, None),
    ("transport", "区交通运输局", DEPT, None),
    ("justice", "区司法局", DEPT, None),
    ("tax", "区税务局", DEPT, None),
    ("medins", "区医保局", DEPT, None),
    ("veterans", "区退役军人事务局", DEPT, None),
    ("finance", "区财政局", DEPT, None),
    ("dev", "区发展和改革局", DEPT, None),
    ("commerce", "区商务局", DEPT, None),
    ("agri", "区农业农村局", DEPT, None),
    ("water", "区水务局", DEPT, None),
    ("stats", "区统计局", DEPT, None),
    ("audit", "区审计局", DEPT, None),
    ("sci", "区科技局", DEPT, None),
    ("service", "区政务服务和数据管理局", DEPT, None),
    ("land", "区自然资源分局", DEPT, None),
    ("petition", "区信访局", DEPT, None),
    ("youth", "团区委", DEPT, None),
    ("women", "区妇联", DEPT, None),
    ("union", "区总工会", DEPT, None),
    ("chengguan", "城关街道", TOWN, None),
    ("xiguan", "西关街道", TOWN, None),
    ("nanshan", "南山街道", TOWN, None),
    ("nanshan-sq", "南山街道南山社区", OTHER, "nanshan"),
    ("beiyuan", "北苑街道", TOWN, None),
    ("xinhua", "新华街道", TOWN, None),
    ("donghu", "东湖镇", TOWN, None),
    ("qingshi", "青石镇", TOWN, None),
    ("baima", "白马镇", TOWN, None),
    ("liulin", "柳林镇", TOWN, None),
    ("hekou", "河口镇", TOWN, None),
)


WX, WB, DY, TT = Platform.WECHAT_OFFICIAL, Platform.WEIBO, Platform.DOUYIN, Platform.TOUTIAO
SPH, KS, BILI, APP, MINI = (
    Platform.WECHAT_CHANNELS,
    Platform.KUAISHOU,
    Platform.BILIBILI,
    Platform.APP,
    Platform.MINI_PROGRAM,
)

# How an account behaves over the 90 days, read by _metric_rows:
# (followers at the start, mean posts a day, daily follower growth, at least this many weeks
# silent at the end, up to eight).
PROFILES = {
    "main": ((80_000, 400_000), (2.5, 6.0), (0.0005, 0.002), 0),
    "mid": ((4_000, 40_000), (0.5, 1.6), (0.0002, 0.001), 0),
    "small": ((200, 4_000), (0.1, 0.7), (0.0, 0.0008), 0),
    "tiny": ((12, 80), (0.02, 0.25), (0.0, 0.0), 0),
    "silent": ((150, 2_500), (0.1, 0.5), (-0.0004, 0.0), 3),
    # Answers the public late: unanswered messages pile up past the allowed time.
    "slow": ((800, 12_000), (0.2, 0.9), (0.0, 0.0005), 0),
    # Filed but not yet approved: the office's approval queue, no metrics yet.
    "pending": None,
}

# (department code, platform, account name, profile).
ACCOUNTS = (
    ("gov", WX, "新城发布", "main"),
    ("gov", WB, "新城发布", "mid"),
    ("gov", DY, "新城发布", "main"),
    ("gov", TT, "新城发布", "mid"),
    ("gov", SPH, "新城发布", "mid"),
    ("gov", KS, "新城发布", "small"),
    ("gov", APP, "掌上新城", "mid"),
    ("gov", MINI, "新城政务服务", "small"),
    ("media", WX, "新城融媒", "main"),
    ("media", DY, "新城融媒", "mid"),
    ("media", KS, "新城融媒", "small"),
    ("media", SPH, "新城融媒", "mid"),
    ("media", TT, "新城融媒", "small"),
    ("media", WB, "新城融媒", "small"),
    ("publicity", WX, "新城宣传", "mid"),
    ("publicity", WB, "文明新城", "small"),
    ("publicity", WX, "文明新城", "silent"),
    ("edu", WX, "新城教育", "mid"),
    ("edu", WB, "新城教育", "small"),
    ("edu", DY, "新城教育", "small"),
    ("edu-exam", WX, "新城区招生考试", "small"),
    ("edu", KS, "新城教育", "pending"),
    ("health", WX, "健康新城", "mid"),
    ("health", WB, "健康新城", "small"),
    ("health", DY, "健康新城", "small"),
    ("health-cdc", WX, "新城疾控", "silent"),
    ("health", MINI, "新城健康服务", "pending"),
    ("police", WX, "平安新城", "main"),
    ("police", WB, "平安新城", "mid"),
    ("police", DY, "平安新城", "mid"),
    ("police", KS, "平安新城", "small"),
    ("police", SPH, "平安新城", "small"),
    ("police", TT, "新城警方", "small"),
    ("market", WX, "新城市场监管", "small"),
    ("market", WB, "新城市场监管", "tiny"),
    ("market", WX, "新城食安", "tiny"),
    ("culture", WX, "新城文旅", "mid"),
    ("culture", DY, "新城文旅", "mid"),
    ("culture", WB, "新城文旅", "small"),
    ("culture", SPH, "新城文旅", "small"),
    ("culture", MINI, "新城文旅一码游", "small"),
    ("culture", KS, "新城文旅", "pending"),
    ("hrss", WX, "新城人社", "mid"),
    ("hrss", MINI, "新城就业服务", "small"),
    ("hrss", WB, "新城人社", "small"),
    ("civil", WX, "新城民政", "small"),
    ("civil", TT, "新城民政", "tiny"),
    ("eco", WX, "新城生态环境", "small"),
    ("eco", WB, "新城环保", "silent"),
    ("emergency", WX, "新城应急", "small"),
    ("emergency", DY, "新城应急", "small"),
    ("emergency", WB, "新城应急", "small"),
    ("urban", WX, "新城城管", "small"),
    ("urban", DY, "新城城管", "slow"),
    ("urban", WB, "新城城管", "tiny"),
    ("housing", WX, "新城住建", "slow"),
    ("housing", TT, "新城住建", "tiny"),
    ("transport", WX, "新城交通", "small"),
    ("transport", WB, "新城交通", "silent"),
    ("justice", WX, "新城司法", "small"),
    ("justice", WB, "新城普法", "small"),
    ("justice", DY, "新城普法", "small"),
    ("tax", WX, "新城税务", "mid"),
    ("tax", WB, "新城税务", "tiny"),
    ("medins", WX, "新城医保", "slow"),
    ("medins", MINI, "新城医保服务", "small"),
    ("veterans", WX, "新城退役军人", "small"),
    ("veterans", WB, "新城双拥", "small"),
    ("finance", WX, "新城财政", "tiny"),
    ("dev", WX, "新城发改", "tiny"),
    ("dev", WB, "新城价格", "silent"),
    ("commerce", WX, "新城商务", "small"),
    ("commerce", DY, "新城好物", "silent"),
    ("agri", WX, "新城农业农村", "small"),
    ("agri", DY, "新城乡村振兴", "small"),
    ("agri", TT, "新城三农", "tiny"),
    ("water", WX, "新城水务", "tiny"),
    ("water", WB, "新城河长制", "silent"),
    ("stats", WX, "新城统计", "tiny"),
    ("audit", WX, "新城审计", "tiny"),
    ("sci", WX, "新城科技", "small"),
    ("sci", TT, "新城科技", "tiny"),
    ("service", WX, "新城政务服务", "slow"),
    ("service", MINI, "新城一网通办", "small"),
    ("service", SPH, "新城政务服务", "tiny"),
    ("land", WX, "新城自然资源", "small"),
    ("land", WB, "新城自然资源", "small"),
    ("petition", WX, "新城信访", "slow"),
    ("youth", WX, "青春新城", "small"),
    ("youth", WB, "青春新城", "small"),
    ("youth", BILI, "青春新城", "tiny"),
    ("youth", DY, "青春新城", "silent"),
    ("women", WX, "新城女性", "small"),
    ("women", WB, "新城妇联", "small"),
    ("union", WX, "新城工会", "small"),
    ("union", DY, "新城职工", "small"),
    ("chengguan", WX, "城关街道", "small"),
    ("chengguan", DY, "城关街道", "tiny"),
    ("xiguan", WX, "西关街道", "small"),
    ("xiguan", DY, "西关街道", "pending"),
    ("nanshan", WX, "南山街道", "small"),
    ("nanshan-sq", WB, "南山社区", "tiny"),
    ("beiyuan", WX, "北苑街道", "small"),
    ("xinhua", WX, "新华街道", "tiny"),
    ("donghu", WX, "美丽东湖", "small"),
    ("donghu", DY, "东湖镇", "silent"),
    ("donghu", TT, "东湖镇", "tiny"),
    ("qingshi", WX, "青石镇", "small"),
    ("qingshi", WX, "青石旅游", "silent"),
    ("baima", WX, "白马镇", "small"),
    ("liulin", DY, "柳林镇", "small"),
    ("hekou", WX, "河口镇", "tiny"),
)

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖"
    "田董潘袁蔡蒋余杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金贾夏方邹熊"
    "白孟秦邱侯江薛段雷龙史陶贺顾"
)
GIVEN_NAMES = (
    "伟 芳 敏 静 丽 强 磊 军 洋 勇 艳 杰 涛 明 超 霞 平 刚 华 建国 志强 晓东 海燕 文博 子涵 "
    "雨桐 浩然 思远 佳怡 欣怡 宇航 俊杰 国庆 红梅 建华 春燕 立新 玉兰 晓明 丽娟 振宇 婷婷"
).split()
REASONS = (
    "发布本单位政务信息，解读政策，回应群众关切。",
    "本单位业务面向群众，需要及时发布办事指南和通知公告。",
    "承担本系统宣传工作，配合全区重大信息集中发布。",
)
DUPLICATE_REASON = "两个账号分别承担政策发布和办事服务，受众不同，暂无法整合。"
EXCEPTION_REASONS = (
    "辖区常住人口多，防汛、征迁等民生事项需就近发布通知并回应居民诉求，经区委网信办同意保留。",
    "镇域文旅资源集中，需对外宣传推介，运维人员和经费由镇财政保障。",
)
EMPLOYMENTS = (Employment.STAFF, Employment.STAFF, Employment.PART_TIME, Employment.OUTSOURCED)


def _rng(*key) -> random.Random:
    # One generator per item, seeded by its identity: an item comes out the same whether or
    # not the items before it were created in this run, which keeps re-runs idempotent.
    return random.Random(":".join((SEED, *map(str, key))))


def _person(rng: random.Random) -> tuple[str, str]:
    """A (surname, given name) pair."""
    return rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)


def _phone(rng: random.Random, prefix: str) -> str:
    # The 1380000/1390000 blocks are plainly demo numbers to anyone who reads them.
    return f"{prefix}{rng.randrange(10_000):04d}"


def _platform_uid(rng: random.Random, platform: str) -> str:
    if platform == WX:
        return "gh_" + "".join(rng.choices("0123456789abcdef", k=12))
    if platform == MINI:
        return "wx" + "".join(rng.choices("0123456789abcdef", k=16))
    if platform == APP:
        return "cn.gov.xincheng." + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=6))
    if platform == SPH:
        return "sphz" + "".join(rng.choices("0123456789abcdefghijklmnopqrstuvwxyz", k=10))
    return str(rng.randrange(10**9, 10**10))


URLS = {
    WB: "https://weibo.com/u/{}",
    DY: "https://www.douyin.com/user/{}",
    TT: "https://www.toutiao.com/c/user/{}/",
    KS: "https://www.kuaishou.com/profile/{}",
    BILI: "https://space.bilibili.com/{}",
    WX: "https://mp.weixin.qq.com/mp/profile_ext?action=home&__biz={}",
}


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: the means here are small (a few posts or messages a day).
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


class DemoDistrict:
    """One loading of the demo district; ``say`` is told each step as it happens."""

    def __init__(self, say: Callable[[str], None]):
        self.say = say
        self.created = {"departments": 0, "users": 0, "accounts": 0, "pending": 0, "metrics": 0}
        self.repaired = {"departments": 0, "accounts": 0}

    def load(self, password: str) -> None:
        # One request id groups every audit event of this run, as one web request would.
        with context.bound(context.RequestContext(request_id=context.new_request_id())):
            with transaction.atomic():
                departments = self._departments()
                users = self._users(departments, password)
                approved = self._accounts(departments, users)
                self.created["metrics"] = self._metrics(approved)
                self._content(approved)
                if approved:
                    self._activity(approved)
        self.say(
            "Created {departments} departments, {users} users, {accounts} media accounts "
            "({pending} pending approval) and {metrics} daily metrics.".format(**self.created)
        )
        if any(self.repaired.values()):
            self.say(
                "Put {departments} units and {accounts} media accounts of an earlier demo where they "
                "belong.".format(**self.repaired)
            )
        if self.created["users"]:
            self.say("Demo users: office, auditor and dept-<department code> (e.g. dept-edu).")

    def say_count(self, what: str, done: int, total: int, *, every: int) -> None:
        if done % every == 0 or done == total:
            self.say(f"{what}: {done} of {total} {'done' if done == total else 'so far'}.")

    def _content(self, approved: list[tuple[MediaAccount, str]]) -> None:
        """The demo's lexicon (written for the demo, and its page says so), the sites posts may link
        to, and the posts of a few accounts, one for each post their daily figures count, a few with
        wording the lexicon catches; scanned at once, as the worker would."""
        from content import services as content
        from content.models import AllowedDomain, LexiconEntry, Post
        from content.posts import check_post_rows

        if not LexiconEntry.objects.exists():
            content.lexicon_import(
                actor=None,
                entries=[
                    {
                        "lexicon": lexicon,
                        "term": term,
                        "correct_form": correct,
                        "category": category,
                        "severity": "",
                        "source": "演示用词库（为演示编写，并非完整词库）",
                        "enabled": True,
                    }
                    for lexicon, term, correct, category in DEMO_LEXICON
                ],
            )
            self.say(f"Lexicon: {len(DEMO_LEXICON)} entries written for the demo.")
        for domain in DEMO_ALLOWED_SITES:
            if not AllowedDomain.objects.filter(domain=domain).exists():
                content.allowed_domain_add(actor=None, domain=domain)
        if Post.objects.exists():
            return
        chosen = [(account, profile) for account, profile in approved if profile in ("main", "mid", "silent")]
        chosen = chosen[:POSTING]
        rows = [row for account, profile in chosen for row in _post_rows(account, profile)]
        if rows:
            self.say(
                f"Posts: recording {len(rows)} posts of {len(chosen)} accounts and checking their wording…"
            )
            content.posts_record(actor=None, rows=check_post_rows(None, enumerate(rows)))
            content.posts_scan_all()

    def _activity(self, approved) -> None:
        """What the scheduler would have produced by now: twelve weeks of the activity index and
        today's inspection, so the ranking, the grades and the dashboard have something to show."""
        from audits.inspections.services import inspection_run_execute, inspection_run_request
        from audits.ranking.services import weekly_index_compute

        today = timezone.localdate()
        this_sunday = today - datetime.timedelta(days=(today.weekday() + 1) % 7)
        self.say("Weekly activity index: computing the last 12 weeks…")
        for weeks_back in range(12, 0, -1):
            weekly_index_compute(week_start=this_sunday - datetime.timedelta(weeks=weeks_back))
        self.say("Inspection: running today's inspection over the live accounts…")
        run = inspection_run_request(actor=None)
        inspection_run_execute(run_id=run.pk)

    def _departments(self) -> dict[str, Department]:
        """Register the catalogue's units; put back below its proper parent any unit an earlier
        demo hung elsewhere (it hung every unit below the government, whose administrator then
        acted for every department)."""
        existing = Department.objects.in_bulk([code for code, *_rest in DEPARTMENTS], field_name="code")
        for code, name, kind, parent_code in DEPARTMENTS:
            parent = existing[parent_code] if parent_code else None
            unit = existing.get(code)
            if unit is None:
                rng = _rng("department", code)
                existing[code] = services.department_create(
                    actor=None,
                    name=name,
                    code=code,
                    kind=kind,
                    parent=parent,
                    first_responsible_person="".join(_person(rng)),
                    contact_name="".join(_person(_rng("contact", code))),
                    contact_phone=_phone(rng, "1380000"),
                )
                self.created["departments"] += 1
            elif unit.parent_id != (parent.pk if parent else None):
                existing[code] = services.department_update(actor=None, department=unit, parent=parent)
                self.repaired["departments"] += 1
        done = [
            f"{self.created['departments']} created" if self.created["departments"] else "",
            f"{self.repaired['departments']} put back where they belong"
            if self.repaired["departments"]
            else "",
        ]
        self.say(f"Units: {', '.join(filter(None, done)) or f'all {len(DEPARTMENTS)} in place'}.")
        return existing

    def _users(self, departments: dict[str, Department], password: str) -> dict[str, User]:
        wanted = [("office", Role.OFFICE_ADMIN, None, "office"), ("auditor", Role.AUDITOR, None, "auditor")]
        wanted += [(f"dept-{code}", Role.DEPT_ADMIN, departments[code], code) for code, *_rest in DEPARTMENTS]
        users = User.objects.in_bulk([username for username, *_rest in wanted], field_name="username")
        missing = [entry for entry in wanted if entry[0] not in users]
        if not missing:
            self.say(f"Users: all {len(wanted)} in place.")
        for username, role, department, person_key in missing:
            # A unit's administrator is the contact person named on the unit's record.
            surname, given = _person(_rng("contact", person_key))
            users[username] = user_services.user_create(
                actor=None,
                username=username,
                password=password,
                role=role,
                department=department,
                first_name=given,
                last_name=surname,
                phone=department.contact_phone if department else "",
                validate=False,
            )
            self.created["users"] += 1
            self.say_count("Users", self.created["users"], len(missing), every=10)
        return users

    def _accounts(self, departments, users) -> list[tuple[MediaAccount, str]]:
        """File every catalogue account not yet registered; approve all but the pending ones."""
        parents = {code: parent_code for code, _name, _kind, parent_code in DEPARTMENTS if parent_code}
        catalogue = []
        for code, platform, name, profile in ACCOUNTS:
            # A sub-unit's account is drawn as it was when the demo filed it under the parent, so
            # an earlier demo database still recognises it.
            rng = _rng("account", parents.get(code, code), platform, name)
            catalogue.append((code, platform, name, profile, rng, _platform_uid(rng, platform)))
        registered = {
            (account.platform, account.platform_uid): account
            for account in MediaAccount.objects.filter(platform_uid__in=[entry[5] for entry in catalogue])
        }
        approved = []
        to_file = sum((entry[1], entry[5]) not in registered for entry in catalogue)
        for code, platform, name, profile, rng, uid in catalogue:
            department = departments[code]
            account = registered.get((platform, uid))
            if account is not None:
                if account.department_id != department.pk:
                    # Filed under the parent by an earlier demo: the sub-unit runs it.
                    services.media_account_update(actor=None, media_account=account, department=department)
                    self.repaired["accounts"] += 1
                continue
            has_interaction = profile in ("main", "slow") or rng.random() > 0.1
            functions = [AccountFunction.INFORMATION]
            if platform in (APP, MINI) or rng.random() < 0.2:
                functions.append(AccountFunction.SERVICE)
            if has_interaction:
                functions.append(AccountFunction.INTERACTION)
            operator_count = 3 if profile == "main" else rng.randint(1, 2 if profile == "tiny" else 3)
            operators = []
            for _index in range(operator_count):
                operators.append(
                    {
                        "name": "".join(_person(rng)),
                        "phone": _phone(rng, "1390000"),
                        "employment": rng.choice(EMPLOYMENTS),
                    }
                )
            filing = services.filing_submit_open(
                actor=users[f"dept-{code}"],
                department=department,
                name=name,
                platform=platform,
                platform_uid=uid,
                reason=rng.choice(REASONS),
                operators=operators,
                url=URLS[platform].format(uid) if platform in URLS else "",
                responsible_person="".join(_person(rng)),
                functions=[str(function) for function in functions],
                has_interaction=has_interaction,
                verified=profile != "tiny" and rng.random() > 0.1,
                exception_reason=rng.choice(EXCEPTION_REASONS) if department.kind == TOWN else "",
                duplicate_reason=(
                    DUPLICATE_REASON if services.same_platform_accounts(department, platform).exists() else ""
                ),
            )
            self.created["accounts"] += 1
            self.say_count("Media accounts", self.created["accounts"], to_file, every=20)
            if profile == "pending":
                self.created["pending"] += 1
                continue
            services.filing_approve(actor=users["office"], filing=filing)
            # The demo district's accounts ran before it registered them: their figures go back DAYS
            # days, and the new-account grace of the inspection rules must not hide them.
            services.media_account_update(
                actor=None,
                media_account=filing.media_account,
                activated_on=timezone.localdate() - datetime.timedelta(days=DAYS),
            )
            approved.append((filing.media_account, profile))
        if not to_file:
            moved = self.repaired["accounts"]
            back = f", {moved} put back under the sub-unit that runs them" if moved else ""
            self.say(f"Media accounts: all {len(catalogue)} filed already{back}.")
        return approved

    def _metrics(self, approved: list[tuple[MediaAccount, str]]) -> int:
        rows = []
        for account, profile in approved:
            rows.extend(_metric_rows(account, profile))
        if rows:
            self.say(f"Daily figures: recording {len(rows)} days of figures for {len(approved)} accounts…")
        if rows and partitions.is_partitioned():
            # On PostgreSQL the past months get partitions of their own, as a running site's do.
            partitions.months_create(since=min(row["date"] for row in rows))
        # One call: the service upserts in bulk and records one audit event for the upload.
        return services.metrics_record(actor=None, rows=rows).rows


# The demo's lexicon: a few entries of each kind, written for the demonstration (not a complete
# lexicon): (lexicon, term, correct form, category).
DEMO_LEXICON = (
    ("serious", "一带一路战略", "“一带一路”倡议", "重大方针表述"),
    ("serious", "十四五计划", "“十四五”规划", "重大方针表述"),
    ("serious", "台湾总统", "台湾地区领导人", "涉台表述"),
    ("serious", "港澳台国家", "国家和港澳台地区", "涉港澳台表述"),
    ("serious", "全国人大代表大会", "全国人民代表大会", "机构名称"),
    ("misused", "不径而走", "不胫而走", "成语"),
    ("misused", "按步就班", "按部就班", "成语"),
    ("misused", "再接再励", "再接再厉", "成语"),
    ("misused", "迫不急待", "迫不及待", "成语"),
    ("misused", "一愁莫展", "一筹莫展", "成语"),
    ("misused", "既使", "即使", "错字"),
    ("sensitive", "赌博网站", "", "违法信息"),
    ("sensitive", "代孕", "", "违法信息"),
    ("sensitive", "办证刻章", "", "违法广告"),
    ("sensitive", "翻墙软件", "", "网络安全"),
)
DEMO_ALLOWED_SITES = ("gov.cn", "people.com.cn", "xinhuanet.com", "weixin.qq.com", "weibo.com", "douyin.com")
POSTING = 10  # accounts whose posts the demo has
POST_SENTENCES = (
    "区{unit}召开专题会议，部署近期重点工作。",
    "我区持续推进“放管服”改革，进一步优化营商环境。",
    "本周末将举办便民服务进社区活动，欢迎居民参加。",
    "区{unit}发布关于做好秋冬季安全生产工作的通知。",
    "全区各街道按步就班推进老旧小区改造工程。",
    "区{unit}提醒：警惕以“办证刻章”为名的诈骗信息。",
    "详情请见 https://www.gov.cn/zhengce/ 与本单位官网。",
    "活动报名请访问 https://event.example.com/signup 。",
    "我区扎实推进“十四五计划”各项任务落地见效。",
    "各部门要再接再励，确保全年目标任务圆满完成。",
)


def _post_rows(account: MediaAccount, profile: str) -> list[dict]:
    """One post for each post the account's daily figures count, over the demo's days: most plain,
    a few with wording the demo's lexicon catches or a link to a site it does not allow."""
    rng = _rng("posts", account.platform, account.platform_uid)
    unit = account.department.name.removeprefix("区")
    rows = []
    for metric in _metric_rows(account, profile):
        for number in range(metric["posts"]):
            sentences = rng.sample(POST_SENTENCES[:3], 2)
            if rng.random() < 0.06:
                sentences.append(rng.choice(POST_SENTENCES[3:]))
            moment = datetime.datetime.combine(
                metric["date"], datetime.time(rng.randint(8, 20), rng.randint(0, 59))
            )
            rows.append(
                {
                    "media_account": account.pk,
                    "platform_post_id": f"{account.platform_uid}-{metric['date']:%Y%m%d}-{number}",
                    "published_at": timezone.make_aware(moment).isoformat(),
                    "kind": "repost" if rng.random() < 0.2 else "original",
                    "title": sentences[0].format(unit=unit).rstrip("。"),
                    "text": "".join(sentence.format(unit=unit) for sentence in sentences),
                    "reads": metric["reads"] // max(metric["posts"], 1),
                    "likes": metric["likes"] // max(metric["posts"], 1),
                }
            )
    return rows


def _metric_rows(account: MediaAccount, profile: str) -> list[dict]:
    """DAYS days of plausible figures ending yesterday, for an account of the given profile."""
    (low, high), (posts_low, posts_high), (growth_low, growth_high), silent_weeks = PROFILES[profile]
    rng = _rng("metrics", account.platform, account.platform_uid)
    followers = rng.randint(low, high)
    mean_posts = rng.uniform(posts_low, posts_high)
    growth = rng.uniform(growth_low, growth_high)
    # Silent accounts stopped posting 3 to 8 weeks ago: the no_update rule's dormant accounts.
    silent_days = rng.randint(silent_weeks * 7, 56) if silent_weeks else 0
    open_rate = rng.uniform(0.02, 0.12)  # the share of followers who read a post
    # About one message a day per 4,000 followers, capped so the main accounts stay plausible.
    messages_per_day = min(followers / 4_000, 30) if account.has_interaction else 0
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    unanswered: list[tuple[datetime.date, int]] = []
    rows = []
    for offset in range(DAYS - 1, -1, -1):
        day = yesterday - datetime.timedelta(days=offset)
        weekend = day.weekday() >= 5  # units post far less at weekends
        followers = max(0, round(followers * (1 + growth + rng.gauss(0, abs(growth) / 2 + 0.0001))))
        if profile == "tiny":
            followers = min(followers, 99)
        posts = 0 if offset < silent_days else _poisson(rng, mean_posts * (0.4 if weekend else 1.0))
        # Old posts are still read a little on a day without new ones.
        reads = sum(int(followers * open_rate * rng.lognormvariate(0, 0.6)) for _post in range(posts))
        reads += int(followers * 0.002 * rng.random())
        received = _poisson(rng, messages_per_day) if messages_per_day else 0
        # For the last four weeks a slow account has answered about a third of what it received;
        # the rest go overdue after 5 working days, about a week (the unanswered rule).
        if profile == "slow" and offset < 28:
            replied = sum(rng.random() < 0.35 for _message in range(received))
        else:
            replied = received
        if received > replied:
            unanswered.append((day, received - replied))
        overdue = sum(count for when, count in unanswered if (day - when).days > 7)
        rows.append(
            {
                "media_account": account.pk,
                "date": day,
                "followers": followers,
                "posts": posts,
                "reads": reads,
                "likes": int(reads * rng.uniform(0.005, 0.03)),
                "shares": int(reads * rng.uniform(0.003, 0.02)),
                "comments": int(reads * rng.uniform(0.0005, 0.004)),
                "messages_received": received,
                "messages_replied": replied,
                "messages_overdue": overdue,
            }
        )
    return rows
