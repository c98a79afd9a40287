"""The campaign's state machines: campaigns, applications (self-inspections) and closure orders
(docs/design.md §5.3, §5.4, §5.6).

Their services take these transitions (``CLOSURE_ORDER.check``); pages and the API read the
actions a user may take (``config.states.available``).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.campaigns.choices import CampaignStatus, ClosureOrderStatus, SelfInspectionStatus
from config.states import StateMachine, Transition

MEETINGS_RUN = gettext_lazy("Meetings are held while the campaign runs.")

CAMPAIGN = StateMachine(
    "audits.ReviewCampaign",
    Transition(
        "start",
        (CampaignStatus.DRAFT,),
        CampaignStatus.RUNNING,
        "audits.start_campaign",
        gettext_lazy("This campaign has already started."),
    ),
    Transition(
        "record_meeting",
        (CampaignStatus.RUNNING,),
        None,
        "audits.record_meeting",
        MEETINGS_RUN,
    ),
    # A meeting decides the applications while the campaign runs.
    Transition("decide", (CampaignStatus.RUNNING,), None, "audits.decide_application", MEETINGS_RUN),
)

EDITABLE = (SelfInspectionStatus.PENDING, SelfInspectionStatus.DRAFT)


def _not_awaiting_decision(inspection) -> str:
    return _("The application for “%(account)s” is not awaiting a decision (it is %(status)s).") % {
        "account": inspection.media_account.name,
        "status": inspection.get_status_display(),
    }


SELF_INSPECTION = StateMachine(
    "audits.SelfInspection",
    Transition(
        "save",
        EDITABLE,
        SelfInspectionStatus.DRAFT,
        "audits.answer_self_inspection",
        gettext_lazy("This application has been submitted and is locked until the office returns it."),
    ),
    Transition(
        "submit",
        EDITABLE,
        SelfInspectionStatus.SUBMITTED,
        "audits.answer_self_inspection",
        gettext_lazy("This application has already been submitted."),
    ),
    # Deciding "return" sends it back to draft; any other outcome decides it.
    Transition(
        "decide",
        (SelfInspectionStatus.SUBMITTED,),
        SelfInspectionStatus.DECIDED,
        "audits.decide_application",
        _not_awaiting_decision,
    ),
)

CONFIRMED = (ClosureOrderStatus.CONFIRMED,)

CLOSURE_ORDER = StateMachine(
    "audits.ClosureOrder",
    Transition(
        "confirm",
        (ClosureOrderStatus.OPEN,),
        ClosureOrderStatus.CONFIRMED,
        "audits.confirm_closure_order",
        gettext_lazy("This order is not open."),
    ),
    Transition(
        "verify",
        CONFIRMED,
        ClosureOrderStatus.VERIFIED,
        "audits.verify_closure_order",
        gettext_lazy("Only an order the unit has confirmed can be verified."),
    ),
    Transition(
        "reject",
        CONFIRMED,
        ClosureOrderStatus.OPEN,
        "audits.reject_closure_order",
        gettext_lazy("Only an order the unit has confirmed can be sent back."),
    ),
)
