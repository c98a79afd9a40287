"""Personas and small builders shared by every test (docs/design.md §6).

The district: the government (with a sub-unit of its own) and two departments beside it, A (with
a sub-unit) and B. The departments are not below the government: the office, not the government,
oversees their accounts, and the government's administrator acts for its own unit only.
"""

import contextlib
import datetime
import itertools

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client, override_settings
from django.utils import translation

from accounts import services as user_services
from accounts.choices import Role
from registry import services
from registry.choices import DepartmentKind, Platform
from tests import database_roles

PASSWORD = "Correct-Horse-42"

# When the accounts of tests about running accounts went live: long enough ago that a new account's
# grace under the inspection rules is over, and that they were live in every week the tests rank.
LIVE_SINCE = datetime.date(2024, 1, 1)


def established(file_account):
    """``file_account`` for accounts that have run since ``LIVE_SINCE``, unless told otherwise: the
    ordinary case of the inspection rules, the recommendations and the ranking. A test module about
    them overrides the fixture with it::

        @pytest.fixture
        def file_account(file_account):
            return established(file_account)
    """

    def make(department, **fields):
        fields.setdefault("activated_on", LIVE_SINCE)
        return file_account(department, **fields)

    return make


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(items):
    # One production-like site (tests/production.py) per run, not one per xdist worker: its start (a
    # database migrated, static files collected, gunicorn's workers and Celery workers booted) costs
    # more than most modules. With `--dist loadgroup` (the Makefile's) its tests go to one worker. The
    # marker lets CI run them where production's engines are (.ci/run).
    for item in items:
        if {"production_site", "two_machines"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.production_site)
            item.add_marker(pytest.mark.xdist_group("production_site"))


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database, created and migrated by its owner; on CI the tests then run as the
    application's restricted role (``tests/database_roles.py``)."""
    if not database_roles.restricting():
        yield
        return
    with django_db_blocker.unblock():
        database_roles.grant_the_app_role()
    database_roles.act_as_the_app_role()
    yield
    database_roles.act_as_the_owner()  # who drops the test database


@pytest.fixture
def database_owner(transactional_db):
    """For a test that migrates: migrations are the owner's, as in production; the tables they
    create again get the application's rights afterwards."""
    with database_roles.as_database_owner():
        try:
            yield
        finally:
            # Whatever migration the test stopped at, the next test on this worker finds the schema
            # whole (in parallel runs, the next one is not the one that used to follow it).
            executor = MigrationExecutor(connection)
            executor.migrate(executor.loader.graph.leaf_nodes())
        if database_roles.restricting():
            database_roles.grant_the_app_role()


@pytest.fixture(autouse=True)
def site_language():
    """Every test starts in the site's language: a request leaves its user's language active in the
    thread (LocaleMiddleware never switches back), which would leak into the next test's services."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def fresh_throttles():
    # Rate-limit counts live in the shared cache (files or Redis), which outlives a test: each test
    # starts with none, as if it came from addresses the site had not seen.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    # Real hashing costs a fifth of a second a user, and every test makes several personas (the
    # whole session long, so that the personas a module builds once are made fast too).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """A transaction held open across a module, for what the module builds once and all its tests
    read, as Django's ``TestCase.setUpTestData`` does for a class: each test runs in a savepoint of
    it and rolls back to what was built; the module's end rolls the building back. Not for a module
    with ``transactional_db`` tests, which commit and flush the tables."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        # Like a test's own blocks, it never commits: the trail seals events recorded under it at once.
        atomic._from_testcase = True
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def audit_anchor_dir(settings, tmp_path):
    """The trail's anchors of this test alone: the development site's own (under var/) name events
    of another database."""
    settings.AUDIT_ANCHOR_DIR = tmp_path / "audit-anchors"
    return settings.AUDIT_ANCHOR_DIR


_uids = itertools.count(1)


# The district's units and personas, each made as its fixture below makes it; also for a module
# that builds them once (tests/shared_district.py).
def make_government():
    return services.department_create(
        actor=None, name="新城区人民政府", code="gov", kind=DepartmentKind.DISTRICT_GOVERNMENT
    )


def make_department_a():
    return services.department_create(
        actor=None, name="区教育局", code="edu", kind=DepartmentKind.DISTRICT_DEPARTMENT
    )


def make_sub_unit_a(department_a):
    return services.department_create(
        actor=None, name="区教育局招生办", code="edu-zsb", kind=DepartmentKind.OTHER, parent=department_a
    )


def make_department_b():
    return services.department_create(
        actor=None,
        name="区卫生健康委",
        code="health",
        kind=DepartmentKind.DISTRICT_DEPARTMENT,
    )


def make_user(username, role, department=None):
    return user_services.user_create(
        actor=None, username=username, password=PASSWORD, role=role, department=department, validate=False
    )


def make_office_admin():
    return make_user("office", Role.OFFICE_ADMIN)


def make_admin_a(department_a):
    return make_user("dept-edu", Role.DEPT_ADMIN, department_a)


def make_admin_b(department_b):
    return make_user("dept-health", Role.DEPT_ADMIN, department_b)


@pytest.fixture
def government(db):
    return make_government()


@pytest.fixture
def government_sub_unit(government):
    return services.department_create(
        actor=None, name="区政府发展研究中心", code="gov-yjzx", kind=DepartmentKind.OTHER, parent=government
    )


@pytest.fixture
def department_a(government):
    return make_department_a()


@pytest.fixture
def sub_unit_a(department_a):
    return make_sub_unit_a(department_a)


@pytest.fixture
def department_b(government):
    return make_department_b()


@pytest.fixture
def office_admin(db):
    return make_office_admin()


@pytest.fixture
def auditor(db):
    return make_user("auditor", Role.AUDITOR)


@pytest.fixture
def admin_a(department_a):
    return make_admin_a(department_a)


@pytest.fixture
def admin_b(department_b):
    return make_admin_b(department_b)


@pytest.fixture
def admin_gov(government):
    return make_user("dept-gov", Role.DEPT_ADMIN, government)


@pytest.fixture
def client_for():
    """A logged-in browser client for a persona; ``None`` gives the anonymous one."""

    def make(user=None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def account_filer(office_admin):
    """File (and by default approve) an account for a department, as the office would see it.

    Approved today, the account is new: the inspection rules give it its grace and the ranking
    counts it from this week. ``activated_on`` makes it one that went live on that day instead
    (the office's correction of the record).
    """

    def make(
        department,
        *,
        name=None,
        platform=Platform.WECHAT_OFFICIAL,
        approve=True,
        actor=None,
        activated_on=None,
        **fields,
    ):
        number = next(_uids)
        if services.same_platform_accounts(department, platform).exists():
            fields.setdefault("duplicate_reason", "业务不同，需分设")
        filing = services.filing_submit_open(
            actor=actor,
            department=department,
            name=name or f"测试账号{number}",
            platform=platform,
            # A process of its own (a site's shell) counts from 1 again: it names its own ids.
            platform_uid=fields.pop("platform_uid", f"uid-{number}"),
            reason="工作需要",
            **fields,
        )
        if approve:
            services.filing_approve(actor=office_admin, filing=filing)
            if activated_on is not None:
                services.media_account_update(
                    actor=office_admin, media_account=filing.media_account, activated_on=activated_on
                )
        filing.media_account.refresh_from_db()
        return filing.media_account

    return make


@pytest.fixture
def file_account(office_admin):
    """``make(department, ...)``: see ``account_filer``."""
    return account_filer(office_admin)


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """``upload(client, url, data)``: post a spreadsheet as the browser does and follow the answer
    to the upload's own page, the worker reading the file at once: the task runs inline when the
    upload's transaction commits, as a worker would run it. An answer that is no redirect to an
    upload's page (a form error, a 403) comes back as it is."""
    from config.celery import app

    def post(client, url, data):
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                response = client.post(url, data)
        finally:
            app.conf.task_always_eager = eager
        if response.status_code == 302 and response.url.startswith("/imports/"):
            return client.get(response.url)
        return response

    return post


@pytest.fixture
def inline_worker(django_capture_on_commit_callbacks):
    """``with inline_worker():`` the tasks queued as the block's transactions commit run at once, as
    a worker would run them (a real worker's tests are in tests/integration)."""
    from config.celery import app

    @contextlib.contextmanager
    def running():
        eager = app.conf.task_always_eager
        app.conf.task_always_eager = True
        try:
            with django_capture_on_commit_callbacks(execute=True):
                yield
        finally:
            app.conf.task_always_eager = eager

    return running


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


# The trail's own tests record made-up actions, each about a unit, to test its mechanics apart from
# any service's events; the registry refuses undeclared actions, so they are declared for the test.
TEST_ACTIONS = (
    "test.thing.changed",
    "test.thing.created",
    "test.other",
    "test.late",
    "test.bulk",
    "test.csv",
    "test.many",
    "test.something.done",
    "test.job.ran",
)


@pytest.fixture
def test_actions(monkeypatch):
    from audits.trail import actions

    for code in TEST_ACTIONS:
        monkeypatch.setitem(actions.ACTIONS, code, actions.Action(code, code, "registry.department"))
