"""Builders for to-do tests: a district with work waiting for every role, and more of it.

Plain functions rather than fixtures, as in ``tests.campaigns``; time passing (a deadline now behind
us) is written straight to the rows, as the calendar would.
"""

import datetime
import itertools
from types import SimpleNamespace

from django.utils import timezone

from accounts import services as user_services
from accounts.choices import Role
from audits.campaigns import services as campaign_services
from audits.campaigns.models import ReviewCampaign
from audits.inspections import services as inspections
from audits.inspections.choices import RunStatus
from audits.inspections.models import InspectionRun, RectificationNotice
from registry import services as registry_services
from registry.choices import DepartmentKind, Platform
from tests import campaigns
from tests.conftest import PASSWORD

_run_days = itertools.count(1)
YESTERDAY = timezone.localdate() - datetime.timedelta(days=1)


def notice(department, *, answered_by=None, overdue=False) -> RectificationNotice:
    """A rectification notice of a run of its own, answered if ``answered_by``, past its deadline if
    ``overdue``."""
    run = InspectionRun.objects.create(
        inspection_date=timezone.localdate() - datetime.timedelta(days=next(_run_days)),
        status=RunStatus.FINISHED,
    )
    deadline = YESTERDAY if overdue else timezone.localdate() + datetime.timedelta(days=7)
    made = RectificationNotice.objects.create(department=department, run=run, deadline=deadline)
    if answered_by is not None:
        made = inspections.notice_respond(actor=answered_by, notice=made, response="已恢复更新")
    return made


def self_inspections_due_yesterday(campaign: ReviewCampaign) -> None:
    # Time has passed: the campaign's self-inspection deadline is behind us.
    ReviewCampaign.objects.filter(pk=campaign.pk).update(self_inspection_due=YESTERDAY)


def late_district(office_admin, admin_a, admin_b, file_account, department_a, sub_unit_a, department_b):
    """A district in the middle of a campaign and an inspection:

    - unit B has filed an account the office has not approved yet;
    - unit A submitted one application (to decide), confirmed one closure (to verify) and has one
      closure order past its deadline; its sub-unit has not submitted its self-inspection, nor has
      unit B, and the self-inspection deadline has passed;
    - unit B answered its notice (to accept or return); unit A has not, past the deadline.
    """
    a1 = file_account(department_a, name="新城教育")
    a2 = file_account(department_a, name="教育微博", platform=Platform.WEIBO)
    a3 = file_account(department_a, name="教育抖音", platform=Platform.DOUYIN)
    sub = file_account(sub_unit_a, name="招生办公众号")
    b1 = file_account(department_b, name="健康新城")
    filed = file_account(department_b, name="健康新城抖音", platform=Platform.DOUYIN, approve=False)
    campaign = campaigns.campaign(office_admin)
    campaigns.submitted(admin_a, campaigns.inspection_of(campaign, a1))
    confirmed = campaigns.ordered(office_admin, admin_a, campaign, a2)
    campaign_services.closure_order_confirm(actor=admin_a, order=confirmed, note="已注销")
    late_order = campaigns.ordered(office_admin, admin_a, campaign, a3, deadline=YESTERDAY)
    self_inspections_due_yesterday(campaign)
    return SimpleNamespace(
        campaign=campaign,
        filed=filed,
        confirmed=confirmed,
        late_order=late_order,
        sub=sub,
        b1=b1,
        answered=notice(department_b, answered_by=admin_b),
        late_notice=notice(department_a, overdue=True),
    )


_units = itertools.count(1)


def more_work(office, n: int, *, parent=None) -> None:
    """``n`` more units (below ``parent``), each with a filing to approve, a submitted application,
    a confirmed closure, a late closure order, a late self-inspection, an answered notice and a
    late one."""
    for _ in range(n):
        number = next(_units)
        unit = registry_services.department_create(
            actor=None, name=f"测试单位{number}", code=f"t{number}", kind=DepartmentKind.OTHER, parent=parent
        )
        admin = user_services.user_create(
            actor=None,
            username=f"dept-t{number}",
            password=PASSWORD,
            role=Role.DEPT_ADMIN,
            department=unit,
            validate=False,
        )
        filings = [
            registry_services.filing_submit_open(
                actor=admin,
                department=unit,
                name=f"单位{number}账号{platform}",
                platform=platform,
                platform_uid=f"t{number}-{platform}",
                reason="工作需要",
            )
            for platform in (Platform.WECHAT_OFFICIAL, Platform.WEIBO, Platform.DOUYIN, Platform.TOUTIAO)
        ]
        accounts = [
            registry_services.filing_approve(actor=office, filing=f).media_account for f in filings[:3]
        ]
        campaign = campaigns.campaign(office, departments=[unit.pk])
        campaigns.submitted(admin, campaigns.inspection_of(campaign, accounts[0]))
        confirmed = campaigns.ordered(office, admin, campaign, accounts[1])
        campaign_services.closure_order_confirm(actor=admin, order=confirmed, note="已注销")
        campaigns.ordered(office, admin, campaign, accounts[2], deadline=YESTERDAY)
        notice(unit, answered_by=admin)
        notice(unit, overdue=True)
        other = campaigns.campaign(office, departments=[unit.pk])  # one self-inspection left undone
        self_inspections_due_yesterday(other)
