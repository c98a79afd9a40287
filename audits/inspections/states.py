"""The inspections' state machines: findings and rectification notices (docs/design.md §5.8, §5.9).

Their services take these transitions (``NOTICE.check``); pages and the API read the actions a
user may take (``config.states.available``).
"""

from django.utils.translation import gettext_lazy

from audits.inspections.choices import FindingStatus, NoticeStatus
from config.states import StateMachine, Transition

FINDING = StateMachine(
    "audits.Finding",
    Transition(
        "waive",
        (FindingStatus.OPEN,),
        FindingStatus.WAIVED,
        "audits.waive_finding",
        gettext_lazy("Only an open finding can be waived."),
    ),
    Transition(
        "confirm",
        (FindingStatus.OPEN,),
        None,
        "audits.review_wording_hit",
        gettext_lazy("Only an open wording hit not yet confirmed can be confirmed."),
        guard=lambda finding: finding.post_id is not None and finding.confirmed_at is None,
    ),
    Transition(
        "dismiss",
        (FindingStatus.OPEN, FindingStatus.WAIVED),
        FindingStatus.DISMISSED,
        "audits.review_wording_hit",
        gettext_lazy("Only an open wording hit can be marked a false positive."),
        guard=lambda finding: finding.post_id is not None,
    ),
)

RESPONDED = (NoticeStatus.RESPONDED,)

NOTICE = StateMachine(
    "audits.RectificationNotice",
    Transition(
        "respond",
        (NoticeStatus.OPEN,),
        NoticeStatus.RESPONDED,
        "audits.respond_notice",
        gettext_lazy("This notice is not awaiting an answer."),
    ),
    Transition(
        "accept",
        RESPONDED,
        NoticeStatus.ACCEPTED,
        "audits.decide_notice",
        gettext_lazy("Only an answered notice can be accepted."),
    ),
    Transition(
        "return",
        RESPONDED,
        NoticeStatus.OPEN,
        "audits.decide_notice",
        gettext_lazy("Only an answered notice can be sent back."),
    ),
)
