"""Personas and small builders shared by every test (DESIGN.md §6 roles).

The district: the government (with a sub-unit of its own) and two departments beside it, A (with
a sub-unit) and B. The departments are not below the government: the office, not the government,
oversees their accounts, and the government's administrator acts for its own unit only.
"""

import itertools

import pytest
from django.test import Client

from accounts import services as user_services
from accounts.choices import Role
from registry import services
from registry.choices import DepartmentKind, Platform

PASSWORD = "Correct-Horse-42"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs a fifth of a second a user, and every test makes several personas.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


_uids = itertools.count(1)


@pytest.fixture
def government(db):
    return services.department_create(
        actor=None, name="新城区人民政府", code="gov", kind=DepartmentKind.DISTRICT_GOVERNMENT
    )


@pytest.fixture
def government_sub_unit(government):
    return services.department_create(
        actor=None, name="区政府发展研究中心", code="gov-yjzx", kind=DepartmentKind.OTHER, parent=government
    )


@pytest.fixture
def department_a(government):
    return services.department_create(
        actor=None, name="区教育局", code="edu", kind=DepartmentKind.DISTRICT_DEPARTMENT
    )


@pytest.fixture
def sub_unit_a(department_a):
    return services.department_create(
        actor=None, name="区教育局招生办", code="edu-zsb", kind=DepartmentKind.OTHER, parent=department_a
    )


@pytest.fixture
def department_b(government):
    return services.department_create(
        actor=None,
        name="区卫生健康委",
        code="health",
        kind=DepartmentKind.DISTRICT_DEPARTMENT,
    )


def _user(username, role, department=None):
    return user_services.user_create(
        actor=None, username=username, password=PASSWORD, role=role, department=department, validate=False
    )


@pytest.fixture
def office_admin(db):
    return _user("office", Role.OFFICE_ADMIN)


@pytest.fixture
def auditor(db):
    return _user("auditor", Role.AUDITOR)


@pytest.fixture
def admin_a(department_a):
    return _user("dept-edu", Role.DEPT_ADMIN, department_a)


@pytest.fixture
def admin_b(department_b):
    return _user("dept-health", Role.DEPT_ADMIN, department_b)


@pytest.fixture
def admin_gov(government):
    return _user("dept-gov", Role.DEPT_ADMIN, government)


@pytest.fixture
def client_for():
    """A logged-in browser client for a persona; ``None`` gives the anonymous one."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def file_account(office_admin):
    """File (and by default approve) an account for a department, as the office would see it."""

    def make(department, *, name=None, platform=Platform.WECHAT_OFFICIAL, approve=True, actor=None, **fields):
        number = next(_uids)
        if services.same_platform_accounts(department, platform).exists():
            fields.setdefault("duplicate_reason", "业务不同，需分设")
        filing = services.filing_submit_open(
            actor=actor,
            department=department,
            name=name or f"测试账号{number}",
            platform=platform,
            platform_uid=f"uid-{number}",
            reason="工作需要",
            **fields,
        )
        if approve:
            services.filing_approve(actor=office_admin, filing=filing)
        filing.media_account.refresh_from_db()
        return filing.media_account

    return make


@pytest.fixture
def personas(office_admin, auditor, admin_a, admin_b, admin_gov):
    """Every persona of the permission matrix, by the name the expectations use. ``admin_gov``
    is the district government's administrator: to the departments' things, an outsider."""
    return {
        "office": office_admin,
        "auditor": auditor,
        "admin_a": admin_a,
        "admin_b": admin_b,
        "admin_gov": admin_gov,
        "anonymous": None,
    }
