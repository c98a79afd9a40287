"""Data migrations: what an existing database looks like after them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Migrations are the database owner's (tests/database_roles.py).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("database_owner")]

BEFORE_ORDER = ("registry", "0003_media_account_activated_on")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


def test_it_gives_existing_units_the_official_order_government_first():
    old = migrate([BEFORE_ORDER])
    Department = old.get_model("registry", "Department")

    def unit(code, kind, parent=None):
        return Department.objects.create(name=code, code=code, kind=kind, parent=parent).pk

    # Registered in no particular order, under the old tree (everything below the government).
    unit("other", "other")
    unit("agri", "district_department")
    government = Department.objects.get(pk=unit("gov", "district_government"))
    unit("donghu", "township", government)
    edu = Department.objects.get(pk=unit("edu", "district_department", government))
    unit("edu-exam", "other", edu)
    unit("audit", "district_department", government)

    latest = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    units = latest.get_model("registry", "Department").objects.order_by("order_key")
    assert [(unit.code, unit.sort_order) for unit in units] == [
        ("gov", 1),
        ("edu", 1),  # the government's departments, in the order they were registered
        ("edu-exam", 1),
        ("audit", 2),
        ("donghu", 1),
        ("agri", 1),  # a department on its own level
        ("other", 1),
    ]


def test_it_seeds_each_years_filing_counter_from_the_highest_number_given():
    old = migrate([("registry", "0005_import_job")])
    Department = old.get_model("registry", "Department")
    MediaAccount = old.get_model("registry", "MediaAccount")
    unit = Department.objects.create(
        name="edu", code="edu", kind="district_department", sort_order=1, order_key="1000001"
    )
    numbers = ["XC-2025-0007", "XC-2026-0002", "XC-2026-9999", "XC-2026-10000", "YY-2026-50000", "XC-2026-x"]
    for index, number in enumerate(numbers):
        MediaAccount.objects.create(
            department=unit,
            name=number,
            platform="weibo",
            platform_uid=f"u{index}",
            status="active",
            filing_number=number,
        )

    latest = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    sequences = latest.get_model("registry", "FilingSequence").objects.order_by("year")
    # -10000 follows -9999 (text order puts -9999 last); another prefix's numbers are not this site's.
    assert [(sequence.year, sequence.last_number) for sequence in sequences] == [(2025, 7), (2026, 10000)]
