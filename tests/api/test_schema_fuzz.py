"""The OpenAPI schema, fuzzed: every operation the app serves at /api/schema/, called with data
generated from its own description, as the office admin and as a department admin, over a district
with real data in it. No call may answer 500, and every answer must be one the schema documents:
its status code, its content type and its body.

One pytest item per operation and persona (schemathesis makes them), each in its own rolled-back
transaction, so what one operation writes (an approved filing, a started campaign) cannot turn into
a failure of another. Inside one item the examples share the data, so a later example may find a
filing already approved: that is a 409, which the schema documents like any other answer.
"""

import datetime
import json

import hypothesis
import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import resolve
from django.utils import timezone
from rest_framework.test import APIRequestFactory, force_authenticate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as user_services
from accounts.choices import Role
from accounts.models import User
from audits.campaigns.models import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.inspections import services as inspections
from audits.inspections.models import Finding, InspectionRule, InspectionRun, RectificationNotice
from audits.ranking.selectors import latest_complete_week
from audits.ranking.services import weekly_index_compute
from audits.releases import services as releases
from audits.releases.models import ReleaseAssignment, ReleaseTask
from audits.todo.models import Reminder
from audits.todo.services import reminder_send
from audits.trail.models import AuditEvent
from content import services as content
from content.models import LexiconEntry, Post
from content.posts import check_post_rows
from registry import services
from registry.choices import Platform
from registry.models import Department, ExportJob, Filing, MediaAccount
from tests.campaigns import campaign, inspection_of, ordered, submitted
from tests.conftest import account_filer, established
from tests.shared_district import *  # noqa: F403  (the fixtures, by name)


def _served_schema() -> dict:
    """What /api/schema/ serves a signed-in client. It is read while pytest collects, before any
    test database exists, so the reader is a user never saved: the view asks only that one is
    signed in."""
    request = APIRequestFactory().get("/api/schema/", {"format": "json"})
    force_authenticate(request, user=User(username="schema-reader", role=Role.OFFICE_ADMIN))
    response = resolve("/api/schema/").func(request)
    assert response.status_code == 200, response.status_code
    return json.loads(response.render().content)


# Loaded once, at collection, from the app itself: what is fuzzed is what clients are served.
schema = schemathesis.openapi.from_dict(
    _served_schema(),
    # The coverage phase sends every boundary case of the schema (274 for POST /filings/ alone),
    # which max_examples does not bound; the fuzzing phase sends 20 per operation and persona, valid
    # and invalid alike. Turn coverage on here to search deeper before a release.
    config=schemathesis.Config.from_dict({"phases": {"coverage": {"enabled": False}}}),
)
schema.app = get_wsgi_application()  # what from_wsgi sets: the calls go to the app in this process

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

# The objects behind each path's {id}, by the path's resource.
RESOURCES = {
    "campaigns": ReviewCampaign,
    "closure-orders": ClosureOrder,
    "decisions": ReviewDecision,
    "departments": Department,
    "events": AuditEvent,
    "exports": ExportJob,
    "filings": Filing,
    "findings": Finding,
    "inspection-rules": InspectionRule,
    "inspection-runs": InspectionRun,
    "lexicon-entries": LexiconEntry,
    "release-assignments": ReleaseAssignment,
    "release-tasks": ReleaseTask,
    "posts": Post,
    "media-accounts": MediaAccount,
    "meetings": ReviewMeeting,
    "notices": RectificationNotice,
    "reminders": Reminder,
    "self-inspections": SelfInspection,
}
# The body fields and query parameters that name an object, by the model they name.
REFERENCES = {
    "campaign": ReviewCampaign,
    "department": Department,
    "departments": Department,
    "parent": Department,
    "media_account": MediaAccount,
    "merge_target": MediaAccount,
    "meeting": ReviewMeeting,
    "post": Post,
    "task": ReleaseTask,
    "self_inspection": SelfInspection,
}


@pytest.fixture(scope="module", autouse=True)
def shared_data(shared_district, django_db_blocker):
    """A district in mid-year: accounts filed and approved in both departments and the sub-unit, one
    filing waiting, a week of figures ranked, a campaign running with one self-inspection submitted
    and one closure ordered, and an inspection with its findings and notices (the sub-unit's late and
    reminded). Built once for the module: each item rolls back what its calls wrote."""
    office_admin, admin_a = shared_district["office_admin"], shared_district["admin_a"]
    department_a, department_b = shared_district["department_a"], shared_district["department_b"]
    sub_unit_a = shared_district["sub_unit_a"]
    # Accounts that have run for long: past a new account's grace, live in every week ranked.
    file_account = established(account_filer(office_admin))
    with django_db_blocker.unblock():
        edu = file_account(department_a, name="教育发布")
        edu_douyin = file_account(department_a, name="教育抖音", platform=Platform.DOUYIN)
        file_account(sub_unit_a, name="招生考试")
        health = file_account(department_b, name="健康发布")
        file_account(department_a, name="教育微博", platform=Platform.WEIBO, approve=False, actor=admin_a)

        week = latest_complete_week()
        services.metrics_record(
            actor=None,
            rows=[
                {
                    "media_account": account.pk,
                    "date": week + datetime.timedelta(days=2),
                    "posts": 1,
                    "reads": n,
                }
                for account, n in ((edu, 5000), (health, 800))
            ],
        )
        weekly_index_compute(week_start=week)
        content.lexicon_entry_create(actor=office_admin, lexicon="sensitive", term="赌博", category="违法")
        posted = timezone.localtime() - datetime.timedelta(hours=3)
        rows = [
            {
                "media_account": edu.pk,
                "platform_post_id": "p1",
                "published_at": posted.isoformat(),
                "kind": "original",
                "text": "严禁赌博。",
                "reads": 10,
            },
            {
                "media_account": health.pk,
                "platform_post_id": "p2",
                "published_at": posted.isoformat(),
                "kind": "repost",
                "text": "转发。",
            },
        ]
        content.posts_record(actor=office_admin, rows=check_post_rows(office_admin, enumerate(rows)))
        content.posts_scan_all()
        now = timezone.now()
        release = releases.release_task_create(
            actor=office_admin,
            title="冬季安全倡议",
            mode="relay",
            link="https://www.gov.cn/a.htm",
            window_start=now - datetime.timedelta(hours=1),
            window_end=now + datetime.timedelta(days=1),
        )
        releases.release_task_start(actor=office_admin, task=release)

        running = campaign(office_admin)
        submitted(admin_a, inspection_of(running, edu))
        ordered(office_admin, admin_a, running, edu_douyin)
        assert inspection_of(running, health).proposal == ""  # still waiting for its unit

        run = InspectionRun.objects.create(inspection_date=timezone.localdate())
        inspections.inspection_run_execute(run_id=run.pk)
        assert Finding.objects.exists() and RectificationNotice.objects.exists()
        late = RectificationNotice.objects.filter(department=sub_unit_a)
        late.update(deadline=timezone.localdate() - datetime.timedelta(days=1))
        reminder_send(actor=office_admin, department=sub_unit_a)


@pytest.fixture
def district(shared_data, db):
    """The module's district (``shared_data``), in the test's own transaction."""


@pytest.fixture
def keep_the_test_transaction():
    # Django's own test client does the same: closing "old" connections at the end of a request
    # would close the one holding the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def existing(model, generated):
    """Half the generated ids (the even ones) become ids of objects that exist, so that operations are
    fuzzed past the 404 and the "unknown id" 400; the others stay as generated, mostly missing."""
    if isinstance(generated, bool) or not isinstance(generated, int) or generated % 2:
        return generated
    ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
    return ids[generated // 2 % len(ids)] if ids else generated


def with_real_ids(value, model=None):
    """``value`` (a body or query) with the ids under the names of ``REFERENCES`` made ``existing``."""
    if isinstance(value, dict):
        return {key: with_real_ids(item, REFERENCES.get(key)) for key, item in value.items()}
    if isinstance(value, list):
        return [with_real_ids(item, model) for item in value]
    return existing(model, value) if model else value


@pytest.fixture
def authorization(request, persona, district):
    """The Authorization header of the persona, with a real token."""
    user = request.getfixturevalue(persona)
    _token, key = user_services.api_token_create(actor=user, user=user, name="fuzz")
    return f"Token {key}"


@pytest.mark.parametrize("persona", ["office_admin", "admin_a"])
@schema.parametrize()
@hypothesis.settings(
    max_examples=20,
    deadline=None,
    # The same cases on every run and in CI: Hypothesis derives its seed from the test, not the clock,
    # and keeps no database of earlier failures that would change what a later run tries.
    derandomize=True,
    database=None,
    # The district is built once per operation and persona, not per example, on purpose; and every
    # example is a request through the whole stack, slow by Hypothesis's measure.
    suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture, hypothesis.HealthCheck.too_slow],
)
def test_it_answers_every_operation_as_documented(case, authorization, keep_the_test_transaction):
    # Throttle counts live in the cache: the anonymous endpoints (verify, token) answer 429 after
    # their rate, which is documented but would make which examples pass depend on their order.
    cache.clear()
    if "id" in (case.path_parameters or {}):
        resource = RESOURCES[case.path.split("/")[3]]
        case.path_parameters["id"] = existing(resource, case.path_parameters["id"])
    case.query = with_real_ids(case.query)
    case.body = with_real_ids(case.body)
    case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)
