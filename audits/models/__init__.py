from audits.models.campaigns import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.models.trail import AuditEvent

__all__ = [
    "AuditEvent",
    "ClosureOrder",
    "ReviewCampaign",
    "ReviewDecision",
    "ReviewMeeting",
    "SelfInspection",
]
