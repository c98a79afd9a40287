"""The daily figures by month on PostgreSQL (registry.partitions, docs/operations.md "Figures by
month"): one partition a month, the coming months added by the monthly job, old months archived
to a file and dropped; SQLite keeps one plain table."""

import csv
import datetime
import gzip
import io
import re
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from audits.trail.models import AuditEvent
from registry import partitions, services
from registry.models import AccountMetric
from registry.tasks import add_metric_months
from tests.database_roles import as_database_owner

pytestmark = pytest.mark.django_db


def postgresql_only(test):
    skip = pytest.mark.skipif(connection.vendor != "postgresql", reason="partitions exist on PostgreSQL only")
    return pytest.mark.postgres(skip(test))


TODAY = timezone.localdate()
THIS_MONTH = partitions.month_start(TODAY)
PARTITION = re.compile(r"\bregistry_accountmetric_(\d{4}_\d{2}|default)\b")


def name(month: datetime.date) -> str:
    return f"registry_accountmetric_{month:%Y_%m}"


def where(account) -> dict[datetime.date, str]:
    """The partition holding each of the account's days."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT date, tableoid::regclass::text FROM registry_accountmetric WHERE media_account_id = %s",
            [account.pk],
        )
        return dict(cursor.fetchall())


def record(account, *days, **figures):
    services.metrics_record(
        actor=None, rows=[{"media_account": account.pk, "date": day, **figures} for day in days]
    )


def scanned(queryset) -> set[str]:
    return {f"registry_accountmetric_{match}" for match in PARTITION.findall(queryset.explain())}


def months(first: datetime.date, last: datetime.date) -> set[str]:
    found, month = set(), partitions.month_start(first)
    while month <= last:
        found.add(name(month))
        month = partitions.month_start(month, 1)
    return found


@pytest.fixture
def account(file_account, department_a):
    return file_account(department_a)


@postgresql_only
def test_the_figures_table_is_partitioned_by_month_with_the_coming_months_ready():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT partstrat, pg_get_partkeydef(partrelid) FROM pg_partitioned_table "
            "WHERE partrelid = 'registry_accountmetric'::regclass"
        )
        assert cursor.fetchone() == ("r", "RANGE (date)")
    found = partitions.partitions()
    assert found[-1].name == "registry_accountmetric_default" and found[-1].first is None
    coming = [partitions.month_start(TODAY, n) for n in range(partitions.MONTHS_AHEAD + 1)]
    assert {partition.first for partition in found} >= set(coming)
    for partition in found[:-1]:
        assert partition.name == name(partition.first)
        assert partition.end == partitions.month_start(partition.first, 1)


@postgresql_only
def test_each_day_lands_in_its_months_partition_and_resending_a_day_replaces_it(account):
    last_month = partitions.month_start(TODAY, -1)
    partitions.months_create(since=last_month)
    record(account, last_month, TODAY, followers=10)
    record(account, TODAY, followers=12)  # ON CONFLICT (media_account_id, date) on the parent
    assert where(account) == {last_month: name(last_month), TODAY: name(THIS_MONTH)}
    assert AccountMetric.objects.get(media_account=account, date=TODAY).followers == 12


@postgresql_only
def test_adding_a_month_moves_its_days_out_of_the_default_partition_and_twice_adds_nothing(account):
    long_ago = partitions.month_start(TODAY, -14)  # before any month the migration made
    record(account, long_ago, long_ago + datetime.timedelta(days=3))
    assert set(where(account).values()) == {"registry_accountmetric_default"}

    added = partitions.months_create(since=long_ago)
    assert added[0].name == name(long_ago)
    assert set(where(account).values()) == {name(long_ago)}
    before = partitions.partitions()
    assert partitions.months_create(since=long_ago) == []
    assert partitions.partitions() == before
    assert add_metric_months() == 0  # the monthly job: nothing missing


@postgresql_only
def test_a_30_day_window_reads_only_its_months_partitions(account, file_account, department_a):
    first = TODAY - datetime.timedelta(days=29)
    partitions.months_create(since=first)
    record(account, first, TODAY)
    window = AccountMetric.objects.filter(date__gte=first, date__lte=TODAY)
    one_account = window.filter(media_account=account).order_by("date")
    every_account = window.values("media_account").annotate(reads=Sum("reads"))
    assert scanned(one_account) == months(first, TODAY)
    assert scanned(every_account) == months(first, TODAY)
    with transaction.atomic(), connection.cursor() as cursor:
        # However small the test's tables: the (media_account, date) key reads one account's
        # window in date order, partition after partition, with nothing left to sort.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        assert "Sort" not in one_account.explain()


def archive_fixture(account, month):
    partitions.months_create(since=month)
    days = [month, month + datetime.timedelta(days=9)]
    record(account, *days, followers=7, reads=300)
    record(account, TODAY, followers=8)
    return next(partition for partition in partitions.partitions() if partition.first == month)


@postgresql_only
def test_archiving_a_month_writes_its_rows_to_a_file_drops_them_and_records_it(account, tmp_path):
    month = partitions.month_start(TODAY, -2)
    partition = archive_fixture(account, month)
    kept = AccountMetric.objects.get(date=TODAY)
    trail = AuditEvent.objects.count()

    with as_database_owner():  # dropping a table is its owner's (docs/operations.md)
        path = partitions.month_archive(partition, archive_dir=tmp_path)

    assert path == tmp_path / f"{name(month)}.csv.gz"
    with gzip.open(path, "rt", newline="") as archive:
        rows = list(csv.DictReader(archive))
    assert [(row["media_account_id"], row["date"], row["reads"]) for row in rows] == [
        (str(account.pk), str(month), "300"),
        (str(account.pk), str(month + datetime.timedelta(days=9)), "300"),
    ]
    assert list(AccountMetric.objects.values_list("pk", flat=True)) == [kept.pk]
    assert month not in {partition.first for partition in partitions.partitions()}
    event = AuditEvent.objects.get(action="registry.metrics.archived")
    assert AuditEvent.objects.count() == trail + 1
    assert event.changes == {"after": {"month": f"{month:%Y-%m}", "rows": 2, "file": str(path)}}


@postgresql_only
def test_it_refuses_to_archive_a_month_not_over_or_not_whole_or_a_file_it_cannot_write(account, tmp_path):
    month = partitions.month_start(TODAY, -2)
    old = archive_fixture(account, month)
    current = next(partition for partition in partitions.partitions() if partition.first == THIS_MONTH)
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / f"{old.name}.csv.gz").write_bytes(b"an earlier archive")
    refusals = [
        (current, tmp_path, "not over yet"),
        (old, tmp_path / "missing", "not a folder"),
        (old, tmp_path / "taken", "exists already"),
    ]
    with as_database_owner():
        for partition, folder, reason in refusals:
            with pytest.raises(partitions.PartitionRefused, match=reason):
                partitions.month_archive(partition, archive_dir=folder)
    assert list(tmp_path.glob("*.gz")) == []
    assert AccountMetric.objects.count() == 3
    assert not AuditEvent.objects.filter(action="registry.metrics.archived").exists()


@postgresql_only
def test_the_applications_role_may_add_months_but_not_drop_or_archive_one(account, tmp_path):
    month = partitions.month_start(TODAY, -2)
    archive_fixture(account, month)
    role = f"registry_app_probe_{uuid.uuid4().hex[:8]}"  # rolled back with the test's transaction
    quoted = connection.ops.quote_name(role)
    with as_database_owner(), connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {quoted} NOLOGIN")
        call_command("grant_app_role", role)
        cursor.execute(f"SET ROLE {quoted}")
        try:
            added = partitions.months_create(ahead=partitions.MONTHS_AHEAD + 2)
            assert [partition.first for partition in added][-1] == partitions.month_start(TODAY, 5)
            with pytest.raises(DatabaseError, match="must be owner"), transaction.atomic():
                cursor.execute(f'DROP TABLE "{added[-1].name}"')
            with pytest.raises(CommandError, match="run this as the database's owner"):
                call_command(
                    "metric_partitions",
                    detach_before=f"{TODAY:%Y-%m}",
                    archive_dir=tmp_path,
                    stdout=io.StringIO(),
                )
        finally:
            cursor.execute("RESET ROLE")
    assert list(tmp_path.iterdir()) == [] and AccountMetric.objects.count() == 3


@postgresql_only
def test_the_command_adds_the_coming_months_and_archives_the_old_ones(account, tmp_path):
    month = partitions.month_start(TODAY, -2)
    archive_fixture(account, month)
    out = io.StringIO()
    with as_database_owner():
        call_command("metric_partitions", ahead=6, stdout=out)
        assert f"Added {name(partitions.month_start(TODAY, 6))}" in out.getvalue()
        call_command(
            "metric_partitions", detach_before=f"{month:%Y-%m}", archive_dir=tmp_path, stdout=out
        )  # nothing before the oldest month
        call_command(
            "metric_partitions",
            detach_before=f"{partitions.month_start(month, 1):%Y-%m}",
            archive_dir=tmp_path,
            stdout=out,
        )
    assert f"Archived {month:%Y-%m} to {tmp_path / name(month)}.csv.gz" in out.getvalue()
    assert AccountMetric.objects.count() == 1


@postgresql_only
def test_the_applications_connections_run_without_jit():
    # docs/operations.md: JIT compiled the ranking query on every call (1.3 s against 13 ms).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


@pytest.mark.skipif(connection.vendor == "postgresql", reason="about the embedded SQLite set-up")
def test_on_sqlite_the_command_says_partitions_are_postgresqls_and_changes_nothing(account, tmp_path):
    record(account, TODAY)
    out = io.StringIO()
    call_command("metric_partitions", detach_before="2020-01", archive_dir=tmp_path, stdout=out)
    assert "partitioned on PostgreSQL only" in out.getvalue()
    assert AccountMetric.objects.count() == 1 and list(tmp_path.iterdir()) == []
    assert add_metric_months() == 0
