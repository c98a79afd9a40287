"""Every write to the registry: departments, filings and the accounts they govern, metrics.

Each service runs in one transaction, checks who may act, refuses bad input with a
``ValidationError`` and illegal moves with ``InvalidTransition``, and records its audit event.
``actor=None`` means the system itself (a scheduled job or a management command).
"""

import datetime
import hashlib
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import rules
from accounts.rules import authorize
from audits.ranking import services as ranking_services
from audits.trail.services import diff, record, record_many, snapshot
from config.errors import InvalidTransition
from registry.choices import (
    LIVE_STATUSES,
    DepartmentKind,
    Employment,
    FilingKind,
    FilingStatus,
    MediaAccountStatus,
)
from registry.models import (
    AccountMetric,
    Department,
    Filing,
    FilingSequence,
    MediaAccount,
    Operator,
    in_official_order,
    order_key_part,
)
from registry.states import FILING, MEDIA_ACCOUNT

DEPARTMENT_FIELDS = (
    "name",
    "code",
    "kind",
    "parent",
    "sort_order",
    "first_responsible_person",
    "contact_name",
    "contact_phone",
    "is_active",
)
MEDIA_ACCOUNT_FIELDS = (
    "department",
    "name",
    "platform",
    "platform_uid",
    "url",
    "verified",
    "functions",
    "responsible_person",
    "has_interaction",
    "exception_reason",
)


# Departments -----------------------------------------------------------------------------


# What a unit's place in the official order follows (see in_official_order).
ORDER_FIELDS = ("kind", "parent", "sort_order")


def _lock_units() -> None:
    # A change of the tree or the order renumbers units: take every unit's row first, always in
    # the same order, so that two such changes queue instead of deadlocking.
    list(Department.objects.select_for_update().order_by("pk").values_list("pk", flat=True))


def _level(kind: str, parent_id: int | None, *, without: Department | None = None) -> list[Department]:
    """The units of one kind at one level (below one parent), in their order."""
    units = Department.objects.filter(kind=kind, parent_id=parent_id).order_by("sort_order", "pk")
    return list(units.exclude(pk=without.pk) if without is not None and without.pk else units)


def _renumber(actor, units: list[Department], *, recorded_elsewhere: Department | None = None) -> None:
    """Number ``units`` (one kind at one level, in their new order) 1, 2, 3…, recording each unit
    whose number changes (except ``recorded_elsewhere``, whose own event says so)."""
    saved, events, now = [], [], timezone.now()
    for number, unit in enumerate(units, start=1):
        if unit.sort_order != number:
            before = snapshot(unit, DEPARTMENT_FIELDS)
            unit.sort_order, unit.updated_at = number, now
            saved.append(unit)
            if unit != recorded_elsewhere:
                events.append((unit, diff(before, snapshot(unit, DEPARTMENT_FIELDS))))
    Department.objects.bulk_update(saved, ["sort_order", "updated_at"])
    record_many("registry.department.updated", actor=actor, items=events)


def _insert(department: Department, siblings: list[Department], wanted: int | None) -> list[Department]:
    """The units of the level with ``department`` at place ``wanted`` (last when ``None`` or beyond)."""
    index = len(siblings) if wanted is None else min(max(wanted, 1), len(siblings) + 1) - 1
    return [*siblings[:index], department, *siblings[index:]]


def _place_units() -> None:
    """Store each unit's place in the official order (``order_key``), so lists sort by it in SQL."""
    # Plain rows, not model instances: building hundreds of those took most of the time.
    fields = ("pk", "parent_id", "kind", "sort_order", "order_key")
    units = [
        SimpleNamespace(**dict(zip(fields, row, strict=True)))
        for row in Department.objects.order_by().values_list(*fields)
    ]
    keys: list[str] = []  # the keys of the path down to the current unit
    moved = []
    for unit, depth in in_official_order(units):
        del keys[depth:]
        keys.append((keys[-1] if keys else "") + order_key_part(unit))
        if unit.order_key != keys[-1]:
            moved.append(Department(pk=unit.pk, order_key=keys[-1]))
    Department.objects.bulk_update(moved, ["order_key"])


@transaction.atomic
def department_create(*, actor, **fields: Any) -> Department:
    """Register a unit that runs accounts (office only) at place ``sort_order`` among the units of
    its kind at its level (the others move down), or last without one."""
    authorize(actor, "registry.manage_departments")
    _lock_units()
    department = Department(**fields)
    placed = department.sort_order is not None
    if not placed:
        department.sort_order = 1  # a valid stand-in: the unit goes last below
    department.full_clean()
    siblings = _level(department.kind, department.parent_id)
    level = _insert(department, siblings, department.sort_order if placed else None)
    department.sort_order = level.index(department) + 1
    department.save()
    record(
        "registry.department.created",
        actor=actor,
        target=department,
        changes={"after": snapshot(department, DEPARTMENT_FIELDS)},
    )
    _renumber(actor, level, recorded_elsewhere=department)
    _place_units()
    department.refresh_from_db(fields=["order_key"])
    return department


@transaction.atomic
def department_update(*, actor, department: Department, **fields: Any) -> Department:
    """Change a unit's record (office only). A new ``sort_order`` puts the unit at that place
    among the units of its kind at its level, the others moving to make room; a unit given
    another parent or kind goes last among its new siblings unless a place is given."""
    authorize(actor, "registry.manage_departments")
    unknown = set(fields) - set(DEPARTMENT_FIELDS)
    if unknown:
        raise TypeError(f"department_update() cannot change {', '.join(sorted(unknown))}")
    reorders = any(name in ORDER_FIELDS for name in fields)
    if reorders:
        _lock_units()
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = snapshot(department, DEPARTMENT_FIELDS)
    for name, value in fields.items():
        setattr(department, name, value)
    department.full_clean()
    if reorders:
        moved = (department.kind, department.parent_id) != (before["kind"], before["parent"])
        wanted = department.sort_order if "sort_order" in fields else None if moved else before["sort_order"]
        level = _insert(department, _level(department.kind, department.parent_id, without=department), wanted)
        department.sort_order = level.index(department) + 1
    department.save()
    changes = diff(before, snapshot(department, DEPARTMENT_FIELDS))
    if changes["after"]:
        record("registry.department.updated", actor=actor, target=department, changes=changes)
    if reorders:
        _renumber(actor, level, recorded_elsewhere=department)
        if moved:  # close the gap it left
            _renumber(actor, _level(before["kind"], before["parent"]))
        _place_units()
        department.refresh_from_db(fields=["order_key"])
    return department


@transaction.atomic
def department_move(*, actor, department: Department, step: int) -> Department:
    """Move a unit one place up (``step=-1``) or down (``step=1``) among the units of its kind at
    its level (office only), recording each unit whose place changes."""
    authorize(actor, "registry.manage_departments")
    if step not in (-1, 1):
        raise ValueError("step must be -1 or 1")
    _lock_units()
    department = Department.objects.get(pk=department.pk)
    level = _level(department.kind, department.parent_id)
    index = level.index(department)
    if not 0 <= index + step < len(level):
        message = _("“%(name)s” is already first.") if step < 0 else _("“%(name)s” is already last.")
        raise ValidationError({"sort_order": message % {"name": department.name}})
    level[index], level[index + step] = level[index + step], level[index]
    _renumber(actor, level)
    _place_units()
    department.refresh_from_db()
    return department


# Filings and the accounts they govern ---------------------------------------------------------


def _validated_operators(operators: Iterable[Mapping[str, str]]) -> list[dict[str, str]]:
    cleaned = []
    for index, operator in enumerate(operators, start=1):
        name = (operator.get("name") or "").strip()
        employment = operator.get("employment") or ""
        if not name:
            raise ValidationError({"operators": _("Operator %(n)s has no name.") % {"n": index}})
        if employment not in Employment.values:
            raise ValidationError(
                {"operators": _("Operator %(n)s has an unknown employment type.") % {"n": index}}
            )
        cleaned.append(
            {"name": name, "phone": (operator.get("phone") or "").strip(), "employment": employment}
        )
    return cleaned


def same_platform_accounts(department: Department, platform: str):
    """The unit's other accounts on a platform that are filed or live: in principle there is one."""
    return MediaAccount.objects.filter(
        department=department, platform=platform, status__in=(MediaAccountStatus.PENDING, *LIVE_STATUSES)
    )


def _check_opening_policy(
    department: Department, platform: str, exception_reason: str, duplicate_reason: str
):
    errors = {}
    if department.kind == DepartmentKind.TOWNSHIP and not exception_reason.strip():
        errors["exception_reason"] = ValidationError(
            _(
                "A township or street office in principle opens no account: "
                "write the reason for this exception."
            ),
            code="township_exception",
        )
    sibling = same_platform_accounts(department, platform).first()
    if sibling is not None and not duplicate_reason.strip():
        errors["duplicate_reason"] = ValidationError(
            _(
                "The unit already has “%(name)s” on this platform, and one unit has in principle one "
                "account per platform: give the reason for a second one."
            )
            % {"name": sibling.name},
            code="duplicate_platform",
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def filing_submit_open(
    *,
    actor,
    department: Department,
    name: str,
    platform: str,
    platform_uid: str,
    reason: str = "",
    operators: Iterable[Mapping[str, str]] = (),
    duplicate_reason: str = "",
    **account_fields: Any,
) -> Filing:
    """File a new account: the account is created ``pending`` with a ``submitted`` open filing.

    Two policies are checked here (docs/design.md §1.2): a township may open an account only with
    a written exception reason, and a unit's second account on one platform needs a reason
    that acknowledges the one-account-per-platform rule.
    """
    authorize(actor, "registry.submit_filing", department)
    unknown = set(account_fields) - set(MEDIA_ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"filing_submit_open() got unknown fields {', '.join(sorted(unknown))}")
    _check_opening_policy(department, platform, account_fields.get("exception_reason", ""), duplicate_reason)
    existing = MediaAccount.objects.filter(platform=platform, platform_uid=platform_uid).first()
    if existing is not None:
        raise ValidationError(
            {
                "platform_uid": _("This platform ID is already registered as “%(name)s” of %(department)s.")
                % {"name": existing.name, "department": existing.department.name}
            }
        )
    cleaned_operators = _validated_operators(operators)
    account = MediaAccount(
        department=department,
        name=name,
        platform=platform,
        platform_uid=platform_uid,
        status=MediaAccountStatus.PENDING,
        **account_fields,
    )
    account.full_clean()
    account.save()
    Operator.objects.bulk_create(
        Operator(media_account=account, **operator) for operator in cleaned_operators
    )
    filing = Filing(
        media_account=account,
        kind=FilingKind.OPEN,
        reason=reason,
        duplicate_reason=duplicate_reason.strip(),
        submitted_by=actor,
        submitted_at=timezone.now(),
    )
    filing.full_clean()
    filing.save()
    record(
        "registry.filing.submitted",
        actor=actor,
        target=filing,
        changes={
            "after": {
                "kind": filing.kind,
                "reason": reason,
                "duplicate_reason": filing.duplicate_reason,
                "media_account": snapshot(account, MEDIA_ACCOUNT_FIELDS),
                "operators": cleaned_operators,
            }
        },
    )
    return filing


# What a unit may propose to change about its account by filing; the platform and the
# platform ID are what the account *is*, so changing them means filing a new account.
CHANGEABLE_FIELDS = (
    "name",
    "url",
    "verified",
    "functions",
    "responsible_person",
    "has_interaction",
    "exception_reason",
    "operators",
)


def _operators_of(account: MediaAccount) -> list[dict[str, str]]:
    return list(account.operators.order_by("pk").values("name", "phone", "employment"))


def _submit(*, actor, account: MediaAccount, kind: str, **fields: Any) -> Filing:
    filing = Filing(
        media_account=account, kind=kind, submitted_by=actor, submitted_at=timezone.now(), **fields
    )
    filing.full_clean(exclude=["media_account"])
    try:
        with transaction.atomic():
            filing.save()
    except IntegrityError:
        raise InvalidTransition(_("This account already has a filing awaiting approval.")) from None
    return filing


@transaction.atomic
def filing_submit_change(
    *, actor, media_account: MediaAccount, changes: Mapping[str, Any], reason: str = ""
) -> Filing:
    """Propose changes to an active account's record; they apply when the office approves."""
    account = MediaAccount.objects.select_for_update().get(pk=media_account.pk)
    authorize(actor, "registry.submit_filing", account)
    MEDIA_ACCOUNT.check(account, "file_change")
    unknown = set(changes) - set(CHANGEABLE_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("This field cannot be changed by filing.") for name in sorted(unknown)}
        )
    proposed = {
        name: value
        for name, value in changes.items()
        if name != "operators" and getattr(account, name) != value
    }
    if "operators" in changes:
        operators = _validated_operators(changes["operators"])
        if operators != _operators_of(account):
            proposed["operators"] = operators
    if not proposed:
        raise ValidationError(_("The proposed values are the same as the current record."))
    # Validate the proposal against the model now, so the office never approves a broken record.
    candidate = MediaAccount.objects.get(pk=account.pk)
    for name, value in proposed.items():
        if name != "operators":
            setattr(candidate, name, value)
    candidate.full_clean()
    filing = _submit(actor=actor, account=account, kind=FilingKind.CHANGE, changes=proposed, reason=reason)
    before = snapshot(account, [name for name in proposed if name != "operators"])
    if "operators" in proposed:
        before["operators"] = _operators_of(account)
    record(
        "registry.filing.submitted",
        actor=actor,
        target=filing,
        changes={"before": before, "after": {"kind": filing.kind, "reason": reason, **proposed}},
    )
    return filing


@transaction.atomic
def filing_submit_close(
    *,
    actor,
    media_account: MediaAccount,
    reason: str,
    successor: MediaAccount | None = None,
    notice_url: str = "",
) -> Filing:
    """Ask to close an active account, naming the account its audience should follow instead."""
    account = MediaAccount.objects.select_for_update().get(pk=media_account.pk)
    authorize(actor, "registry.submit_filing", account)
    MEDIA_ACCOUNT.check(account, "file_close")
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for closing the account.")})
    if successor is not None and (successor.pk == account.pk or not successor.is_live):
        raise ValidationError({"successor": _("The successor must be another live account.")})
    filing = _submit(
        actor=actor,
        account=account,
        kind=FilingKind.CLOSE,
        reason=reason,
        successor=successor,
        notice_url=notice_url,
    )
    record(
        "registry.filing.submitted",
        actor=actor,
        target=filing,
        changes={
            "after": {
                "kind": filing.kind,
                "reason": reason,
                "successor": successor.pk if successor else None,
                "notice_url": notice_url,
            }
        },
    )
    return filing


@transaction.atomic
def media_accounts_reconfirm(*, actor, media_accounts: Iterable[MediaAccount]) -> int:
    """The unit confirms that its accounts' records are current (the yearly re-confirmation)."""
    ids = [account.pk for account in media_accounts]
    accounts = list(MediaAccount.objects.select_for_update().filter(pk__in=ids).live())
    if len(accounts) != len(set(ids)):
        raise InvalidTransition(_("Only live accounts can be re-confirmed."))
    for account in accounts:
        authorize(actor, "registry.reconfirm_account", account)
    today = timezone.localdate()
    MediaAccount.objects.filter(pk__in=ids).update(last_confirmed_on=today, updated_at=timezone.now())
    record_many(
        "registry.media_account.reconfirmed",
        actor=actor,
        items=(
            (account, diff({"last_confirmed_on": account.last_confirmed_on}, {"last_confirmed_on": today}))
            for account in accounts
        ),
    )
    return len(accounts)


def _locked_submitted_filing(filing: Filing) -> Filing:
    # The row lock makes two deciders queue; the second then finds the filing decided.
    locked = Filing.objects.select_for_update().select_related("media_account").get(pk=filing.pk)
    FILING.check(locked, "approve")  # every decision leaves the same state
    return locked


def _issued_max(year: int) -> int:
    """The highest number given in ``year`` so far, compared as numbers (``-10000`` follows
    ``-9999``, which text order puts last); 0 when there is none."""
    prefix = f"{settings.REGISTRY_FILING_PREFIX}-{year}-"
    numbers = MediaAccount.objects.filter(filing_number__startswith=prefix).values_list(
        "filing_number", flat=True
    )
    suffixes = (number.removeprefix(prefix) for number in numbers)
    return max((int(suffix) for suffix in suffixes if suffix.isascii() and suffix.isdigit()), default=0)


def _take_filing_numbers(count: int) -> list[str]:
    """The next ``count`` filing numbers of this year, from the year's ``FilingSequence`` row.

    The ``UPDATE`` locks that row until the transaction ends, so approvals and imports number one
    after another and a rolled-back one gives its numbers back. Every path takes it at the same
    point: after its own filing and account rows and before the trail's head (sealed at commit),
    so no order of locks can deadlock against it (docs/design.md §4.2).
    """
    year = timezone.localdate().year
    table = connection.ops.quote_name(FilingSequence._meta.db_table)
    with connection.cursor() as cursor:
        for _attempt in range(2):
            cursor.execute(
                f"UPDATE {table} SET last_number = last_number + %s WHERE year = %s RETURNING last_number",
                [count, year],
            )
            row = cursor.fetchone()
            if row is not None:
                break
            # The year's first number: two first approvals may both get here; one row is created
            # (the loser's insert waits for the winner's commit, then does nothing) and both update it.
            FilingSequence.objects.bulk_create(
                [FilingSequence(year=year, last_number=_issued_max(year))], ignore_conflicts=True
            )
    last = row[0]
    prefix = settings.REGISTRY_FILING_PREFIX
    return [f"{prefix}-{year}-{sequence:04d}" for sequence in range(last - count + 1, last + 1)]


def _reject_pending_account(account: MediaAccount, *, actor) -> None:
    account.status = MediaAccountStatus.REJECTED
    account.save(update_fields=["status", "updated_at"])
    record(
        "registry.media_account.rejected",
        actor=actor,
        target=account,
        changes=diff({"status": MediaAccountStatus.PENDING}, {"status": account.status}),
    )


def _decide(filing: Filing, *, actor, status: str, note: str) -> None:
    filing.status = status
    filing.decided_by = actor
    filing.decided_at = timezone.now()
    filing.decision_note = note
    filing.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])


@transaction.atomic
def filing_approve(*, actor, filing: Filing, note: str = "") -> Filing:
    """Approve a filing (office only).

    Approving ``open`` activates the account and gives it its filing number; approving
    ``change`` applies the proposed changes; approving ``close`` closes the account.
    """
    authorize(actor, "registry.approve_filing")
    filing = _locked_submitted_filing(filing)
    account = MediaAccount.objects.select_for_update().get(pk=filing.media_account_id)
    filing.media_account = account  # so the caller sees the account as approved (its filing number)
    if filing.kind == FilingKind.OPEN:
        _activate(account, actor=actor)
    elif filing.kind == FilingKind.CHANGE:
        _apply_changes(account, filing.changes, actor=actor)
    else:
        MEDIA_ACCOUNT.check(account, "close")
        _close(account, status=MediaAccountStatus.CLOSED, merged_into_id=filing.successor_id, actor=actor)
    _decide(filing, actor=actor, status=FilingStatus.APPROVED, note=note)
    record("registry.filing.approved", actor=actor, target=filing, changes={"after": {"note": note}})
    return filing


def _activate(account: MediaAccount, *, actor) -> None:
    MEDIA_ACCOUNT.check(account, "activate")
    before = snapshot(account, ("status", "filing_number"))
    account.status = MediaAccountStatus.ACTIVE
    account.opened_on = account.activated_on = timezone.localdate()
    [account.filing_number] = _take_filing_numbers(1)
    account.save(update_fields=("filing_number", "status", "opened_on", "activated_on", "updated_at"))
    record(
        "registry.media_account.activated",
        actor=actor,
        target=account,
        changes=diff(before, snapshot(account, ("status", "filing_number"))),
    )


def _apply_changes(account: MediaAccount, changes: Mapping[str, Any], *, actor) -> None:
    MEDIA_ACCOUNT.check(account, "change")
    fields = {name: value for name, value in changes.items() if name != "operators"}
    before = snapshot(account, fields)
    for name, value in fields.items():
        setattr(account, name, value)
    account.full_clean()
    account.save()
    audited = diff(before, snapshot(account, fields))
    if "operators" in changes:
        audited["before"]["operators"] = _operators_of(account)
        account.operators.all().delete()
        Operator.objects.bulk_create(Operator(media_account=account, **item) for item in changes["operators"])
        audited["after"]["operators"] = changes["operators"]
    record("registry.media_account.changed", actor=actor, target=account, changes=audited)


# What closing an account changes, as its trail event shows it.
CLOSE_FIELDS = ("status", "merged_into", "closed_on")


def _close(account: MediaAccount, *, status: str, merged_into_id: int | None, actor) -> None:
    before = snapshot(account, CLOSE_FIELDS)
    account.status = status
    account.closed_on = timezone.localdate()
    account.merged_into_id = merged_into_id
    account.save(update_fields=["status", "closed_on", "merged_into", "updated_at"])
    record(
        "registry.media_account.closed",
        actor=actor,
        target=account,
        changes=diff(before, snapshot(account, CLOSE_FIELDS)),
    )


@transaction.atomic
def media_account_order_closure(
    *, actor, media_account: MediaAccount, merge_target: MediaAccount | None = None
) -> MediaAccount | None:
    """A campaign's close (or merge) decision: the live account is ``closing`` (``merging`` into
    ``merge_target``) until the office verifies its order (:func:`media_account_close`).

    ``None`` when the account has ended meanwhile, through its own filing: there is nothing left to
    order, and making it ``closing`` again would undo the filing.
    """
    authorize(actor, "audits.decide_application")
    account = MediaAccount.objects.select_for_update().get(pk=media_account.pk)
    if not MEDIA_ACCOUNT.allows(account, "order_closure"):
        return None
    before = snapshot(account, ("status",))
    account.status = MediaAccountStatus.MERGING if merge_target is not None else MediaAccountStatus.CLOSING
    account.save(update_fields=["status", "updated_at"])
    record(
        "registry.media_account.closure_ordered",
        actor=actor,
        target=account,
        changes=diff(before, snapshot(account, ("status",))),
    )
    return account


@transaction.atomic
def media_account_close(
    *,
    actor,
    media_account: MediaAccount,
    reason: str,
    merge_target: MediaAccount | None = None,
    notice_url: str = "",
    submitted_by=None,
    submitted_at: datetime.datetime | None = None,
    note: str = "",
) -> Filing:
    """The office closes an account on a campaign's verified order (merged into ``merge_target``
    when given), without a filing of the unit's: the account's submitted filings are withdrawn, each
    recorded, and an approved close filing is recorded, so the registry's history tells the whole
    story. ``submitted_by``/``submitted_at`` say who asked for the closure and when (the unit's
    confirmation); ``note`` is the office's decision note."""
    authorize(actor, "audits.verify_closure_order")
    # The account's submitted filings before the account, the order in which filing_approve locks
    # them: taken the other way round, the two would each wait for the other.
    pending = list(
        Filing.objects.select_for_update().filter(
            media_account_id=media_account.pk, status=FilingStatus.SUBMITTED
        )
    )
    account = MediaAccount.objects.select_for_update().get(pk=media_account.pk)
    MEDIA_ACCOUNT.check(account, "close_on_order")
    status = MediaAccountStatus.MERGED if merge_target is not None else MediaAccountStatus.CLOSED
    _close(account, status=status, merged_into_id=merge_target.pk if merge_target else None, actor=actor)
    # Moot once the account is closed.
    withdrawal_note = _("Closed by the campaign")
    for filing in pending:
        _decide(filing, actor=actor, status=FilingStatus.WITHDRAWN, note=withdrawal_note)
    record_many(
        "registry.filing.withdrawn",
        actor=actor,
        items=((filing, {"after": {"note": withdrawal_note}}) for filing in pending),
    )
    now = timezone.now()
    filing = Filing.objects.create(
        media_account=account,
        kind=FilingKind.CLOSE,
        status=FilingStatus.APPROVED,
        reason=reason,
        successor=merge_target,
        notice_url=notice_url,
        submitted_by=submitted_by,
        submitted_at=submitted_at or now,
        decided_by=actor,
        decided_at=now,
        decision_note=note,
    )
    record("registry.filing.approved", actor=actor, target=filing, changes={"after": {"kind": filing.kind}})
    return filing


@transaction.atomic
def filing_reject(*, actor, filing: Filing, note: str = "") -> Filing:
    """Reject a filing (office only); a rejected ``open`` filing leaves its account ``rejected``."""
    authorize(actor, "registry.reject_filing")
    filing = _locked_submitted_filing(filing)
    _decide(filing, actor=actor, status=FilingStatus.REJECTED, note=note)
    record("registry.filing.rejected", actor=actor, target=filing, changes={"after": {"note": note}})
    if filing.kind == FilingKind.OPEN:
        _reject_pending_account(filing.media_account, actor=actor)
    return filing


@transaction.atomic
def filing_withdraw(*, actor, filing: Filing, note: str = "") -> Filing:
    """The submitter (or the office) takes a filing back before it is decided."""
    authorize(actor, "registry.withdraw_filing", filing)
    filing = _locked_submitted_filing(filing)
    _decide(filing, actor=actor, status=FilingStatus.WITHDRAWN, note=note)
    record("registry.filing.withdrawn", actor=actor, target=filing, changes={"after": {"note": note}})
    if filing.kind == FilingKind.OPEN:
        _reject_pending_account(filing.media_account, actor=actor)
    return filing


@dataclass(frozen=True)
class RowError:
    """One problem in one row of an uploaded file, named as a person would find it."""

    row: int
    field: str
    message: str


class ImportRejected(ValidationError):
    """An import with bad rows: nothing was written; ``row_errors`` lists every problem."""

    def __init__(self, row_errors: list[RowError]):
        self.row_errors = row_errors
        super().__init__([f"{error.row}: {error.field}: {error.message}" for error in row_errors])


# The import template's operator columns: up to three people per account (运维人员1–3), each a
# name, a phone and an employment, read from the cells ``operator1_name`` … ``operator3_employment``.
IMPORT_OPERATORS = 3
OPERATOR_CELLS = ("name", "phone", "employment")


def operator_cell(number: int, cell: str) -> str:
    return f"operator{number}_{cell}"


_TRUE = {"1", "true", "yes", "y", "是", "有", "已认证", "√"}
_FALSE = {"", "0", "false", "no", "n", "否", "无", "未认证", "×"}


def _choice(value: str, choices) -> str | None:
    value = value.strip()
    for code, label in choices:
        if value in (code, str(label)):
            return code
    return None


def _imported_operators(row: Mapping[str, Any], error) -> list[dict[str, str]]:
    """The operators of an import row, each named by its columns when a cell is wrong."""
    operators = []
    for number in range(1, IMPORT_OPERATORS + 1):
        name, phone, kind = (
            str(row.get(operator_cell(number, cell)) or "").strip() for cell in OPERATOR_CELLS
        )
        if not (name or phone or kind):
            continue
        if not name:
            error(
                operator_cell(number, "name"),
                _("A phone or an employment is filled in: write the operator's name."),
            )
        employment = _choice(kind, Employment.choices)
        # As on the filing form: a missing name is the one problem of a row with only a phone.
        if employment is None and (name or kind):
            error(
                operator_cell(number, "employment"),
                _("Write the employment: %(staff)s, %(part_time)s or %(outsourced)s.")
                % {str(code): label for code, label in Employment.choices},
            )
        for cell, value in (("name", name), ("phone", phone)):
            limit = Operator._meta.get_field(cell).max_length
            if len(value) > limit:
                error(
                    operator_cell(number, cell),
                    _("At most %(limit)d characters (%(count)d given).")
                    % {"limit": limit, "count": len(value)},
                )
        operators.append({"name": name, "phone": phone, "employment": employment or ""})
    return operators


def _imported_account(
    row: Mapping[str, Any], departments: Mapping[str, Department]
) -> tuple[MediaAccount, list[dict[str, str]], list[RowError]]:
    from registry.choices import AccountFunction, Platform  # local: only imports need labels

    errors = []

    def error(field, message):
        errors.append(RowError(row=row["row"], field=field, message=str(message)))

    department = departments.get(str(row.get("department_code") or "").strip())
    if department is None:
        error(
            "department_code",
            _("Unknown department code “%(code)s”.") % {"code": row.get("department_code") or ""},
        )
    elif not department.is_active:
        error(
            "department_code",
            _("The unit “%(name)s” is no longer active: no account can be registered for it.")
            % {"name": department.name},
        )
    platform = _choice(str(row.get("platform") or ""), Platform.choices)
    if platform is None:
        error("platform", _("Unknown platform “%(value)s”.") % {"value": row.get("platform") or ""})
    flags = {}
    for field in ("verified", "has_interaction"):
        raw = str(row.get(field) or "").strip().lower()
        if raw in _TRUE:
            flags[field] = True
        elif raw in _FALSE:
            flags[field] = field == "has_interaction" and raw == ""  # interaction is assumed unless denied
        else:
            error(field, _("Write 是 or 否."))
    functions = []
    for part in str(row.get("functions") or "").replace("，", ",").replace("、", ",").split(","):
        if part.strip():
            code = _choice(part, AccountFunction.choices)
            if code is None:
                error("functions", _("Unknown function “%(value)s”.") % {"value": part.strip()})
            else:
                functions.append(code)
    account = MediaAccount(
        department=department,
        name=str(row.get("name") or "").strip(),
        platform=platform or "",
        platform_uid=str(row.get("platform_uid") or "").strip(),
        url=str(row.get("url") or "").strip(),
        responsible_person=str(row.get("responsible_person") or "").strip(),
        exception_reason=str(row.get("exception_reason") or "").strip(),
        functions=functions,
        status=MediaAccountStatus.ACTIVE,
        filing_number="pending",  # replaced on save; keeps the model's own checks meaningful
        **flags,
    )
    try:
        account.full_clean(
            exclude=["department", "platform", "filing_number"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as invalid:
        for field, messages in invalid.message_dict.items():
            for message in messages:
                error(field, message)
    return account, _imported_operators(row, error), errors


@transaction.atomic
def media_accounts_import(
    *, actor, rows: Iterable[Mapping[str, Any]], dry_run: bool = False
) -> list[MediaAccount]:
    """Register existing accounts in bulk, for a district's first registration (office only).

    Each row maps field names, and ``operator1_name`` … ``operator3_employment`` for the
    account's operators, to the cell text and carries its ``row`` number. Every row is
    checked before anything is written; any problem rejects the whole file with every bad
    row listed. Imported accounts are active, numbered, and carry an approved open filing.
    """
    authorize(actor, "registry.import_accounts")
    rows = list(rows)
    departments = {department.code: department for department in Department.objects.all()}
    accounts, operators, errors = [], [], []
    for row in rows:
        account, row_operators, row_errors = _imported_account(row, departments)
        accounts.append(account)
        operators.append(row_operators)
        errors.extend(row_errors)
    keys = [(account.platform, account.platform_uid) for account in accounts]
    taken = {
        (platform, uid): name
        for platform, uid, name in MediaAccount.objects.filter(
            platform_uid__in=[uid for _platform, uid in keys]
        ).values_list("platform", "platform_uid", "name")
    }
    first_row: dict[tuple[str, str], int] = {}
    for row, key in zip(rows, keys, strict=True):
        if not key[1]:
            continue
        if key in taken:
            errors.append(
                RowError(
                    row["row"], "platform_uid", _("Already registered as “%(name)s”.") % {"name": taken[key]}
                )
            )
        elif key in first_row:
            errors.append(
                RowError(
                    row["row"],
                    "platform_uid",
                    _("Same platform ID as row %(row)s.") % {"row": first_row[key]},
                )
            )
        else:
            first_row[key] = row["row"]
    if not rows:
        errors.append(RowError(0, "", _("The file has no rows.")))
    if errors:
        raise ImportRejected(sorted(errors, key=lambda error: error.row))
    if dry_run:
        return accounts
    now = timezone.now()
    for account, number in zip(accounts, _take_filing_numbers(len(accounts)), strict=True):
        account.opened_on = timezone.localdate()
        account.filing_number = number
    MediaAccount.objects.bulk_create(accounts, batch_size=1000)
    Filing.objects.bulk_create(
        Filing(
            media_account=account,
            kind=FilingKind.OPEN,
            status=FilingStatus.APPROVED,
            reason=_("First registration"),
            submitted_by=actor,
            submitted_at=now,
            decided_by=actor,
            decided_at=now,
        )
        for account in accounts
    )
    Operator.objects.bulk_create(
        Operator(media_account=account, **operator)
        for account, account_operators in zip(accounts, operators, strict=True)
        for operator in account_operators
    )
    record_many(
        "registry.media_account.imported",
        actor=actor,
        items=(
            (
                account,
                {
                    "after": {
                        **snapshot(account, (*MEDIA_ACCOUNT_FIELDS, "filing_number")),
                        "operators": account_operators,
                    }
                },
            )
            for account, account_operators in zip(accounts, operators, strict=True)
        ),
    )
    return accounts


# What the office may correct on the record besides what units file: the day an account went live,
# for one that had run long before its open filing was approved.
CORRECTABLE_FIELDS = (*MEDIA_ACCOUNT_FIELDS, "activated_on")


@transaction.atomic
def media_account_update(*, actor, media_account: MediaAccount, **fields: Any) -> MediaAccount:
    """The office corrects an account's record directly (units propose changes by filing)."""
    authorize(actor, "registry.change_account")
    unknown = set(fields) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise TypeError(f"media_account_update() cannot change {', '.join(sorted(unknown))}")
    account = MediaAccount.objects.select_for_update().get(pk=media_account.pk)
    before = snapshot(account, CORRECTABLE_FIELDS)
    for name, value in fields.items():
        setattr(account, name, value)
    account.full_clean()
    account.save()
    changes = diff(before, snapshot(account, CORRECTABLE_FIELDS))
    if changes["after"]:
        record("registry.media_account.updated", actor=actor, target=account, changes=changes)
    return account


# Metrics ----------------------------------------------------------------------------------------


MetricRow = tuple  # (account id, date, *the figures in the order of AccountMetric.FIGURES)


@dataclass
class CheckedRows:
    """Daily figures checked by ``registry.metrics.check_metric_rows`` for ``user``, ready for
    ``metrics_record``, or the problems that keep all of them out.

    Checked means every value, ``user``'s scope for every account (``departments`` are the accounts'
    units) and one row per account and day: ``metrics_record`` takes them as they are rather than
    checking 10,000 rows a second time. ``created`` and ``replaced`` are counted for a check page
    only (``registry.metrics.check_metric_sheet``); the write counts its own.
    """

    rows: list[dict]
    errors: list[RowError]
    user: Any = None
    departments: frozenset[int] = frozenset()
    created: int = 0  # days not entered before
    replaced: int = 0  # days whose figures the rows replace

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def media_accounts(self) -> int:
        return len({row["media_account"] for row in self.rows})


@dataclass(frozen=True)
class MetricsRecorded:
    """What ``metrics_record`` wrote."""

    rows: int
    media_accounts: int
    created: int  # days not entered before
    replaced: int  # days entered before: their figures replaced, or the same sent again


_METRIC_ROW = itemgetter("media_account", "date", *AccountMetric.FIGURES)


def _checked_metric_rows(actor, checked: CheckedRows) -> list[MetricRow]:
    # Rows checked for someone else, or with problems, are a programming error, not the user's.
    if checked.errors or checked.user != actor:
        raise ValueError("metrics_record() takes rows checked for its actor and without problems")
    return [_METRIC_ROW(row) for row in checked.rows]


def _validated_metric_rows(rows: Iterable[Mapping[str, Any]]) -> list[MetricRow]:
    today = timezone.localdate()
    metrics, errors = [], {}
    for index, row in enumerate(rows):
        row_errors = {}
        media_account = row.get("media_account")
        account_id = media_account.pk if isinstance(media_account, MediaAccount) else media_account
        if isinstance(account_id, bool) or not isinstance(account_id, int):
            row_errors["media_account"] = _("Must be the ID of a media account (a whole number).")
        day = row.get("date")
        if not isinstance(day, datetime.date):
            row_errors["date"] = _("A date is required.")
        elif day > today:
            row_errors["date"] = _("The date is in the future.")
        figures = []
        for name in AccountMetric.FIGURES:
            value = row.get(name, 0)
            # A bool is an int to isinstance, and no figure; type() tells them apart in one step.
            if type(value) is not int or value < 0:
                row_errors[name] = _("Must be a whole number of at least 0.")
            figures.append(value)
        if row_errors:
            errors[index] = row_errors
            continue
        metrics.append((account_id, day, *figures))
    if errors:
        raise ValidationError(
            {
                f"rows[{index}].{field}": message
                for index, fields in errors.items()
                for field, message in fields.items()
            }
        )
    return metrics


def metric_rows_text(metrics: Iterable[MetricRow]) -> str:
    """Rows in their canonical form: one line each, sorted by account and date, the account id, the
    date (YYYY-MM-DD) and the figures separated by tabs. It is what COPY reads and what the upload's
    event digests (docs/design.md §4.4)."""
    # One format per line rather than a str() per value: 10,000 rows are 110,000 values.
    return "".join([_METRIC_LINE % metric for metric in sorted(metrics)])


_METRIC_LINE = "\t".join(["%s"] * (2 + len(AccountMetric.FIGURES))) + "\n"  # a date prints as YYYY-MM-DD


def upload_department(actor, departments: set[int]) -> int | None:
    # The upload's one event is seen by those who see every account it carried, never more
    # (docs/design.md §6.1): their unit when there is one, else the uploader's own unit, whose
    # subtree holds them all (the scope check made sure); else only the office and auditors.
    if len(departments) == 1:
        return next(iter(departments))
    if actor is not None and not rules.is_office_admin(actor):
        return actor.department_id
    return None


def _upsert_sql(table: str, source: str, *, id: bool = False) -> str:
    """One upsert by account and day (``source`` gives each row's ``id`` first, if ``id``). A day
    whose figures are the same is left as it was, its arrival (``recorded_at``) included: collectors
    re-send the last days with every post, and a rewrite would cost as much as a new row and tell
    nothing."""
    figures = AccountMetric.FIGURES
    columns = ", ".join(("id", "media_account_id", "date", *figures, "recorded_at")[0 if id else 1 :])
    updates = ", ".join(f"{name} = excluded.{name}" for name in (*figures, "recorded_at"))
    old = ", ".join(f"{table}.{name}" for name in figures)
    new = ", ".join(f"excluded.{name}" for name in figures)
    return (
        f"INSERT INTO {table} ({columns}) {source} "
        f"ON CONFLICT (media_account_id, date) DO UPDATE SET {updates} WHERE ({old}) <> ({new})"
    )


def _metrics_copy(metrics_text: str, recorded_at: datetime.datetime) -> int:
    """PostgreSQL: the rows COPYed into a staging table, written by one set-based upsert, and the
    accounts whose figures it wrote brought up to them by one update. How many days are new."""
    table = connection.ops.quote_name(AccountMetric._meta.db_table)
    sequence = f"{AccountMetric._meta.db_table}_id_seq"
    columns = ", ".join(("media_account_id", "date", *AccountMetric.FIGURES))
    with connection.cursor() as cursor:
        # Each staged row draws its id from the figures' own sequence (migration 0007 names it) as it
        # is copied in. The upsert keeps an existing day's id, so a row written under its staged id
        # is a new day: that counts the days entered before without probing for each of them
        # (RETURNING xmax, the usual way, is refused on a partitioned table).
        cursor.execute(
            f"CREATE TEMPORARY TABLE metric_upload ON COMMIT DROP AS "
            f"SELECT id, {columns} FROM {table} WITH NO DATA"
        )
        cursor.execute(f"ALTER TABLE metric_upload ALTER COLUMN id SET DEFAULT nextval('{sequence}')")
        cursor.cursor.copy_expert(f"COPY metric_upload ({columns}) FROM STDIN", io.StringIO(metrics_text))
        cursor.execute(
            f"WITH written AS ({_upsert_sql(table, f'SELECT id, {columns}, %s FROM metric_upload', id=True)} "
            "RETURNING id, media_account_id) "
            "SELECT count(u.id), array_agg(DISTINCT w.media_account_id)::text "
            "FROM written w LEFT JOIN metric_upload u ON u.id = w.id",
            [recorded_at],
        )
        created, written_accounts = cursor.fetchone()
        if written_accounts:  # an upload that changed no day's figures changes no account either
            cursor.execute(
                _FOLLOW_UPLOAD_SQL.format(
                    account=connection.ops.quote_name(MediaAccount._meta.db_table), metric=table
                ),
                [written_accounts],
            )
        # Dropped now rather than at commit, for a second upload in the same transaction.
        cursor.execute("DROP TABLE metric_upload")
    return created


# PostgreSQL: the accounts' followers and last post from the upload itself, which only
# metrics_record ever changes, so that each account costs one probe of its figures (is there a day
# after the upload's newest?) rather than a walk back to its last posting day, which for a silent
# account is every day of the year. The walk is left for an account whose last posting day the
# upload re-sends without posts. An account left as it was is not written, and one whose followers
# are already the upload's newest needs no probe at all (a collector re-sends its last days).
_FOLLOW_UPLOAD_SQL = """
UPDATE {account} a SET followers = x.followers, last_post_on = x.last_post_on
FROM (
    SELECT a.id,
        CASE
            WHEN u.newest_followers = a.followers THEN a.followers
            WHEN EXISTS (SELECT 1 FROM {metric} m WHERE m.media_account_id = a.id AND m.date > u.newest)
                THEN a.followers
            ELSE u.newest_followers
        END AS followers,
        CASE
            WHEN u.posted IS NOT NULL AND (a.last_post_on IS NULL OR u.posted >= a.last_post_on) THEN u.posted
            WHEN u.silent @> ARRAY[a.last_post_on] THEN (
                SELECT m.date FROM {metric} m WHERE m.media_account_id = a.id AND m.posts > 0
                ORDER BY m.date DESC LIMIT 1
            )
            ELSE a.last_post_on
        END AS last_post_on
    FROM (
        SELECT media_account_id AS id, max(date) AS newest,
            (array_agg(followers ORDER BY date DESC))[1] AS newest_followers,
            max(date) FILTER (WHERE posts > 0) AS posted,
            array_agg(date) FILTER (WHERE posts = 0) AS silent
        FROM metric_upload WHERE media_account_id = ANY(%s::bigint[]) GROUP BY media_account_id
    ) u JOIN {account} a ON a.id = u.id
) x
WHERE a.id = x.id AND (a.followers, a.last_post_on) IS DISTINCT FROM (x.followers, x.last_post_on)
"""


def _metrics_insert(metrics: list[MetricRow], recorded_at: datetime.datetime) -> None:
    """SQLite: one upsert statement, prepared once and run for every row (``executemany``)."""
    table = connection.ops.quote_name(AccountMetric._meta.db_table)
    recorded = connection.ops.adapt_datetimefield_value(recorded_at)
    values = ", ".join(["%s"] * (len(AccountMetric.FIGURES) + 3))
    with connection.cursor() as cursor:
        cursor.executemany(
            _upsert_sql(table, f"VALUES ({values})"),
            [
                (metric[0], connection.ops.adapt_datefield_value(metric[1]), *metric[2:], recorded)
                for metric in metrics
            ],
        )


def _follow_newest_figures(account_ids: set[int]) -> None:
    """SQLite: each account's followers and last post day, from its newest figures; an account they
    leave as it was is not written (a re-sent day, or an older one)."""
    newest = AccountMetric.objects.filter(media_account=OuterRef("pk")).order_by("-date")
    followers = Coalesce(Subquery(newest.values("followers")[:1]), 0)
    last_post = Subquery(newest.filter(posts__gt=0).values("date")[:1])
    never = datetime.date.min  # no post: compared as a day, since NULL equals nothing
    (
        MediaAccount.objects.filter(pk__among=account_ids)
        .alias(
            new_followers=followers,
            last_post=Coalesce("last_post_on", Value(never)),
            new_last_post=Coalesce(last_post, Value(never)),
        )
        .filter(~Q(followers=F("new_followers")) | ~Q(last_post=F("new_last_post")))
        .update(followers=followers, last_post_on=last_post)
    )


@transaction.atomic
def metrics_record(*, actor, rows: Iterable[Mapping[str, Any]] | CheckedRows) -> MetricsRecorded:
    """Upsert daily figures by account and day, then bring each account's followers and
    last post date up to its newest data, in a fixed number of statements whatever the row count.

    Each row is a mapping with ``media_account`` (an account or its id), ``date`` and the
    figures of ``AccountMetric.FIGURES``; they are checked here, and the actor's scope for their
    units. ``CheckedRows`` (``registry.metrics.check_metric_rows`` for this actor, in the same
    request) are taken as checked. The rows are all written or, on any bad row, none.
    A row keeps when its figures arrived (``recorded_at``: the upload that last changed them); the
    upload records one event with the rows' count, accounts, days and the SHA-256 of their canonical
    text (:func:`metric_rows_text`), under the unit that sees them all (docs/design.md §4.4).
    """
    if isinstance(rows, CheckedRows):
        metrics = _checked_metric_rows(actor, rows)
        departments = set(rows.departments)
    else:
        metrics = _validated_metric_rows(rows)
        departments = _metrics_departments(actor, {metric[0] for metric in metrics})
        if len(metrics) != len({metric[:2] for metric in metrics}):
            # PostgreSQL refuses to upsert one key twice in a statement; which row should win is a guess.
            raise ValidationError({"date": _("Each account and date may appear only once.")})
    if not metrics:
        return MetricsRecorded(rows=0, media_accounts=0, created=0, replaced=0)
    account_ids = {metric[0] for metric in metrics}
    text = metric_rows_text(metrics)
    now = timezone.now()
    if connection.vendor == "postgresql":
        entered = len(metrics) - _metrics_copy(text, now)
    else:
        entered = metrics_entered({metric[:2] for metric in metrics})
        _metrics_insert(metrics, now)
        _follow_newest_figures(account_ids)
    days = [metric[1] for metric in metrics]
    record(
        "registry.metrics.recorded",
        actor=actor,
        department_id=upload_department(actor, departments),
        changes={
            "after": {
                "rows": len(metrics),
                "media_accounts": sorted(account_ids),
                "from": min(days),
                "to": max(days),
                "digest": hashlib.sha256(text.encode()).hexdigest(),
            }
        },
    )
    # A computed week's index follows its figures, new or corrected (docs/design.md §8).
    ranking_services.weeks_touched(set(days))
    return MetricsRecorded(
        rows=len(metrics), media_accounts=len(account_ids), created=len(metrics) - entered, replaced=entered
    )


def _metrics_departments(actor, account_ids: set[int]) -> set[int]:
    """The accounts' units, each one checked for ``actor``: an unknown account is a ValidationError."""
    departments = dict(
        MediaAccount.objects.filter(pk__among=account_ids).order_by().values_list("pk", "department_id")
    )
    missing = account_ids - departments.keys()
    if missing:
        raise ValidationError(
            {
                "media_account": _("Unknown media account: %(ids)s")
                % {"ids": ", ".join(str(pk) for pk in sorted(missing))}
            }
        )
    # The scope is a unit's: asked once per unit the rows' accounts belong to, not once per row.
    for department_id in set(departments.values()):
        authorize(actor, "registry.enter_account_metrics", Department(pk=department_id))
    return set(departments.values())


def metrics_entered(keys: set[tuple[int, datetime.date]]) -> int:
    """How many of these (account id, day) already have figures."""
    if not keys:
        return 0
    days = [day for _account, day in keys]
    existing = (
        AccountMetric.objects.filter(
            media_account__pk__among={account for account, _day in keys},
            date__gte=min(days),
            date__lte=max(days),
        )
        .order_by()
        .values_list("media_account_id", "date")
    )
    return sum(1 for key in existing if key in keys)
