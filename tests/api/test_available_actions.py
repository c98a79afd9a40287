"""What a client may offer: every object with a state machine says, as ``actions``, the transitions
its state and the requesting user's permissions allow now — the same as the page's buttons."""

import pytest

from audits.campaigns.choices import Proposal
from registry import services
from tests import campaigns

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _actions(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()["actions"]


def test_a_submitted_filing_offers_each_user_what_they_may_do_with_it(
    api_for, office_admin, auditor, admin_a, admin_b, department_a
):
    filing = services.filing_submit_open(
        actor=admin_a,
        department=department_a,
        name="教育发布",
        platform="wechat_official",
        platform_uid="gh_edu",
        reason="工作需要",
    )
    url = f"{API}/filings/{filing.pk}/"
    assert _actions(api_for(office_admin), url) == ["approve", "reject", "withdraw"]
    assert _actions(api_for(admin_a), url) == ["withdraw"]  # the unit takes back what it filed
    assert _actions(api_for(auditor), url) == []

    services.filing_approve(actor=office_admin, filing=filing)
    assert _actions(api_for(office_admin), url) == []  # decided: nothing is left to do
    listed = api_for(office_admin).get(f"{API}/filings/").json()["results"]
    assert [row["actions"] for row in listed] == [[]]


def test_a_closure_order_offers_the_unit_its_confirmation_and_the_office_its_verdict(
    api_for, office_admin, auditor, admin_a, department_a, file_account
):
    account = file_account(department_a)
    campaign = campaigns.campaign(office_admin)
    order = campaigns.ordered(office_admin, admin_a, campaign, account)
    url = f"{API}/closure-orders/{order.pk}/"
    assert _actions(api_for(admin_a), url) == ["confirm"]
    assert _actions(api_for(auditor), url) == []

    from audits.campaigns import services as campaign_services

    campaign_services.closure_order_confirm(
        actor=admin_a, order=order, evidence_url="https://example.gov.cn/n"
    )
    assert _actions(api_for(office_admin), url) == ["reject", "verify"]
    assert _actions(api_for(admin_a), url) == []


def test_a_campaign_and_its_applications_say_what_is_left_to_do(
    api_for, office_admin, admin_a, department_a, file_account
):
    account = file_account(department_a)
    draft = campaigns.campaign(office_admin, start=False)
    assert _actions(api_for(office_admin), f"{API}/campaigns/{draft.pk}/") == ["start"]
    running = campaigns.campaign(office_admin)
    assert _actions(api_for(office_admin), f"{API}/campaigns/{running.pk}/") == ["decide", "record_meeting"]

    inspection = campaigns.inspection_of(running, account)
    url = f"{API}/self-inspections/{inspection.pk}/"
    assert _actions(api_for(admin_a), url) == ["save", "submit"]
    campaigns.submitted(admin_a, inspection, Proposal.RETAIN)
    assert _actions(api_for(admin_a), url) == []
    assert _actions(api_for(office_admin), url) == ["decide"]
