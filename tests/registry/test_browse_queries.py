"""Every browsing page reads in a fixed number of queries, whether the district has 10 accounts
or 200 (docs/design.md §13). Each page is measured with 10, then held to that count with 200."""

import datetime
import itertools

import pytest
from django.utils import timezone

from registry import services
from tests.registry.test_browse_media_accounts import import_accounts

pytestmark = pytest.mark.django_db
_changes = itertools.count()


def grow_the_account(actor, account, days: int, filings: int) -> None:
    """More of everything the account page shows: daily figures, filings, operators, events."""
    today = timezone.localdate()
    services.metrics_record(
        actor=actor,
        rows=[
            {
                "media_account": account,
                "date": today - datetime.timedelta(days=n),
                "followers": 1000 + n,
                "posts": n % 3,
            }
            for n in range(days)
        ],
    )
    for n in range(filings):
        change = next(_changes)
        operators = [
            {"name": f"运维{change}-{i}", "phone": "139000000", "employment": "staff"} for i in range(n + 1)
        ]
        filing = services.filing_submit_change(
            actor=actor, media_account=account, changes={"operators": operators}
        )
        services.filing_approve(actor=actor, filing=filing)
        services.media_accounts_reconfirm(actor=actor, media_accounts=[account])


def test_it_reads_every_page_in_the_same_number_of_queries_for_10_and_200_accounts(
    client_for,
    office_admin,
    admin_a,
    file_account,
    government,
    department_a,
    sub_unit_a,
    department_b,
    django_assert_max_num_queries,
):
    # Both personas read the same two districts: the office every unit's rows, unit A its own.
    clients = {"office_admin": client_for(office_admin), "admin_a": client_for(admin_a)}
    units = [government, department_a, sub_unit_a, department_b]
    account = file_account(department_a)
    import_accounts(office_admin, units, 9)
    grow_the_account(office_admin, account, days=3, filings=1)
    pages = {
        "home": "/",
        "departments": "/departments/",
        "department": f"/departments/{department_a.pk}/",
        "list": "/media-accounts/",
        "list, filtered and sorted": "/media-accounts/?platform=wechat_official&q=账号&ordering=-followers",
        "detail": f"/media-accounts/{account.pk}/",
        "matrix": "/matrix/",
        "matrix with closed": "/matrix/?closed=1",
        "matrix opened at a unit": f"/matrix/units/{department_a.pk}/",
    }
    few = {}
    for persona, client in clients.items():
        for name, url in pages.items():
            with django_assert_max_num_queries(50) as captured:
                assert client.get(url).status_code == 200, (persona, name)
            few[persona, name] = len(captured.captured_queries)

    import_accounts(office_admin, units, 190, start=9)
    for _ in range(5):
        services.department_create(
            actor=None, name=f"区教育局第{_}科", code=f"edu-{_}", kind="other", parent=department_a
        )
    grow_the_account(office_admin, account, days=90, filings=4)
    for persona, client in clients.items():
        for name, url in pages.items():
            with django_assert_max_num_queries(few[persona, name], info=f"{persona}: {name}"):
                assert client.get(url).status_code == 200
