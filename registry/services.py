"""Every write to the registry: departments, filings and the accounts they govern, metrics.

Each service runs in one transaction, checks who may act, refuses bad input with a
``ValidationError`` and illegal moves with ``InvalidTransition``, and records its audit event.
``actor=None`` means the system itself (a scheduled job or a management command).
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import permissions
from audits.services.trail import diff, record, record_many, snapshot
from config.errors import InvalidTransition
from registry.choices import Employment, FilingKind, FilingStatus, MediaAccountStatus
from registry.models import AccountMetric, Department, Filing, MediaAccount, Operator

DEPARTMENT_FIELDS = (
    "name",
    "code",
    "kind",
    "parent",
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


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _is_system_or_office(actor) -> bool:
    return actor is None or permissions.is_office_admin(actor)


# Departments -----------------------------------------------------------------------------


@transaction.atomic
def department_create(*, actor, **fields: Any) -> Department:
    """Register a unit that runs accounts (office only)."""
    _require(_is_system_or_office(actor))
    department = Department(**fields)
    department.full_clean()
    department.save()
    record(
        "registry.department.created",
        actor=actor,
        target=department,
        changes={"after": snapshot(department, DEPARTMENT_FIELDS)},
    )
    return department


@transaction.atomic
def department_update(*, actor, department: Department, **fields: Any) -> Department:
    """Change a unit's record (office only)."""
    _require(_is_system_or_office(actor))
    department = Department.objects.select_for_update().get(pk=department.pk)
    before = snapshot(department, DEPARTMENT_FIELDS)
    for name, value in fields.items():
        if name not in DEPARTMENT_FIELDS:
            raise TypeError(f"department_update() cannot change {name}")
        setattr(department, name, value)
    department.full_clean()
    department.save()
    changes = diff(before, snapshot(department, DEPARTMENT_FIELDS))
    if changes["after"]:
        record("registry.department.updated", actor=actor, target=department, changes=changes)
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
        cleaned.append({"name": name, "phone": (operator.get("phone") or "").strip(), "employment": employment})
    return cleaned


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
    **account_fields: Any,
) -> Filing:
    """File a new account: the account is created ``pending`` with a ``submitted`` open filing."""
    _require(actor is None or permissions.can_act_for_department(actor, department.pk))
    unknown = set(account_fields) - set(MEDIA_ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"filing_submit_open() got unknown fields {', '.join(sorted(unknown))}")
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
    Operator.objects.bulk_create(Operator(media_account=account, **operator) for operator in cleaned_operators)
    filing = Filing(
        media_account=account,
        kind=FilingKind.OPEN,
        reason=reason,
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
                "media_account": snapshot(account, MEDIA_ACCOUNT_FIELDS),
                "operators": cleaned_operators,
            }
        },
    )
    return filing


def _locked_submitted_filing(filing: Filing) -> Filing:
    # The row lock makes two deciders queue; the second then finds the filing decided.
    locked = Filing.objects.select_for_update().select_related("media_account").get(pk=filing.pk)
    if locked.status != FilingStatus.SUBMITTED:
        raise InvalidTransition(
            _("This filing is already %(status)s.") % {"status": locked.get_status_display()}
        )
    return locked


def _next_filing_number(year: int) -> str:
    prefix = f"{settings.REGISTRY_FILING_PREFIX}-{year}-"
    last = (
        MediaAccount.objects.filter(filing_number__startswith=prefix)
        .order_by("-filing_number")
        .values_list("filing_number", flat=True)
        .first()
    )
    sequence = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{sequence:04d}"


def _assign_filing_number(account: MediaAccount) -> None:
    """Give an account the next free number; retried if a concurrent approval took it first."""
    year = timezone.localdate().year
    for _attempt in range(5):
        account.filing_number = _next_filing_number(year)
        try:
            with transaction.atomic():
                account.save(update_fields=["filing_number", "status", "opened_on", "updated_at"])
            return
        except IntegrityError:
            continue
    raise InvalidTransition(_("Could not assign a filing number; please try again."))


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
    """Approve a filing (office only). Approving ``open`` activates the account and numbers it."""
    _require(_is_system_or_office(actor))
    filing = _locked_submitted_filing(filing)
    account = MediaAccount.objects.select_for_update().get(pk=filing.media_account_id)
    before = snapshot(account, ("status", "filing_number"))
    if filing.kind == FilingKind.OPEN:
        account.status = MediaAccountStatus.ACTIVE
        account.opened_on = timezone.localdate()
        _assign_filing_number(account)
    else:
        # Change and close filings are decided by the registry workflow built on top of this.
        raise InvalidTransition(_("This kind of filing cannot be approved yet."))
    _decide(filing, actor=actor, status=FilingStatus.APPROVED, note=note)
    record("registry.filing.approved", actor=actor, target=filing, changes={"after": {"note": note}})
    record(
        "registry.media_account.activated",
        actor=actor,
        target=account,
        changes=diff(before, snapshot(account, ("status", "filing_number"))),
    )
    return filing


@transaction.atomic
def filing_reject(*, actor, filing: Filing, note: str = "") -> Filing:
    """Reject a filing (office only); a rejected ``open`` filing leaves its account ``rejected``."""
    _require(_is_system_or_office(actor))
    filing = _locked_submitted_filing(filing)
    _decide(filing, actor=actor, status=FilingStatus.REJECTED, note=note)
    record("registry.filing.rejected", actor=actor, target=filing, changes={"after": {"note": note}})
    if filing.kind == FilingKind.OPEN:
        _reject_pending_account(filing.media_account, actor=actor)
    return filing


@transaction.atomic
def filing_withdraw(*, actor, filing: Filing, note: str = "") -> Filing:
    """The submitter (or the office) takes a filing back before it is decided."""
    _require(
        actor is None
        or permissions.is_office_admin(actor)
        or (filing.submitted_by_id == actor.pk and permissions.can_act_for_department(
            actor, filing.media_account.department_id))
    )
    filing = _locked_submitted_filing(filing)
    _decide(filing, actor=actor, status=FilingStatus.WITHDRAWN, note=note)
    record("registry.filing.withdrawn", actor=actor, target=filing, changes={"after": {"note": note}})
    if filing.kind == FilingKind.OPEN:
        _reject_pending_account(filing.media_account, actor=actor)
    return filing


@transaction.atomic
def media_account_update(*, actor, media_account: MediaAccount, **fields: Any) -> MediaAccount:
    """The office corrects an account's record directly (units propose changes by filing)."""
    _require(_is_system_or_office(actor))
    unknown = set(fields) - set(MEDIA_ACCOUNT_FIELDS)
    if unknown:
        raise TypeError(f"media_account_update() cannot change {', '.join(sorted(unknown))}")
    account = MediaAccount.objects.select_for_update().get(pk=media_account.pk)
    before = snapshot(account, MEDIA_ACCOUNT_FIELDS)
    for name, value in fields.items():
        setattr(account, name, value)
    account.full_clean()
    account.save()
    changes = diff(before, snapshot(account, MEDIA_ACCOUNT_FIELDS))
    if changes["after"]:
        record("registry.media_account.updated", actor=actor, target=account, changes=changes)
    return account


# Metrics ----------------------------------------------------------------------------------------


def _validated_metric_rows(rows: Iterable[Mapping[str, Any]]) -> list[AccountMetric]:
    today = timezone.localdate()
    metrics, errors = [], {}
    for index, row in enumerate(rows):
        row_errors = {}
        day = row.get("date")
        if not isinstance(day, datetime.date):
            row_errors["date"] = _("A date is required.")
        elif day > today:
            row_errors["date"] = _("The date is in the future.")
        figures = {}
        for name in AccountMetric.FIGURES:
            value = row.get(name, 0)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                row_errors[name] = _("Must be a whole number of at least 0.")
            figures[name] = value
        if row_errors:
            errors[index] = row_errors
            continue
        media_account = row["media_account"]
        account_id = media_account.pk if isinstance(media_account, MediaAccount) else media_account
        metrics.append(AccountMetric(media_account_id=account_id, date=day, **figures))
    if errors:
        raise ValidationError({f"rows[{index}].{field}": message for index, fields in errors.items()
                               for field, message in fields.items()})
    return metrics


@transaction.atomic
def metrics_record(*, actor, rows: Iterable[Mapping[str, Any]]) -> int:
    """Upsert daily figures by account and day, then bring each account's followers and
    last post date up to its newest data, in a fixed number of queries whatever the row count.

    Each row is a mapping with ``media_account`` (an account or its id), ``date`` and the
    figures of ``AccountMetric.FIGURES``. The rows are all written or, on any bad row, none.
    """
    metrics = _validated_metric_rows(rows)
    if not metrics:
        return 0
    account_ids = {metric.media_account_id for metric in metrics}
    accounts = MediaAccount.objects.in_bulk(account_ids)
    missing = account_ids - accounts.keys()
    if missing:
        raise ValidationError({"media_account": _("Unknown media account: %(ids)s") % {
            "ids": ", ".join(str(pk) for pk in sorted(missing))}})
    if actor is not None:
        _require(all(permissions.can_act_for_department(actor, a.department_id) for a in accounts.values()))
    AccountMetric.objects.bulk_create(
        metrics,
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["media_account", "date"],
        update_fields=list(AccountMetric.FIGURES),
    )
    newest = AccountMetric.objects.filter(media_account=OuterRef("pk")).order_by("-date")
    MediaAccount.objects.filter(pk__in=account_ids).update(
        followers=Coalesce(Subquery(newest.values("followers")[:1]), 0),
        last_post_on=Subquery(newest.filter(posts__gt=0).values("date")[:1]),
    )
    per_account: dict[int, list[datetime.date]] = {}
    for metric in metrics:
        per_account.setdefault(metric.media_account_id, []).append(metric.date)
    record_many(
        "registry.metrics.recorded",
        actor=actor,
        items=(
            (accounts[account_id], {"after": {"rows": len(days), "from": min(days), "to": max(days)}})
            for account_id, days in per_account.items()
        ),
    )
    return len(metrics)
