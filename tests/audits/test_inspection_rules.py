"""Each inspection rule at its boundary (docs/design.md §7.1), evaluated the way a run evaluates it."""

import datetime

import pytest
from django.utils import timezone

from audits.inspections import rules
from audits.inspections.choices import RuleCode
from registry import services
from registry.choices import DepartmentKind, Platform
from tests.conftest import established

TODAY = datetime.date(2026, 11, 20)


def day(n_days_before: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n_days_before)


def broken(code: str, **thresholds) -> set[int]:
    return set(rules.broken_accounts(code, TODAY, thresholds).values_list("pk", flat=True))


def metrics(account, rows):
    services.metrics_record(actor=None, rows=[{"media_account": account.pk, **row} for row in rows])
    account.refresh_from_db()


@pytest.fixture
def file_account(file_account):
    return established(file_account)


@pytest.mark.parametrize(("silent_days", "flagged"), [(13, False), (14, True)])
def test_it_flags_an_account_silent_for_two_weeks(file_account, department_a, silent_days, flagged):
    account = file_account(department_a)
    metrics(account, [{"date": day(silent_days + 1), "posts": 1}])
    assert (account.pk in broken(RuleCode.NO_UPDATE)) is flagged


def test_it_flags_an_account_that_never_posted(file_account, department_a):
    account = file_account(department_a)
    assert account.pk in broken(RuleCode.NO_UPDATE)


@pytest.mark.parametrize(("posts", "flagged"), [(27, True), (30, False)])
def test_it_flags_under_one_post_a_day_over_30_days(file_account, department_a, posts, flagged):
    account = file_account(department_a)
    rows = [{"date": day(n), "posts": 1 if n <= posts else 0} for n in range(1, 31)]
    metrics(account, rows)
    assert (account.pk in broken(RuleCode.LOW_FREQUENCY)) is flagged


def test_it_ignores_posts_outside_the_window(file_account, department_a):
    account = file_account(department_a)
    metrics(account, [{"date": day(31), "posts": 100}, {"date": TODAY, "posts": 100}])
    assert account.pk in broken(RuleCode.LOW_FREQUENCY)


def posts(account, *published, kind="original"):
    """Posts of ``account`` at noon on the given days, as a collector sends them."""
    from content import services as content
    from content.posts import check_post_rows

    rows = [
        {
            "media_account": account.pk,
            "platform_post_id": f"{kind}-{n}-{day}",
            "kind": kind,
            "published_at": f"{day.isoformat()}T12:00:00+08:00",
            "text": "工作动态",
        }
        for n, day in enumerate(published)
    ]
    content.posts_record(actor=None, rows=check_post_rows(None, enumerate(rows)))


@pytest.mark.parametrize(("silent_days", "flagged"), [(13, False), (14, True)])
def test_where_posts_are_received_the_last_original_post_says(
    file_account, department_a, silent_days, flagged
):
    account = file_account(department_a)
    metrics(account, [{"date": day(1), "posts": 3}])  # the figures say yesterday: the posts say otherwise
    posts(account, day(silent_days + 1))
    posts(account, day(2), day(1), kind="repost")  # a relay is no update of its own
    assert (account.pk in broken(RuleCode.NO_UPDATE)) is flagged


def test_where_posts_are_received_they_are_counted_for_the_frequency(file_account, department_a):
    counted, short = file_account(department_a), file_account(department_a, name="短更")
    metrics(short, [{"date": day(n), "posts": 5} for n in range(1, 31)])  # not read: it has posts
    posts(counted, *(day(n) for n in range(1, 31)))
    posts(short, *(day(n) for n in range(1, 21)), day(40))
    assert counted.pk not in broken(RuleCode.LOW_FREQUENCY)
    assert short.pk in broken(RuleCode.LOW_FREQUENCY)


@pytest.mark.parametrize(("followers", "flagged"), [(99, True), (100, False)])
def test_it_flags_under_100_followers(file_account, department_a, followers, flagged):
    account = file_account(department_a)
    metrics(account, [{"date": day(1), "followers": followers}])
    assert (account.pk in broken(RuleCode.LOW_REACH)) is flagged


def test_it_follows_the_offices_threshold(file_account, department_a):
    account = file_account(department_a)
    metrics(account, [{"date": day(1), "followers": 150}])
    assert account.pk not in broken(RuleCode.LOW_REACH)
    assert account.pk in broken(RuleCode.LOW_REACH, followers=200)


@pytest.mark.parametrize(("overdue", "flagged"), [(0, False), (1, True)])
def test_it_flags_messages_unanswered_past_the_allowed_time(file_account, department_a, overdue, flagged):
    account = file_account(department_a)
    metrics(account, [{"date": day(3), "messages_overdue": 5}, {"date": day(1), "messages_overdue": overdue}])
    assert (account.pk in broken(RuleCode.UNANSWERED)) is flagged


def test_it_flags_an_account_nobody_can_write_to(file_account, department_a):
    closed_door = file_account(department_a, has_interaction=False)
    open_door = file_account(department_a, platform=Platform.WEIBO)
    assert broken(RuleCode.NO_INTERACTION) == {closed_door.pk} - {open_door.pk}


@pytest.mark.parametrize(("confirmed_days_ago", "flagged"), [(365, False), (366, True)])
def test_it_flags_a_record_not_confirmed_for_a_year(file_account, department_a, confirmed_days_ago, flagged):
    account = file_account(department_a)
    account.__class__.objects.filter(pk=account.pk).update(opened_on=day(confirmed_days_ago))
    assert (account.pk in broken(RuleCode.STALE_RECORD)) is flagged


def test_it_flags_a_township_account_without_an_exception(file_account, office_admin):
    township = services.department_create(
        actor=None, name="东湖镇", code="donghu", kind=DepartmentKind.TOWNSHIP
    )
    excepted = file_account(township, exception_reason="旅游度假区")
    assert excepted.pk not in broken(RuleCode.TOWNSHIP_ACCOUNT)
    excepted.__class__.objects.filter(pk=excepted.pk).update(exception_reason="")
    assert excepted.pk in broken(RuleCode.TOWNSHIP_ACCOUNT)


def test_it_flags_every_live_account_of_a_unit_on_one_platform(file_account, department_a, department_b):
    first = file_account(department_a, platform=Platform.DOUYIN)
    second = file_account(department_a, platform=Platform.DOUYIN)
    elsewhere = file_account(department_b, platform=Platform.DOUYIN)
    assert broken(RuleCode.DUPLICATE_PLATFORM) == {first.pk, second.pk}
    assert elsewhere.pk not in broken(RuleCode.DUPLICATE_PLATFORM)


def test_it_flags_an_account_without_responsible_person_or_operators(file_account, department_a):
    staffed = file_account(
        department_a, responsible_person="王五", operators=[{"name": "李四", "employment": "staff"}]
    )
    unstaffed = file_account(department_a, platform=Platform.WEIBO, responsible_person="王五")
    nobody = file_account(
        department_a, platform=Platform.DOUYIN, operators=[{"name": "李四", "employment": "staff"}]
    )
    assert broken(RuleCode.NO_RESPONSIBLE_PERSON) >= {unstaffed.pk, nobody.pk}
    # department_a has no first responsible person on file, so every account of it is flagged
    # until it has one.
    department_a.__class__.objects.filter(pk=department_a.pk).update(first_responsible_person="张局长")
    assert broken(RuleCode.NO_RESPONSIBLE_PERSON) == {unstaffed.pk, nobody.pk} - {staffed.pk}


def test_it_inspects_only_live_accounts(file_account, department_a):
    pending = file_account(department_a, approve=False)
    assert pending.pk not in broken(RuleCode.NO_UPDATE)


# A new account's grace (issue 10) ----------------------------------------------------------------


def test_it_does_not_flag_an_account_approved_today(file_account, department_a):
    """Approved today, with 0 followers and no post yet: not 单项否决 长期未更新 in the next run."""
    account = file_account(department_a, activated_on=None)
    today = timezone.localdate()
    for code in (RuleCode.NO_UPDATE, RuleCode.LOW_FREQUENCY, RuleCode.LOW_REACH):
        assert account.pk not in rules.broken_accounts(code, today, {}).values_list("pk", flat=True)


@pytest.mark.parametrize(("live_days", "flagged"), [(10, False), (13, False), (14, True), (20, True)])
def test_it_counts_silence_from_the_activation_day(file_account, department_a, live_days, flagged):
    """Live 10 days without a post, under a 14-day window: not flagged; live 20 days, silent the
    last 14: flagged."""
    account = file_account(department_a, activated_on=day(live_days))
    if live_days == 20:
        metrics(account, [{"date": day(15), "posts": 1}])
    assert (account.pk in broken(RuleCode.NO_UPDATE)) is flagged


def test_it_follows_the_offices_grace_period(file_account, department_a):
    account = file_account(department_a, activated_on=day(10))
    assert account.pk not in broken(RuleCode.NO_UPDATE)
    assert account.pk in broken(RuleCode.NO_UPDATE, grace_days=10)
    assert account.pk in broken(RuleCode.NO_UPDATE, grace_days=0)


@pytest.mark.parametrize(("posts", "flagged"), [(9, True), (10, False)])
def test_it_averages_a_new_accounts_posts_over_its_days_live(file_account, department_a, posts, flagged):
    """Past a 7-day grace, an account live 10 days is held to one post a day over those 10 days,
    not over the 30-day window it has not lived through."""
    account = file_account(department_a, activated_on=day(10))
    metrics(account, [{"date": day(n), "posts": 1 if n <= posts else 0} for n in range(1, 11)])
    assert account.pk not in broken(RuleCode.LOW_FREQUENCY)  # within the default grace of 30 days
    assert (account.pk in broken(RuleCode.LOW_FREQUENCY, grace_days=7)) is flagged


@pytest.mark.parametrize(("live_days", "flagged"), [(29, False), (30, True)])
def test_it_gives_a_new_account_a_month_to_find_100_followers(file_account, department_a, live_days, flagged):
    account = file_account(department_a, activated_on=day(live_days))
    metrics(account, [{"date": day(1), "followers": 12}])
    assert (account.pk in broken(RuleCode.LOW_REACH)) is flagged


def test_it_gives_no_grace_to_an_account_registered_as_already_running(office_admin, department_a):
    """A first registration imports accounts that have run for years: their silence counts at once."""
    (account,) = services.media_accounts_import(
        actor=office_admin,
        rows=[
            {
                "row": 2,
                "department_code": department_a.code,
                "name": "教育老号",
                "platform": Platform.WEIBO,
                "platform_uid": "old-1",
            }
        ],
    )
    assert account.activated_on is None
    today = timezone.localdate()
    assert rules.violations(RuleCode.NO_UPDATE, today, {}).filter(pk=account.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_owner")  # migrations are the owner's
def test_the_migration_gives_the_existing_rules_their_grace():
    """Rules installed before the grace get it: as long as the office's own window where the rule
    has one, a month for the followers rule; the other rules are left as they are."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    before = ("audits", "0008_finding_waived_at")
    executor.migrate([before])
    InspectionRule = executor.loader.project_state([before]).apps.get_model("audits", "InspectionRule")
    InspectionRule.objects.all().delete()
    for code, thresholds in (
        ("no_update", {"days": 21}),  # the office's own window
        ("low_frequency", {"posts_per_day": 1, "window_days": 30}),
        ("low_reach", {"followers": 100}),
        ("stale_record", {"days": 365}),
    ):
        InspectionRule.objects.create(code=code, severity="warning", thresholds=thresholds)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("audits"))
    # (0017 and 0018 install the wording scan's rules and the release rule beside them.)
    assert dict(
        InspectionRule.objects.exclude(code__startswith="wording_")
        .exclude(code="release_missed")
        .values_list("code", "thresholds")
    ) == {
        "no_update": {"days": 21, "grace_days": 21},
        "low_frequency": {"posts_per_day": 1, "window_days": 30, "grace_days": 30},
        "low_reach": {"followers": 100, "grace_days": 30},
        "stale_record": {"days": 365},
    }
