"""Daily figures over REST: checked whole, written whole or not at all, upserted by account and day."""

import datetime
import hashlib
import json

import pytest
from django.utils import timezone

from registry.models import AccountMetric
from tests.permission_matrix import check_matrix

API = "/api/v1/metrics/"


def day(n: int) -> str:
    """``n`` days ago, as the API writes dates."""
    return (timezone.localdate() - datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def account_a(file_account, department_a):
    return file_account(department_a, name="教育发布")


@pytest.fixture
def account_b(file_account, department_b):
    return file_account(department_b, name="健康发布")


def post(client, body):
    return client.post(API, json.dumps(body), content_type="application/json")


# Writing ---------------------------------------------------------------------------------------


def test_it_records_a_list_and_the_account_follows_its_newest_day(api_for, admin_a, account_a):
    response = post(
        api_for(admin_a),
        [
            {"media_account": account_a.pk, "date": day(3), "followers": 90, "posts": 2, "reads": 40},
            {"media_account": account_a.pk, "date": day(2), "followers": 95, "posts": 0},
        ],
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"rows": 2, "media_accounts": 1, "created": 2, "replaced": 0}
    account_a.refresh_from_db()
    assert account_a.followers == 95
    assert account_a.last_post_on.isoformat() == day(3)


def test_it_replaces_a_day_sent_again(api_for, admin_a, account_a):
    client = api_for(admin_a)
    post(client, {"media_account": account_a.pk, "date": day(1), "followers": 100, "posts": 3, "likes": 7})
    response = post(client, {"media_account": account_a.pk, "date": day(1), "followers": 120, "posts": 1})
    assert response.status_code == 201
    assert response.json() == {"rows": 1, "media_accounts": 1, "created": 0, "replaced": 1}
    metric = AccountMetric.objects.get(media_account=account_a)
    assert (metric.followers, metric.posts, metric.likes) == (120, 1, 0)
    account_a.refresh_from_db()
    assert account_a.followers == 120


def test_it_names_every_bad_row_by_index_and_field_and_writes_nothing(api_for, admin_a, account_a):
    response = post(
        api_for(admin_a),
        [
            {"media_account": account_a.pk, "date": day(2), "followers": 10},
            {"media_account": account_a.pk, "date": day(-1), "posts": -1},
            {"media_account": account_a.pk, "date": "2026/01/01", "reads": "many"},
            {"media_account": "教育发布", "date": day(4), "likes": 1.5, "follower": 3},
            {"date": day(5)},
            {"media_account": account_a.pk, "date": day(2), "followers": 11},
        ],
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {
        "rows[1].date",
        "rows[1].posts",
        "rows[2].date",
        "rows[2].reads",
        "rows[3].media_account",
        "rows[3].likes",
        "rows[3].follower",
        "rows[4].media_account",
        "rows[5].date",
    }
    assert fields["rows[1].date"] == ["日期不能晚于今天。"]
    assert fields["rows[5].date"] == ["与rows[0]的账号和日期重复。"]
    assert not AccountMetric.objects.exists()


def test_it_names_the_fields_of_a_single_row_plainly(api_for, admin_a, account_a):
    response = post(api_for(admin_a), {"media_account": account_a.pk, "date": "yesterday"})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"date"}


def test_it_refuses_a_figure_too_large_to_store(api_for, admin_a, account_a):
    response = post(api_for(admin_a), {"media_account": account_a.pk, "date": day(1), "followers": 2**31})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"followers"}


def test_it_names_a_figure_beyond_64_bits_like_any_too_large(api_for, admin_a, account_a):
    # orjson refuses such a number; the body is then read by the standard decoder, which does not.
    response = post(api_for(admin_a), {"media_account": account_a.pk, "date": day(1), "followers": 2**70})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"followers"}


def test_it_refuses_more_than_ten_thousand_rows(api_for, admin_a, account_a):
    rows = [{"media_account": account_a.pk, "date": day(1)}] * 10_001
    response = post(api_for(admin_a), rows)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["rows"]
    assert not AccountMetric.objects.exists()


def test_it_refuses_a_body_far_larger_than_ten_thousand_rows(api_for, admin_a, account_a):
    from registry.api.metrics import MAX_BODY_BYTES

    body = json.dumps([{"media_account": account_a.pk, "date": day(1)}]) + " " * MAX_BODY_BYTES
    response = api_for(admin_a).post(API, body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["rows"]


@pytest.mark.parametrize("body", [[], "rows", 7])
def test_it_refuses_a_body_that_is_not_rows(api_for, admin_a, body):
    assert post(api_for(admin_a), body).status_code == 400


def test_it_answers_an_out_of_scope_account_like_an_unknown_one(api_for, admin_a, account_a, account_b):
    response = post(
        api_for(admin_a),
        [
            {"media_account": account_b.pk, "date": day(1)},
            {"media_account": 999_999, "date": day(1)},
            {"media_account": account_a.pk, "date": day(1)},
        ],
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert set(fields) == {"rows[0].media_account", "rows[1].media_account"}
    assert fields["rows[0].media_account"] == fields["rows[1].media_account"]
    assert not AccountMetric.objects.exists()


@pytest.mark.parametrize("account", [2**63, -1, 0])
def test_it_answers_an_id_no_database_can_hold_like_an_unknown_one(api_for, admin_a, account):
    response = post(api_for(admin_a), {"media_account": account, "date": day(1)})
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"media_account"}


def test_it_tells_every_problem_of_a_row_at_once(api_for, admin_a, account_b):
    response = post(api_for(admin_a), [{"media_account": account_b.pk, "date": day(1), "posts": -3}])
    assert set(response.json()["fields"]) == {"rows[0].media_account", "rows[0].posts"}


def test_it_lets_a_unit_enter_figures_for_the_units_below_it(api_for, admin_a, sub_unit_a, file_account):
    account = file_account(sub_unit_a)
    assert post(api_for(admin_a), {"media_account": account.pk, "date": day(1)}).status_code == 201


# The trail: one event per upload (issue 13) ---------------------------------------------------


def canonical_digest(rows) -> str:
    """docs/design.md §4.4: SHA-256 of the rows sorted by account and date, one line each of the
    account id, the date and the nine figures in AccountMetric.FIGURES' order, tab-separated."""
    lines = sorted(
        (row["media_account"], row["date"], *(row.get(name, 0) for name in AccountMetric.FIGURES))
        for row in rows
    )
    text = "".join("\t".join(str(value) for value in line) + "\n" for line in lines)
    return hashlib.sha256(text.encode()).hexdigest()


def uploads():
    from audits.trail.models import AuditEvent

    return AuditEvent.objects.filter(action="registry.metrics.recorded").order_by("pk")


def test_it_records_one_event_per_upload_with_the_digest_of_its_rows(
    api_for, office_admin, account_a, account_b
):
    rows = [
        {"media_account": account.pk, "date": day(n), "followers": 100 + n, "posts": n, "reads": 7 * n}
        for account in (account_b, account_a)
        for n in (2, 1, 3)
    ]
    assert post(api_for(office_admin), rows).status_code == 201
    event = uploads().get()
    assert (event.actor, event.object_type, event.object_id) == (office_admin, "registry.accountmetric", "")
    assert event.changes["after"] == {
        "rows": 6,
        "media_accounts": sorted([account_a.pk, account_b.pk]),
        "from": day(3),
        "to": day(1),
        "digest": canonical_digest(rows),
    }


def test_the_digest_changes_with_any_value_and_not_with_the_rows_order(api_for, admin_a, account_a):
    client = api_for(admin_a)
    rows = [{"media_account": account_a.pk, "date": day(n), "followers": 50, "posts": 1} for n in (1, 2)]
    post(client, rows)
    post(client, rows[::-1])
    post(client, [rows[0], {**rows[1], "messages_overdue": 1}])
    post(client, [rows[0], {**rows[1], "date": day(3)}])
    first, reordered, changed_figure, changed_day = (event.changes["after"]["digest"] for event in uploads())
    assert first == reordered == canonical_digest(rows)
    assert len({first, changed_figure, changed_day}) == 3


def test_the_upload_event_is_seen_by_those_who_see_all_its_accounts(
    api_for, office_admin, admin_a, admin_b, department_a, sub_unit_a, account_a, account_b, file_account
):
    below_a = file_account(sub_unit_a)
    post(
        api_for(admin_a), [{"media_account": account.pk, "date": day(1)} for account in (account_a, below_a)]
    )
    post(api_for(admin_a), {"media_account": below_a.pk, "date": day(2)})
    post(
        api_for(office_admin),
        [{"media_account": account.pk, "date": day(3)} for account in (account_a, account_b)],
    )
    assert [event.department_id for event in uploads()] == [department_a.pk, sub_unit_a.pk, None]
    seen = api_for(admin_b).get("/api/v1/events/", {"action": "registry.metrics.recorded"}).json()
    assert seen["count"] == 0


def test_an_upload_that_overwrites_days_updates_them_and_when_they_arrived(api_for, admin_a, account_a):
    client = api_for(admin_a)
    post(
        client, [{"media_account": account_a.pk, "date": day(n), "posts": 1, "reads": 10} for n in (1, 2, 3)]
    )
    first = dict(AccountMetric.objects.values_list("date", "recorded_at"))
    response = post(
        client,
        [
            {"media_account": account_a.pk, "date": day(2), "posts": 4, "reads": 40},
            {"media_account": account_a.pk, "date": day(1), "posts": 5},
            {"media_account": account_a.pk, "date": day(4), "posts": 6},
            # Sent again unchanged: the day keeps the arrival of its figures.
            {"media_account": account_a.pk, "date": day(3), "posts": 1, "reads": 10},
        ],
    )
    assert response.json() == {"rows": 4, "media_accounts": 1, "created": 1, "replaced": 3}
    assert uploads().last().changes["after"]["rows"] == 4
    figures = {
        metric.date.isoformat(): (metric.posts, metric.reads, metric.recorded_at)
        for metric in AccountMetric.objects.all()
    }
    second = figures[day(4)][2]
    assert second > first[datetime.date.fromisoformat(day(3))]
    assert figures == {
        day(1): (5, 0, second),
        day(2): (4, 40, second),
        day(3): (1, 10, first[datetime.date.fromisoformat(day(3))]),
        day(4): (6, 0, second),
    }


def test_the_service_takes_checked_rows_only_for_the_user_they_were_checked_for(admin_a, admin_b, account_a):
    """The endpoint checks the rows once and hands them over; rows checked for someone else, or
    with problems, are refused before anything is written."""
    from registry import services
    from registry.metrics import check_metric_rows

    checked = check_metric_rows(admin_a, enumerate([{"media_account": account_a.pk, "date": day(1)}]))
    with pytest.raises(ValueError):
        services.metrics_record(actor=admin_b, rows=checked)
    bad = check_metric_rows(admin_a, enumerate([{"media_account": account_a.pk, "date": "tomorrow"}]))
    assert bad.errors
    with pytest.raises(ValueError):
        services.metrics_record(actor=admin_a, rows=bad)
    assert not AccountMetric.objects.exists()
    recorded = services.metrics_record(actor=admin_a, rows=checked)
    assert (recorded.rows, recorded.created, recorded.replaced) == (1, 1, 0)
    assert AccountMetric.objects.get().media_account == account_a


def test_the_garbage_collector_runs_again_after_an_upload_good_or_bad(api_for, admin_a, account_a):
    import gc

    client = api_for(admin_a)
    assert post(client, {"media_account": account_a.pk, "date": day(1)}).status_code == 201
    assert gc.isenabled()
    assert post(client, {"media_account": account_a.pk, "date": "soon"}).status_code == 400
    assert gc.isenabled()


# Reading ---------------------------------------------------------------------------------------


@pytest.fixture
def figures(office_admin, account_a, account_b):
    from registry import services

    services.metrics_record(
        actor=office_admin,
        rows=[
            {"media_account": account.pk, "date": datetime.date.fromisoformat(day(n)), "posts": n}
            for account in (account_a, account_b)
            for n in range(1, 6)
        ],
    )


def test_it_lists_the_newest_day_first_in_a_stable_order(api_for, office_admin, figures, account_a):
    results = api_for(office_admin).get(API).json()["results"]
    assert [(row["date"], row["media_account"]) for row in results] == sorted(
        ((row["date"], row["media_account"]) for row in results),
        key=lambda key: (-int(key[0].replace("-", "")), key[1]),
    )
    assert results[0]["date"] == day(1)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (lambda a: {"media_account": a.pk}, 5),
        (lambda a: {"date": day(2)}, 2),
        (lambda a: {"date_after": day(3)}, 6),
        (lambda a: {"date_before": day(4)}, 4),
        (lambda a: {"media_account": a.pk, "date_after": day(4), "date_before": day(2)}, 3),
        (lambda a: {"department": a.department_id}, 5),
    ],
)
def test_it_filters_the_list(api_for, office_admin, figures, account_a, query, expected):
    response = api_for(office_admin).get(API, query(account_a))
    assert response.status_code == 200
    assert response.json()["count"] == expected


def test_it_lists_a_unit_only_its_own_figures(api_for, admin_a, figures, account_a, account_b):
    client = api_for(admin_a)
    assert {row["media_account"] for row in client.get(API).json()["results"]} == {account_a.pk}
    assert client.get(API, {"media_account": account_b.pk}).status_code == 400


# Who may do what -------------------------------------------------------------------------------


def test_it_lets_the_office_and_the_unit_write_and_auditors_only_read(
    client_for, personas, account_a, account_b
):
    used = iter(range(1, 100))
    check_matrix(
        client_for,
        personas,
        "post",
        API,
        data=lambda name: {"media_account": account_a.pk, "date": day(next(used))},
        office=201,
        auditor=403,
        admin_a=201,
        admin_b=400,
        admin_gov=400,
        anonymous=401,
    )
    check_matrix(
        client_for,
        personas,
        "get",
        API,
        office=200,
        auditor=200,
        admin_a=200,
        admin_b=200,
        admin_gov=200,
        anonymous=401,
    )


# Queries ---------------------------------------------------------------------------------------


def test_it_posts_2000_rows_in_as_many_statements_as_200(
    client_for, office_admin, department_a, file_account, django_assert_max_num_queries
):
    """The rows go in by COPY and one upsert (PostgreSQL) or one prepared upsert run for every row
    (SQLite): no statement per row or per batch, on either engine."""
    accounts = [file_account(department_a) for _ in range(10)]
    client = client_for(office_admin)

    def statements(rows) -> int:
        with django_assert_max_num_queries(30) as captured:
            response = post(client, rows)
        assert response.status_code == 201, response.json()
        return len(captured)

    few = [
        {"media_account": account.pk, "date": day(n), "posts": 1}
        for account in accounts[:2]
        for n in range(1, 101)
    ]
    many = [
        {"media_account": account.pk, "date": day(n), "posts": 2}
        for account in accounts
        for n in range(1, 201)
    ]
    assert statements(few) == statements(many)
    assert AccountMetric.objects.count() == 2000
    assert AccountMetric.objects.filter(posts=2).count() == 2000


def test_it_lists_200_rows_in_as_many_queries_as_10(
    client_for,
    office_admin,
    admin_a,
    department_a,
    file_account,
    django_assert_max_num_queries,
    django_assert_num_queries,
):
    from registry import services

    account = file_account(department_a)

    def grow(start, count):
        services.metrics_record(
            actor=None,
            rows=[
                {"media_account": account.pk, "date": datetime.date.fromisoformat(day(n))}
                for n in range(start, start + count)
            ],
        )

    for persona in (office_admin, admin_a):
        AccountMetric.objects.all().delete()
        client = client_for(persona)
        grow(1, 10)
        with django_assert_max_num_queries(10) as captured:
            assert client.get(API, {"page_size": 500}).json()["count"] == 10
        grow(11, 190)
        with django_assert_num_queries(len(captured)):
            assert client.get(API, {"page_size": 500}).json()["count"] == 200


def test_it_accepts_a_body_larger_than_djangos_form_limit(api_for, admin_a, account_a, settings):
    # Ten thousand rows of large figures run past DATA_UPLOAD_MAX_MEMORY_SIZE (meant for forms);
    # the endpoint has its own limit, MAX_BODY_BYTES.
    padding = " " * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = json.dumps([{"media_account": account_a.pk, "date": day(1), "posts": 1}]) + padding
    response = api_for(admin_a).post(API, body, content_type="application/json")
    assert response.status_code == 201, response.content[:300]
    assert AccountMetric.objects.get().posts == 1
