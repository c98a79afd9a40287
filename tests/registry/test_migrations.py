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
