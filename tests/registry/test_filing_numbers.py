"""Filing numbers (docs/design.md §4.2): ``<prefix>-<year>-<nnnn>``, one after another within a year
from the year's counter, never the same twice, past 9,999 as well (a province passes 10,000 in
its first week). The counter is seeded where a test needs a high number: approving 10,000
accounts through the services would prove nothing more."""

import pytest
from django.db import connection, transaction
from django.utils import timezone

from registry import services
from registry.choices import FilingStatus, MediaAccountStatus, Platform
from registry.models import FilingSequence, MediaAccount
from tests.concurrency import at_once, queued_behind, race_database  # noqa: F401  (the fixture, by name)

YEAR = timezone.localdate().year


def number(sequence: int) -> str:
    return f"XC-{YEAR}-{sequence:04d}"


def numbered(department, sequence: int, *, year: int = YEAR) -> MediaAccount:
    """An account that was given that number earlier, written directly."""
    return MediaAccount.objects.create(
        department=department,
        name=f"账号{year}-{sequence}",
        platform=Platform.WEIBO,
        platform_uid=f"numbered-{year}-{sequence}",
        status=MediaAccountStatus.ACTIVE,
        filing_number=f"XC-{year}-{sequence:04d}",
    )


def approve(filing, office_admin) -> str:
    services.filing_approve(actor=office_admin, filing=filing)
    filing.media_account.refresh_from_db()
    return filing.media_account.filing_number


def test_it_gives_the_10001st_number_of_a_year_after_the_10000th(office_admin, file_account, department_a):
    numbered(department_a, 9999)
    numbered(department_a, 10000)
    FilingSequence.objects.create(year=YEAR, last_number=10000)
    filing = file_account(department_a, approve=False).filings.get()

    assert approve(filing, office_admin) == f"XC-{YEAR}-10001"
    assert FilingSequence.objects.get(year=YEAR).last_number == 10001


def test_it_starts_a_years_counter_after_the_highest_number_given_that_year(
    office_admin, file_account, department_a
):
    # Compared as text, -9999 is the highest of these, and its successor was taken already.
    for sequence in (1, 9999, 10000, 10001):
        numbered(department_a, sequence)
    numbered(department_a, 20000, year=YEAR - 1)  # another year's
    filing = file_account(department_a, approve=False).filings.get()

    assert approve(filing, office_admin) == f"XC-{YEAR}-10002"


def test_it_numbers_an_import_in_one_block_past_9999(office_admin, department_a):
    FilingSequence.objects.create(year=YEAR, last_number=9998)
    rows = [
        {
            "row": row,
            "department_code": "edu",
            "name": f"账号{row}",
            "platform": "微博",
            "platform_uid": f"w{row}",
        }
        for row in (2, 3, 4)
    ]

    accounts = services.media_accounts_import(actor=office_admin, rows=rows)

    assert [account.filing_number for account in accounts] == [number(9999), number(10000), number(10001)]
    assert sorted(MediaAccount.objects.values_list("filing_number", flat=True)) == [
        number(10000),
        number(10001),
        number(9999),
    ]


def test_it_takes_back_the_number_of_an_approval_that_rolls_back(office_admin, file_account, department_a):
    first, second = (file_account(department_a, approve=False).filings.get() for _ in range(2))
    with pytest.raises(RuntimeError), transaction.atomic():
        services.filing_approve(actor=office_admin, filing=first)
        raise RuntimeError("the approval fails after numbering")

    assert approve(second, office_admin) == number(1)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("race_database")
def test_it_gives_two_approvals_at_once_two_numbers(office_admin, file_account, department_a):
    # The year's first two approvals: both find no counter yet, and both must create it safely.
    filings = [file_account(department_a, approve=False).filings.get() for _ in range(2)]

    at_once(
        *(
            lambda filing=filing: services.filing_approve(actor=office_admin, filing=filing)
            for filing in filings
        )
    )

    numbers = sorted(MediaAccount.objects.values_list("filing_number", flat=True))
    assert numbers == [number(1), number(2)]
    assert FilingSequence.objects.get(year=YEAR).last_number == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("race_database")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite writers queue for the whole database")
def test_it_queues_approvals_and_an_import_behind_the_years_counter(office_admin, file_account, department_a):
    FilingSequence.objects.create(year=YEAR, last_number=9999)
    held_filing, *filings = [file_account(department_a, approve=False).filings.get() for _ in range(3)]
    rows = [
        {"row": 2, "department_code": "edu", "name": "导入账号", "platform": "微博", "platform_uid": "w2"}
    ]

    # An approval holds the counter until it commits; the others wait on it with their own filing
    # and account locked, which the holder never asks for: they queue, they do not deadlock.
    approved, _approved, imported = queued_behind(
        lambda: services.filing_approve(actor=office_admin, filing=held_filing),
        *(
            lambda filing=filing: services.filing_approve(actor=office_admin, filing=filing)
            for filing in filings
        ),
        lambda: services.media_accounts_import(actor=office_admin, rows=rows),
    )

    assert approved.status == FilingStatus.APPROVED
    numbers = sorted(MediaAccount.objects.values_list("filing_number", flat=True))
    assert numbers == [number(10000), number(10001), number(10002), number(10003)]
    assert imported[0].filing_number in numbers
