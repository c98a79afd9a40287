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
from audits.models.trail import AuditEvent

__all__ = [
    "AuditEvent",
    "ClosureOrder",
    "Finding",
    "InspectionRule",
    "InspectionRun",
    "RectificationNotice",
    "ReviewCampaign",
    "ReviewDecision",
    "ReviewMeeting",
    "SelfInspection",
    "WeeklyIndex",
]
