"""Every domain's models, imported here so that Django registers them under the app label ``audits``."""

from audits.campaigns.models import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.inspections.models import Finding, InspectionRule, InspectionRun, RectificationNotice
from audits.ranking.models import StaleWeek, WeeklyIndex
from audits.releases.models import ReleaseAssignment, ReleaseTask
from audits.todo.models import Reminder
from audits.trail.models import AuditEvent

__all__ = [
    "AuditEvent",
    "ClosureOrder",
    "Finding",
    "InspectionRule",
    "InspectionRun",
    "RectificationNotice",
    "ReleaseAssignment",
    "ReleaseTask",
    "Reminder",
    "ReviewCampaign",
    "ReviewDecision",
    "ReviewMeeting",
    "SelfInspection",
    "StaleWeek",
    "WeeklyIndex",
]
