from audits.models.campaigns import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.models.inspections import (
    Finding,
    InspectionRule,
    InspectionRun,
    RectificationNotice,
    WeeklyIndex,
)
from audits.models.reminders import Reminder
from audits.models.trail import AuditEvent

__all__ = [
    "AuditEvent",
    "ClosureOrder",
    "Finding",
    "InspectionRule",
    "InspectionRun",
    "RectificationNotice",
    "Reminder",
    "ReviewCampaign",
    "ReviewDecision",
    "ReviewMeeting",
    "SelfInspection",
    "WeeklyIndex",
]
