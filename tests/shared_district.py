"""The district's units and personas built once for a whole module, as Django's
``TestCase.setUpTestData`` builds a class's data: for a module whose many tests read one district
and write little, each test rolling back what it writes (``module_db`` in tests/conftest.py).

A module (or a directory's conftest) takes them with ``from tests.shared_district import *``; they
replace the fixtures of tests/conftest.py that build the same units and personas for every test.
Each test gets copies of its own of the objects, so what one test changes in memory the next does
not see. The district is built for every test of the module (autouse), and so is what a module
builds on it once: every test finds the same rows, whatever ran before it on its worker.
"""

import copy

import pytest

from tests.conftest import (
    make_admin_a,
    make_admin_b,
    make_department_a,
    make_department_b,
    make_government,
    make_office_admin,
    make_sub_unit_a,
)

__all__ = [
    "shared_district",
    "government",
    "department_a",
    "sub_unit_a",
    "department_b",
    "office_admin",
    "admin_a",
    "admin_b",
]


@pytest.fixture(scope="module", autouse=True)
def shared_district(module_db, django_db_blocker):
    with django_db_blocker.unblock():
        government = make_government()
        department_a = make_department_a()
        sub_unit_a = make_sub_unit_a(department_a)
        department_b = make_department_b()
        return {
            "government": government,
            "department_a": department_a,
            "sub_unit_a": sub_unit_a,
            "department_b": department_b,
            "office_admin": make_office_admin(),
            "admin_a": make_admin_a(department_a),
            "admin_b": make_admin_b(department_b),
        }


def _shared(name):
    @pytest.fixture(name=name)
    def fixture(shared_district, db):
        return copy.deepcopy(shared_district[name])

    fixture.__doc__ = f"The module's shared ``{name}``."
    return fixture


government = _shared("government")
department_a = _shared("department_a")
sub_unit_a = _shared("sub_unit_a")
department_b = _shared("department_b")
office_admin = _shared("office_admin")
admin_a = _shared("admin_a")
admin_b = _shared("admin_b")
