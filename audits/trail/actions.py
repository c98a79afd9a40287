"""Every action the audit trail records, declared once: its code, its label and the kind of object it
concerns (the model's label, ``registry.filing``).

``record()`` refuses an action declared nowhere here, or an object of another kind than declared, so
the trail never holds an event nobody can read, and its page and API filter by these choices.
A test walks every ``record()`` call in the project and checks it names an action declared here,
and that each action declared here is recorded somewhere.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class UndeclaredAction(LookupError):
    """An action nobody declared: it would reach the trail as a bare code."""


class WrongKind(ValueError):
    """An action recorded for an object of another kind than the one it is declared for."""


@dataclass(frozen=True)
class Action:
    code: str  # namespaced: app, subject, what happened (registry.filing.approved)
    label: str | Promise
    kind: str  # the label of the model whose objects it concerns (registry.filing)
    # Labels of what this action's data holds beyond the object's fields, where the trail's
    # general names for them (audits.trail.selectors.DATA_KEYS) would say less.
    data: Mapping[str, str | Promise] = field(default_factory=dict)

    @property
    def namespace(self) -> str:
        return self.code.rsplit(".", 1)[0]


ACTIONS: dict[str, Action] = {}


def declare(code: str, label: str | Promise, kind: str, **data: str | Promise) -> Action:
    if code in ACTIONS:
        raise ValueError(f"The action {code} is declared twice.")
    ACTIONS[code] = Action(code, label, kind, data)
    return ACTIONS[code]


def get(code: str) -> Action:
    try:
        return ACTIONS[code]
    except KeyError:
        raise UndeclaredAction(f"{code} is not declared in audits/trail/actions.py.") from None


def check(code: str, target) -> Action:
    """The declared action, once ``target`` (``None``, or an object) is of the kind it concerns."""
    action = get(code)
    if target is not None and target._meta.label_lower != action.kind:
        raise WrongKind(f"{code} concerns a {action.kind}, not a {target._meta.label_lower}.")
    return action


def label(code: str) -> str | Promise:
    """The action's label; an event whose action is no longer declared shows its code."""
    return ACTIONS[code].label if code in ACTIONS else code


@cache
def _model(kind: str):
    try:
        return apps.get_model(kind)
    except (LookupError, ValueError):
        return None


def kind_model(kind: str):
    """The model of a kind of object, or ``None`` for a kind that no longer exists (or none)."""
    return _model(kind) if kind else None


def kind_label(kind: str) -> str | Promise:
    model = kind_model(kind)
    return model._meta.verbose_name if model is not None else kind


def is_filter_value(value: str) -> bool:
    """An action, or a namespace of actions (``registry.filing``: every action on filings)."""
    return value in ACTIONS or any(action.namespace == value for action in ACTIONS.values())


def _kinds() -> list[str]:
    return list(dict.fromkeys(action.kind for action in ACTIONS.values()))


def action_choices() -> list[tuple[str | Promise, list[tuple[str, str | Promise]]]]:
    """The actions grouped under the kind of object they concern, in the order declared."""
    return [
        (
            kind_label(kind),
            [(action.code, action.label) for action in ACTIONS.values() if action.kind == kind],
        )
        for kind in _kinds()
    ]


def kind_choices() -> list[tuple[str, str | Promise]]:
    return [(kind, kind_label(kind)) for kind in _kinds()]


# Users and their sign-ins ---------------------------------------------------------------------

declare("accounts.user.created", _("User created"), "accounts.user")
declare("accounts.user.updated", _("User changed"), "accounts.user")
declare("accounts.user.role_changed", _("Role changed"), "accounts.user")
declare(
    "accounts.user.password_changed",
    _("Password changed"),
    "accounts.user",
    usable_password=_("signs in with a password"),
)
declare("accounts.user.signed_in", _("Signed in"), "accounts.user")
# Recorded without an object when the name tried belongs to no user.
declare("accounts.user.sign_in_failed", _("Sign-in failed"), "accounts.user")
declare("accounts.user.signed_out", _("Signed out"), "accounts.user")
declare("accounts.user.locked_out", _("Locked after failed sign-ins"), "accounts.user")
declare("accounts.user.unlocked", _("Lock lifted"), "accounts.user")
declare("accounts.api_token.created", _("API token issued"), "accounts.apitoken")
declare("accounts.api_token.revoked", _("API token revoked"), "accounts.apitoken")
declare(
    "accounts.api_token.revoked_with_password",
    _("API token revoked with the password change"),
    "accounts.apitoken",
)

# The registry -----------------------------------------------------------------------------------

declare("registry.department.created", _("Department registered"), "registry.department")
declare("registry.department.updated", _("Department record changed"), "registry.department")
declare("registry.filing.submitted", _("Filing submitted"), "registry.filing")
declare("registry.filing.approved", _("Filing approved"), "registry.filing", note=_("decision note"))
declare("registry.filing.rejected", _("Filing rejected"), "registry.filing", note=_("decision note"))
declare("registry.filing.withdrawn", _("Filing withdrawn"), "registry.filing")
declare("registry.media_account.activated", _("Account activated"), "registry.mediaaccount")
declare("registry.media_account.rejected", _("Account rejected"), "registry.mediaaccount")
declare("registry.media_account.changed", _("Changes applied"), "registry.mediaaccount")
declare("registry.media_account.updated", _("Record corrected by the office"), "registry.mediaaccount")
declare("registry.media_account.imported", _("Imported at first registration"), "registry.mediaaccount")
declare("registry.media_account.reconfirmed", _("Record re-confirmed"), "registry.mediaaccount")
declare("registry.media_account.closure_ordered", _("Closure or merger ordered"), "registry.mediaaccount")
declare("registry.media_account.closed", _("Account closed"), "registry.mediaaccount")
# One event per upload (a POST, a spreadsheet, a day by hand), for all its rows, with no one object:
# ``media_accounts`` lists the accounts, ``digest`` is the SHA-256 of the rows' canonical text
# (``registry.services.metric_rows_text``). Events recorded before issue 13 are one per account
# (the account as their object), with its rows and days.
declare(
    "registry.metrics.recorded",
    _("Daily figures recorded"),
    "registry.accountmetric",
    rows=_("rows"),
    media_accounts=_("accounts"),
    digest=_("SHA-256 of the rows"),
)
# Recorded without an object: a whole month of every account's figures, moved to an archive file.
declare(
    "registry.metrics.archived",
    _("A month of daily figures archived"),
    "registry.accountmetric",
    month=_("month"),
    rows=_("rows"),
    file=_("archive file"),
)
declare(
    "registry.import.uploaded",
    _("Spreadsheet uploaded for import"),
    "registry.importjob",
    size=_("size in bytes"),
)
declare(
    "registry.import.read",
    _("Uploaded spreadsheet read"),
    "registry.importjob",
    rows=_("rows to import"),
    errors=_("problems"),
)
declare(
    "registry.export.requested",
    _("Spreadsheet export requested"),
    "registry.exportjob",
    query=_("filters"),
    rows_total=_("rows"),
)

# The clean-up campaign ----------------------------------------------------------------------------

declare("audits.campaign.created", _("Campaign created"), "audits.reviewcampaign")
declare(
    "audits.campaign.started", _("Campaign started"), "audits.reviewcampaign", accounts=_("accounts in scope")
)
declare("audits.self_inspection.saved", _("Self-inspection saved"), "audits.selfinspection")
declare("audits.self_inspection.submitted", _("Self-inspection submitted"), "audits.selfinspection")
declare("audits.meeting.created", _("Review meeting recorded"), "audits.reviewmeeting")
declare("audits.meeting.updated", _("Review meeting record corrected"), "audits.reviewmeeting")
declare("audits.decision.made", _("Review decision made"), "audits.reviewdecision")
declare("audits.closure_order.created", _("Closure order issued"), "audits.closureorder")
declare(
    "audits.closure_order.confirmed",
    _("Closure confirmed by the unit"),
    "audits.closureorder",
    note=_("note from the unit"),
)
declare(
    "audits.closure_order.rejected",
    _("Closure confirmation sent back"),
    "audits.closureorder",
    note=_("confirmation rejected with"),
)
declare(
    "audits.closure_order.verified", _("Closure verified"), "audits.closureorder", note=_("decision note")
)
declare("audits.closure_order.overdue", _("Closure overdue"), "audits.closureorder")

# Posts and lexicons ------------------------------------------------------------------------------

# A collector's batch is one event (its posts are no one's object), under the unit that sees them all.
declare(
    "content.posts.recorded",
    _("Posts recorded"),
    "content.post",
    rows=_("rows"),
    media_accounts=_("accounts"),
    created=_("new posts"),
    replaced=_("posts replaced"),
    digest=_("SHA-256 of the rows"),
)
declare(
    "content.posts.scanned",
    _("Posts checked for wording"),
    "content.post",
    posts=_("posts"),
    opened=_("findings opened"),
    resolved=_("findings resolved"),
)
declare(
    "content.post_texts.removed",
    _("Post texts past the archive's time removed"),
    "content.post",
    posts=_("posts"),
    before=_("published before"),
)
declare("content.lexicon_entry.created", _("Lexicon entry added"), "content.lexiconentry")
declare("content.lexicon_entry.updated", _("Lexicon entry changed"), "content.lexiconentry")
declare("content.lexicon_entry.deleted", _("Lexicon entry deleted"), "content.lexiconentry")
declare(
    "content.lexicon.imported",
    _("Lexicon entries imported"),
    "content.lexiconentry",
    created=_("entries added"),
    updated=_("entries changed"),
)
declare("content.allowed_domain.added", _("Allowed site added"), "content.alloweddomain")
declare("content.allowed_domain.removed", _("Allowed site removed"), "content.alloweddomain")

# Coordinated releases -----------------------------------------------------------------------------

declare("audits.release_task.created", _("Release task created"), "audits.releasetask")
declare(
    "audits.release_task.started",
    _("Release task started"),
    "audits.releasetask",
    accounts=_("accounts that must act"),
    units=_("units told"),
)
declare(
    "audits.release_task.matched",
    _("Release parts completed by the accounts' posts"),
    "audits.releasetask",
    completed=_("parts completed"),
)
declare(
    "audits.release_task.closed",
    _("Release task's window ended"),
    "audits.releasetask",
    missed=_("parts missed"),
)
declare("audits.release_part.reported", _("Release part reported"), "audits.releaseassignment")
declare("audits.release_part.excused", _("Release part excused"), "audits.releaseassignment")

# Inspections ------------------------------------------------------------------------------------

declare("audits.inspection_rule.updated", _("Inspection rule changed"), "audits.inspectionrule")
declare(
    "audits.inspection_schedule.updated",
    _("Inspection schedule changed"),
    "django_celery_beat.periodictask",
)
declare(
    "audits.scheduled_job.switched",
    _("Scheduled job switched on or off"),
    "django_celery_beat.periodictask",
)
declare("audits.inspection_run.requested", _("Inspection requested"), "audits.inspectionrun")
declare(
    "audits.inspection_run.finished",
    _("Inspection finished"),
    "audits.inspectionrun",
    notices=_("rectification notices sent"),
)
declare("audits.finding.waived", _("Finding waived"), "audits.finding")
declare("audits.finding.confirmed", _("Wording hit confirmed"), "audits.finding", term=_("term"))
declare(
    "audits.finding.dismissed",
    _("Wording hit marked a false positive"),
    "audits.finding",
    reason=_("reason"),
)
declare("audits.notice.sent", _("Rectification notice sent"), "audits.rectificationnotice")
declare("audits.notice.responded", _("Rectification notice answered"), "audits.rectificationnotice")
declare(
    "audits.notice.accepted",
    _("Rectification answer accepted"),
    "audits.rectificationnotice",
    resolved=_("findings resolved"),
)
declare(
    "audits.notice.returned",
    _("Rectification answer sent back"),
    "audits.rectificationnotice",
    note=_("sent back with"),
)
declare(
    "audits.reminder.sent",
    _("Reminder sent to a late unit"),
    "audits.reminder",
    self_inspections=_("self-inspections overdue"),
    closure_orders=_("closure orders overdue"),
    notices=_("rectification notices overdue"),
)
# Recorded without an object: one computation covers every account's index of the week.
declare(
    "audits.weekly_index.computed",
    _("Weekly index computed"),
    "audits.weeklyindex",
    accounts=_("accounts ranked"),
    removed=_("ranks withdrawn (accounts not live that week)"),
)
