"""What the bad-input suite shares (docs/design.md §13: bad input gets a clear message and writes nothing).

``unchanged()`` snapshots the row count of every model of the registry, the audits (the audit
trail included) and the accounts app, and fails if the block changed any of them. ``world`` is a
district with something of every kind in department A *and* department B, so a test can send
department B's ids as admin_a and expect exactly what an unknown id gets.
"""

import contextlib
import copy
import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from audits.inspections import services as inspections
from audits.inspections.choices import RuleCode
from audits.inspections.models import Finding, InspectionRun, RectificationNotice
from registry import services
from registry.choices import Platform
from tests.api.conftest import api_for  # noqa: F401  (a fixture, used by name)
from tests.campaigns import campaign, inspection_of, meeting, ordered
from tests.conftest import account_filer, established
from tests.shared_district import *  # noqa: F403  (the fixtures, by name)

# Far beyond any id there will ever be, yet a valid 64-bit integer: the "unknown id".
UNKNOWN_ID = 2**62
HUGE_INT = 2**70  # beyond every integer column
APPS = ("registry", "audits", "accounts")


def row_counts() -> dict[str, int]:
    """Rows per model of the apps that hold the district's data and its trail."""
    return {
        model._meta.label: model.objects.count()
        for app in APPS
        for model in apps.get_app_config(app).get_models()
    }


@contextlib.contextmanager
def unchanged(*, uploads: int = 0):
    """Fails if the block adds or removes a row of any model that matters. A block that uploads
    ``uploads`` spreadsheets keeps each as an import job, with its two events (uploaded, read): the
    record of who sent what, while the district's data stays as it was."""
    before = row_counts()
    yield
    after = row_counts()
    expected = {"registry.ImportJob": uploads, "audits.AuditEvent": 2 * uploads}
    changed = {
        label: (before[label], after[label])
        for label in before
        if after[label] - before[label] != expected.get(label, 0)
    }
    assert not changed, f"rows written by bad input (before, after): {changed}"


def error_fields(response) -> dict[str, list[str]]:
    """The fields of the one error shape ``{"detail", "code", "fields"}``, after checking the shape."""
    assert response.status_code == 400, (response.status_code, response.content[:500])
    body = response.json()
    assert body["code"] == "invalid" and body["detail"], body
    assert body["fields"], body
    for messages in body["fields"].values():
        assert messages and all(isinstance(message, str) and message for message in messages), body
    return body["fields"]


def assert_names(response, field: str) -> None:
    """A 400 in the one error shape whose ``fields`` name ``field`` (or a field nested under it)."""
    fields = error_fields(response)
    assert any(name == field or name.startswith((f"{field}.", f"{field}[")) for name in fields), (
        field,
        fields,
    )


def assert_not_found(response) -> None:
    assert response.status_code == 404, (response.status_code, response.content[:500])
    assert response.json()["code"] == "not_found"


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


@pytest.fixture(scope="module", autouse=True)
def shared_world(shared_district, django_db_blocker):
    """Accounts, a running campaign with a meeting, self-inspections, a closure order in each
    department, and an inspection run with a finding and a notice for each unit: built once for the
    module, as every test leaves it as it was (or rolls back what it wrote)."""
    with django_db_blocker.unblock():
        office_admin, admin_a, admin_b, department_a, department_b = (
            shared_district[name]
            for name in ("office_admin", "admin_a", "admin_b", "department_a", "department_b")
        )
        file_account = established(account_filer(office_admin))
        account_a = file_account(department_a, name="教育发布")
        account_b = file_account(department_b, name="健康发布")
        closing_a = file_account(department_a, name="教育旧号", platform=Platform.WEIBO)
        closing_b = file_account(department_b, name="健康旧号", platform=Platform.WEIBO)
        pending_b = file_account(department_b, name="健康待批", platform=Platform.DOUYIN, approve=False)
        running = campaign(office_admin)
        order_a = ordered(office_admin, admin_a, running, closing_a)
        order_b = ordered(office_admin, admin_b, running, closing_b)
        run = InspectionRun.objects.create(inspection_date=timezone.localdate())
        inspections.inspection_run_execute(run_id=run.pk)
        return {
            "account_a": account_a,
            "account_b": account_b,
            "filing_b": pending_b.filings.get(),
            "campaign": running,
            "meeting": meeting(office_admin, running),
            "inspection_a": inspection_of(running, account_a),
            "inspection_b": inspection_of(running, account_b),
            "order_a": order_a,
            "order_b": order_b,
            "decision_b": order_b.decision,
            "run": run,
            "finding_a": Finding.objects.get(media_account=account_a, rule__code=RuleCode.NO_UPDATE),
            "finding_b": Finding.objects.get(media_account=account_b, rule__code=RuleCode.NO_UPDATE),
            "notice_a": RectificationNotice.objects.get(department=department_a),
            "notice_b": RectificationNotice.objects.get(department=department_b),
        }


@pytest.fixture
def world(shared_world, db):
    """The module's ``shared_world``, copies of its own for the test."""
    return copy.deepcopy(shared_world)


@pytest.fixture
def metric_b(world, office_admin):
    """A day of figures for department B's account."""
    services.metrics_record(
        actor=office_admin,
        rows=[{"media_account": world["account_b"].pk, "date": days_ago(1), "followers": 9}],
    )
    return world["account_b"]
