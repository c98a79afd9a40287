"""The registry's state machines: a filing's and an account's (docs/design.md §5.1, §5.2).

The registry's services alone take these transitions; the tables are read by them
(``FILING.check``) and by pages and the API (``config.states.available``).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.states import StateMachine, Transition
from registry.choices import LIVE_STATUSES, FilingStatus, MediaAccountStatus

SUBMITTED = (FilingStatus.SUBMITTED,)


def _already_decided(filing) -> str:
    return _("This filing is already %(status)s.") % {"status": filing.get_status_display()}


FILING = StateMachine(
    "registry.Filing",
    Transition("approve", SUBMITTED, FilingStatus.APPROVED, "registry.approve_filing", _already_decided),
    Transition("reject", SUBMITTED, FilingStatus.REJECTED, "registry.reject_filing", _already_decided),
    Transition("withdraw", SUBMITTED, FilingStatus.WITHDRAWN, "registry.withdraw_filing", _already_decided),
)


def _not_closable(account) -> str:
    if account.status in (MediaAccountStatus.CLOSING, MediaAccountStatus.MERGING):
        # The campaign's order closes it when the office verifies the order, which withdraws the
        # close filing; approving the filing as well would close the account twice.
        return _(
            "A campaign has ordered this account's closure: it closes when the office verifies the order."
        )
    return _("Only a live account can be closed.")


ACTIVE = (MediaAccountStatus.ACTIVE,)

MEDIA_ACCOUNT = StateMachine(
    "registry.MediaAccount",
    # A unit files; the office's approval of the filing takes the account's own transition below.
    Transition(
        "file_change",
        ACTIVE,
        None,
        "registry.submit_filing",
        gettext_lazy("Only an active account can be changed."),
    ),
    Transition(
        "file_close",
        ACTIVE,
        None,
        "registry.submit_filing",
        gettext_lazy("Only an active account can be closed."),
    ),
    Transition(
        "reconfirm",
        LIVE_STATUSES,
        None,
        "registry.reconfirm_account",
        gettext_lazy("Only live accounts can be re-confirmed."),
    ),
    Transition(
        "activate",
        (MediaAccountStatus.PENDING,),
        MediaAccountStatus.ACTIVE,
        "registry.approve_filing",
        gettext_lazy("Only a pending account can be activated."),
    ),
    Transition(
        "change",
        ACTIVE,
        None,
        "registry.approve_filing",
        gettext_lazy("Only an active account can be changed."),
    ),
    # The unit's close filing, approved: closed (or merged into the filing's successor).
    Transition("close", ACTIVE, MediaAccountStatus.CLOSED, "registry.approve_filing", _not_closable),
    # A campaign's close or merge decision: closing (merging) until the office verifies its order,
    # which closes (merges) it. An account its own filing ended meanwhile is left as it is.
    Transition(
        "order_closure",
        LIVE_STATUSES,
        None,  # closing, or merging
        "audits.decide_application",
        gettext_lazy("Only a live account can be closed."),
    ),
    Transition(
        "close_on_order",
        LIVE_STATUSES,
        None,  # closed, or merged
        "audits.verify_closure_order",
        gettext_lazy("Only a live account can be closed."),
    ),
)
