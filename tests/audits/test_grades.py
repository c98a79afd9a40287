"""An account's grade (docs/design.md §7.4): green with no open finding, amber with warnings only, red with
any serious or veto finding; info findings, and findings waived or resolved, do not count."""

import datetime

import pytest

from audits.inspections.choices import FindingStatus, Grade, RuleCode, Severity
from audits.inspections.models import Finding, InspectionRule
from audits.inspections.selectors import grade_counts, with_grade
from registry.choices import Platform
from registry.models import MediaAccount
from tests.registry.test_browse_media_accounts import import_accounts

pytestmark = pytest.mark.django_db

RULE_OF = {
    Severity.VETO: RuleCode.NO_UPDATE,
    Severity.SERIOUS: RuleCode.NO_INTERACTION,
    Severity.WARNING: RuleCode.LOW_REACH,
    Severity.INFO: RuleCode.TOWNSHIP_ACCOUNT,
}


def find(account, severity, status=FindingStatus.OPEN, *, rule=None) -> Finding:
    """A finding as a run leaves it (the run itself is tested in test_inspection_runs.py)."""
    today = datetime.date.today()
    return Finding.objects.create(
        rule=InspectionRule.objects.get(code=rule or RULE_OF[severity]),
        media_account=account,
        severity=severity,
        status=status,
        first_seen=today,
        last_seen=today,
    )


def grade_of(account) -> str | None:
    return with_grade(MediaAccount.objects.filter(pk=account.pk)).get().grade


@pytest.fixture
def account(file_account, department_a):
    return file_account(department_a)


def test_it_grades_an_account_without_findings_green(account):
    assert grade_of(account) == Grade.GREEN


def test_it_ignores_info_findings(account):
    find(account, Severity.INFO)
    assert grade_of(account) == Grade.GREEN


def test_it_grades_warnings_only_amber(account):
    find(account, Severity.WARNING)
    find(account, Severity.INFO)
    assert grade_of(account) == Grade.AMBER


@pytest.mark.parametrize("severity", [Severity.SERIOUS, Severity.VETO])
def test_it_grades_a_serious_or_veto_finding_red(account, severity):
    find(account, Severity.WARNING)
    find(account, severity)
    assert grade_of(account) == Grade.RED


@pytest.mark.parametrize("status", [FindingStatus.WAIVED, FindingStatus.RESOLVED])
def test_it_ignores_waived_and_resolved_findings(account, status):
    find(account, Severity.VETO, status)
    find(account, Severity.WARNING, status)
    assert grade_of(account) == Grade.GREEN


def test_it_follows_the_findings_severity_not_the_rules(account):
    # The office may have made a rule milder since; the finding carries the severity of its run.
    find(account, Severity.WARNING, rule=RuleCode.NO_UPDATE)
    assert grade_of(account) == Grade.AMBER


def test_it_gives_no_grade_to_an_account_that_is_not_live(file_account, department_a):
    pending = file_account(department_a, approve=False)
    assert grade_of(pending) is None


def test_it_grades_each_row_of_a_list_in_one_query(
    file_account, department_a, department_b, django_assert_num_queries
):
    green = file_account(department_a)
    amber = file_account(department_a, platform=Platform.WEIBO)
    red = file_account(department_b)
    find(amber, Severity.WARNING)
    find(red, Severity.SERIOUS)
    with django_assert_num_queries(1):
        grades = dict(with_grade(MediaAccount.objects.all()).values_list("pk", "grade"))
    assert grades == {green.pk: Grade.GREEN, amber.pk: Grade.AMBER, red.pk: Grade.RED}


def test_it_counts_the_grades_within_the_users_scope(
    file_account, department_a, department_b, office_admin, admin_b, django_assert_num_queries
):
    find(file_account(department_a), Severity.WARNING)
    find(file_account(department_b), Severity.VETO)
    file_account(department_b, platform=Platform.WEIBO)
    with django_assert_num_queries(1):
        assert grade_counts(office_admin) == {Grade.GREEN: 1, Grade.AMBER: 1, Grade.RED: 1}
    assert grade_counts(admin_b) == {Grade.GREEN: 1, Grade.AMBER: 0, Grade.RED: 1}


def test_it_shows_the_grade_in_the_list_the_detail_and_the_matrix(
    client_for, office_admin, file_account, department_a
):
    red = file_account(department_a, name="红色账号")
    find(red, Severity.VETO)
    client = client_for(office_admin)
    assert 'data-grade="red"' in client.get("/media-accounts/").content.decode()
    detail = client.get(f"/media-accounts/{red.pk}/").content.decode()
    assert 'class="chip grade-red"' in detail and f"/findings/?media_account={red.pk}" in detail
    assert 'data-grade="red"' in client.get("/matrix/").content.decode()


def test_it_reads_the_account_list_with_grades_in_the_same_queries_for_10_and_200_accounts(
    client_for, office_admin, government, department_a, department_b, django_assert_max_num_queries
):
    units = [government, department_a, department_b]
    client = client_for(office_admin)
    import_accounts(office_admin, units, 10)
    for account in MediaAccount.objects.all():
        find(account, Severity.WARNING)
    counts = {}
    for url in ("/media-accounts/", "/matrix/", "/"):
        with django_assert_max_num_queries(30) as captured:
            assert client.get(url).status_code == 200
        counts[url] = len(captured.captured_queries)
    import_accounts(office_admin, units, 190, start=10)
    for account in MediaAccount.objects.filter(findings__isnull=True)[:100]:
        find(account, Severity.VETO)
    for url, few in counts.items():
        with django_assert_max_num_queries(few):
            assert client.get(url).status_code == 200
