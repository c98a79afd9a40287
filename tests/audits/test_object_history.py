"""Each object's page shows its own history (docs/design.md §4.8): the newest events of that
object the user may see, readably, with a link to all of them in the audit trail."""

import re
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audits.inspections import services as inspections
from audits.inspections.models import Finding, InspectionRun, RectificationNotice
from audits.trail.actions import label as action_label
from audits.trail.models import AuditEvent
from audits.trail.selectors import HISTORY_LIMIT
from registry import services as registry_services
from tests.campaigns import campaign, inspection_of, meeting, ordered, submitted
from tests.conftest import established

pytestmark = pytest.mark.django_db


@pytest.fixture
def file_account(file_account):
    """Accounts that have run for long: past a new account's grace, live in every week ranked."""
    return established(file_account)


def history_actions(response) -> list[str]:
    """The action column of the page's history, newest first."""
    section = re.search(r'data-testid="history".*?</section>', response.text, re.DOTALL)
    assert section is not None, "the page has no history"
    return re.findall(r'<th scope="row">([^<]*)', section.group())


def label(action: str) -> str:
    with translation.override("zh-hans"):
        return str(action_label(action))


def trail_link(target) -> str:
    query = urlencode({"object_type": target._meta.label_lower, "object_id": target.pk})
    return f"{reverse('audit_event_list')}?{query}".replace("&", "&amp;")


@pytest.fixture
def pages(office_admin, admin_a, department_a, file_account):
    """An object of every kind with a page, each with what happened to it, and that page's URL."""
    account = file_account(department_a, name="新城教育")
    filing = registry_services.filing_submit_change(
        actor=admin_a, media_account=account, changes={"url": "https://example.gov.cn/new"}, reason="改版"
    )
    registry_services.filing_approve(actor=office_admin, filing=filing)
    closing = file_account(department_a, name="停更号")
    running = campaign(office_admin)
    order = ordered(office_admin, admin_a, running, closing)
    application = submitted(admin_a, inspection_of(running, account))
    held = meeting(office_admin, running)
    run = InspectionRun.objects.create(inspection_date=timezone.localdate())
    inspections.inspection_run_execute(run_id=run.pk)
    finding = Finding.objects.filter(media_account__department=department_a).first()
    inspections.finding_waive(actor=office_admin, finding=finding, reason="新开账号")
    notice = RectificationNotice.objects.get(department=department_a)
    return {
        "filing": (filing, reverse("filing_detail", args=[filing.pk]), "registry.filing.approved"),
        "department": (department_a, reverse("department_detail", args=[department_a.pk]), None),
        "campaign": (running, reverse("campaign_detail", args=[running.pk]), "audits.campaign.started"),
        "application": (
            application,
            reverse("self_inspection_detail", args=[application.pk]),
            "audits.self_inspection.submitted",
        ),
        "order": (order, reverse("closure_order_detail", args=[order.pk]), "audits.closure_order.created"),
        "meeting": (held, reverse("meeting_detail", args=[held.pk]), "audits.meeting.created"),
        "run": (run, reverse("inspection_run_detail", args=[run.pk]), "audits.inspection_run.finished"),
        "finding": (finding, reverse("finding_detail", args=[finding.pk]), "audits.finding.waived"),
        "notice": (notice, reverse("notice_detail", args=[notice.pk]), "audits.notice.sent"),
    }


@pytest.mark.parametrize(
    "kind",
    ["filing", "department", "campaign", "application", "order", "meeting", "run", "finding", "notice"],
)
def test_the_page_of_each_object_shows_its_own_events(client_for, office_admin, pages, kind):
    target, url, action = pages[kind]
    response = client_for(office_admin).get(url)

    assert response.status_code == 200
    own = AuditEvent.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
    expected = [label(event.action) for event in own.order_by("-at", "-pk")[:HISTORY_LIMIT]]
    assert history_actions(response) == expected
    if action is not None:
        assert label(action) in expected
    assert trail_link(target) in response.text


def test_an_application_shows_the_decisions_made_on_it(client_for, office_admin, admin_a, pages):
    application, url, _action = pages["application"]
    held, _url, _action = pages["meeting"]
    from audits.campaigns import services as campaign_services

    campaign_services.decision_make(
        actor=office_admin, self_inspection=application, meeting=held, outcome="retain"
    )
    assert history_actions(client_for(office_admin).get(url))[0] == label("audits.decision.made")


def test_a_department_admin_sees_only_the_events_of_its_own_units(client_for, admin_a, pages):
    # The campaign's own events (created, started) belong to no unit: the office's record.
    running, url, _action = pages["campaign"]
    assert history_actions(client_for(admin_a).get(url)) == []
    # The unit's own filing: all of it.
    filing, url, _action = pages["filing"]
    assert label("registry.filing.approved") in history_actions(client_for(admin_a).get(url))


def test_it_shows_the_newest_events_and_links_to_the_older_ones(client_for, office_admin, department_a):
    for number in range(HISTORY_LIMIT + 1):
        registry_services.department_update(
            actor=office_admin, department=department_a, first_responsible_person=f"负责人{number}"
        )
    response = client_for(office_admin).get(reverse("department_detail", args=[department_a.pk]))

    assert len(history_actions(response)) == HISTORY_LIMIT
    assert "较早的事件" in response.text and trail_link(department_a) in response.text


def test_the_history_costs_the_same_queries_however_long_it_is(
    client_for, office_admin, department_a, django_assert_max_num_queries
):
    url = reverse("department_detail", args=[department_a.pk])
    client = client_for(office_admin)
    registry_services.department_update(actor=office_admin, department=department_a, code="edu-1")
    client.get(url)  # the session and the locale settle on the first request
    with CaptureQueriesContext(connection) as short:
        client.get(url)
    for number in range(HISTORY_LIMIT):
        registry_services.department_update(
            actor=office_admin, department=department_a, first_responsible_person=f"负责人{number}"
        )
    # At most: names referenced by the changes are looked up only when some event has them.
    with django_assert_max_num_queries(len(short.captured_queries)):
        client.get(url)


def test_the_trail_page_lists_every_event_of_the_object_the_link_names(client_for, office_admin, pages):
    filing, _url, _action = pages["filing"]
    response = client_for(office_admin).get(
        reverse("audit_event_list"), {"object_type": "registry.filing", "object_id": filing.pk}
    )
    own = AuditEvent.objects.filter(object_type="registry.filing", object_id=str(filing.pk))
    assert response.status_code == 200 and len(response.context["rows"]) == own.count() > 0
    assert {row.event.object_id for row in response.context["rows"]} == {str(filing.pk)}
