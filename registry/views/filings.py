"""Filing (备案) in the browser: open, change and close an account, the office's approval queue,
and the units' yearly re-confirmation. Forms check the input's shape; the services decide.
"""

from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.rules import authorize
from audits.trail.models import AuditEvent
from config.errors import InvalidTransition
from config.forms import add_service_errors
from config.states import available
from registry import services
from registry.choices import (
    LIVE_STATUSES,
    AccountFunction,
    DepartmentKind,
    FilingKind,
    FilingStatus,
    MediaAccountStatus,
)
from registry.filters import FilingFilter
from registry.forms import (
    ChangeFilingForm,
    CloseFilingForm,
    DecisionForm,
    OpenFilingForm,
    ReconfirmForm,
    operator_formset,
    operators_of,
)
from registry.models import Department, Filing, MediaAccount, Operator
from registry.states import FILING

PAGE_SIZE = 50


def _back(request, default: str) -> str:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# What the approver sees -------------------------------------------------------------------------


@dataclass
class Row:
    """One line of a filing's record or diff: a field, its current value and the proposed one."""

    label: str
    before: str = ""
    after: str = ""


@dataclass
class FilingCard:
    """A filing as the office reads it: the request, its flags, and what it would change."""

    filing: Filing
    township: bool
    rows: list[Row] = field(default_factory=list)
    siblings: list[MediaAccount] = field(default_factory=list)  # the unit's other accounts on the platform


def _display(name: str, value, *, phones: bool) -> str:
    if name == "functions":
        labels = dict(AccountFunction.choices)
        return "、".join(str(labels.get(code, code)) for code in value or []) or "—"
    if name == "operators":
        return "\n".join(_operator_text(operator, phones=phones) for operator in value or []) or "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return str(value) if value not in (None, "") else "—"


def _operator_text(operator, *, phones: bool) -> str:
    if isinstance(operator, Operator):
        operator = {"name": operator.name, "phone": operator.phone, "employment": operator.employment}
    employment = dict(Operator._meta.get_field("employment").choices).get(
        operator["employment"], operator["employment"]
    )
    phone = f"，{operator['phone']}" if phones and operator.get("phone") else ""
    return f"{operator['name']}（{employment}{phone}）"


def _label(name: str) -> str:
    if name == "operators":
        return _("operators")
    return str(MediaAccount._meta.get_field(name).verbose_name)


RECORD_FIELDS = (
    "platform_uid",
    "url",
    "verified",
    "functions",
    "responsible_person",
    "has_interaction",
)


def filing_card(filing: Filing, *, user, before: dict | None = None) -> FilingCard:
    """The rows the approver reads: an open filing's record, a change filing's before/after.

    ``before`` is the record when the change was filed (for a decided filing, whose account
    has moved on); a submitted filing is compared with the account as it is now.
    """
    account = filing.media_account
    phones = permissions.can_see_operator_phones(user, account.department_id)
    card = FilingCard(filing=filing, township=account.department.kind == DepartmentKind.TOWNSHIP)
    if filing.kind == FilingKind.OPEN:
        operators = list(account.operators.all())
        card.rows = [
            Row(_label(name), after=_display(name, getattr(account, name), phones=phones))
            for name in RECORD_FIELDS
        ]
        card.rows.append(Row(_("operators"), after=_display("operators", operators, phones=phones)))
    elif filing.kind == FilingKind.CHANGE:
        for name, proposed in filing.changes.items():
            if before is not None:
                current = before.get(name)
            elif name == "operators":
                current = list(account.operators.all())
            else:
                current = getattr(account, name)
            card.rows.append(
                Row(
                    _label(name),
                    _display(name, current, phones=phones),
                    _display(name, proposed, phones=phones),
                )
            )
    return card


def filing_cards(filings, *, user, before: dict | None = None) -> list[FilingCard]:
    """Cards for many filings, naming each second account's siblings in one query for all."""
    cards = [filing_card(filing, user=user, before=before) for filing in filings]
    doubled = [card.filing.media_account for card in cards if card.filing.duplicate_reason]
    if doubled:
        others = MediaAccount.objects.filter(
            department__in={account.department_id for account in doubled},
            platform__in={account.platform for account in doubled},
            status__in=(MediaAccountStatus.PENDING, *LIVE_STATUSES),
        ).order_by("pk")
        by_place: dict[tuple[int, str], list[MediaAccount]] = {}
        for other in others:
            by_place.setdefault((other.department_id, other.platform), []).append(other)
        for card in cards:
            account = card.filing.media_account
            if card.filing.duplicate_reason:
                card.siblings = [
                    other
                    for other in by_place.get((account.department_id, account.platform), [])
                    if other != account
                ]
    return cards


def _filings_with_accounts(queryset):
    return queryset.select_related(
        "media_account__department", "submitted_by", "decided_by", "successor__department"
    ).prefetch_related(Prefetch("media_account__operators", queryset=Operator.objects.order_by("pk")))


# Filing ------------------------------------------------------------------------------------------


@login_required
def filing_open(request):
    """File a new account; policy problems come back from the service as field messages."""
    authorize(request.user, "registry.file")
    data = request.POST if request.method == "POST" else None
    form = OpenFilingForm(data, user=request.user)
    operators = operator_formset(data)
    if data is not None and all([form.is_valid(), operators.is_valid()]):
        try:
            filing = services.filing_submit_open(
                actor=request.user,
                department=form.cleaned_data["department"],
                name=form.cleaned_data["name"],
                platform=form.cleaned_data["platform"],
                platform_uid=form.cleaned_data["platform_uid"],
                reason=form.cleaned_data["reason"],
                operators=operators_of(operators),
                duplicate_reason=form.acknowledged_duplicate_reason(),
                **form.account_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The account is filed and awaits the office's approval."))
            return redirect("filing_detail", pk=filing.pk)
    return render(
        request,
        "registry/filing_open.html",
        {"form": form, "operators": operators, "township_ids": _township_ids(form)},
    )


def _township_ids(form) -> list[int]:
    queryset = form.fields["department"].queryset
    return list(queryset.filter(kind=DepartmentKind.TOWNSHIP).values_list("pk", flat=True))


def _actable_account(request, pk: int) -> MediaAccount:
    account = get_object_or_404(
        MediaAccount.objects.select_related("department").restrict(request.user, "view"), pk=pk
    )
    authorize(request.user, "registry.submit_filing", account)
    return account


def _why_not_fileable(account: MediaAccount) -> str | None:
    if account.status != MediaAccountStatus.ACTIVE:
        return _("Only an active account can be changed or closed by filing.")
    if account.filings.filter(status=FilingStatus.SUBMITTED).exists():
        return _("This account already has a filing awaiting approval.")
    return None


@login_required
def filing_change(request, pk: int):
    """Propose changes to an active account: the form starts from its current record."""
    account = _actable_account(request, pk)
    if request.method == "GET" and (problem := _why_not_fileable(account)):
        messages.error(request, problem)
        return redirect("media_account_detail", pk=account.pk)
    data = request.POST if request.method == "POST" else None
    form = ChangeFilingForm(data, media_account=account)
    current = [
        {"name": o.name, "phone": o.phone, "employment": o.employment}
        for o in account.operators.order_by("pk")
    ]
    operators = operator_formset(data, initial=current)
    if data is not None and all([form.is_valid(), operators.is_valid()]):
        try:
            filing = services.filing_submit_change(
                actor=request.user,
                media_account=account,
                changes=form.changes(operators_of(operators)),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("media_account_detail", pk=account.pk)
        else:
            messages.success(request, _("The change is filed and awaits the office's approval."))
            return redirect("filing_detail", pk=filing.pk)
    return render(
        request,
        "registry/filing_change.html",
        {"form": form, "operators": operators, "media_account": account},
    )


@login_required
def filing_close(request, pk: int):
    """Ask to close an active account, with its successor and the public notice."""
    account = _actable_account(request, pk)
    if request.method == "GET" and (problem := _why_not_fileable(account)):
        messages.error(request, problem)
        return redirect("media_account_detail", pk=account.pk)
    form = CloseFilingForm(request.POST if request.method == "POST" else None, media_account=account)
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.filing_submit_close(
                actor=request.user, media_account=account, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("media_account_detail", pk=account.pk)
        else:
            messages.success(request, _("The closure is filed and awaits the office's approval."))
            return redirect("filing_detail", pk=filing.pk)
    return render(request, "registry/filing_close.html", {"form": form, "media_account": account})


# Reading filings ---------------------------------------------------------------------------------


@login_required
def filing_queue(request):
    """The office's queue: submitted filings, oldest first, each with its flags and diff."""
    # The office decides; auditors, who see everything, may read the queue.
    authorize(request.user, "registry.view_filing_queue")
    filings = _filings_with_accounts(
        Filing.objects.restrict(request.user, "view")
        .filter(status=FilingStatus.SUBMITTED)
        .order_by("submitted_at", "pk")
    )
    cards = filing_cards(filings, user=request.user)
    return render(
        request,
        "registry/filing_queue.html",
        {"cards": cards, "may_decide": request.user.has_perm("registry.approve_filing")},
    )


@login_required
def filing_list(request):
    """Filings of any status within the user's scope: for a unit, "my filings"."""
    filterset = FilingFilter(
        request.GET or None,
        queryset=Filing.objects.restrict(request.user, "view")
        .select_related("media_account__department", "submitted_by", "decided_by")
        .order_by("-submitted_at", "-pk"),
        request=request,
    )
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/filing_list.html",
        {"filter": filterset, "page": page, "may_file": permissions.may_file(request.user)},
    )


def _before_at_submission(filing: Filing) -> dict | None:
    if filing.kind != FilingKind.CHANGE or filing.status == FilingStatus.SUBMITTED:
        return None
    event = (
        AuditEvent.objects.filter(
            action="registry.filing.submitted", object_type="registry.filing", object_id=str(filing.pk)
        )
        .only("changes")
        .first()
    )
    return (event.changes.get("before") or {}) if event else {}


@login_required
def filing_detail(request, pk: int):
    filing = get_object_or_404(_filings_with_accounts(Filing.objects.restrict(request.user, "view")), pk=pk)
    user = request.user
    actions = available(filing, user)
    (card,) = filing_cards([filing], user=user, before=_before_at_submission(filing))
    return render(
        request,
        "registry/filing_detail.html",
        {
            "card": card,
            "may_decide": "approve" in actions,
            "may_withdraw": "withdraw" in actions,
            "decision_form": DecisionForm(),
        },
    )


# Deciding ----------------------------------------------------------------------------------------


def _visible_filing(request, pk: int) -> Filing:
    # Out of scope is a 404 before any role check, so a filing's existence does not leak.
    return get_object_or_404(
        Filing.objects.restrict(request.user, "view").select_related("media_account__department"), pk=pk
    )


def _decide(request, filing: Filing, *, action, done: str, note_required: bool = False):
    form = DecisionForm(request.POST, note_required=note_required)
    back = _back(request, reverse("filing_detail", args=[filing.pk]))
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["note"]))
        return redirect(back)
    try:
        filing = action(actor=request.user, filing=filing, note=form.cleaned_data["note"])
    except InvalidTransition as error:
        # Another office user (or the submitter) acted first: say so, change nothing.
        messages.error(request, error.message)
    else:
        messages.success(request, done % {"filing": filing, "number": filing.media_account.filing_number})
    return redirect(back)


@require_POST
@login_required
def filing_approve(request, pk: int):
    filing = _visible_filing(request, pk)
    authorize(request.user, FILING["approve"].permission, filing)
    # An opened account's new number is what the office tells the unit next.
    done = (
        _("Approved: %(filing)s, filing number %(number)s.")
        if filing.kind == FilingKind.OPEN
        else _("Approved: %(filing)s.")
    )
    return _decide(request, filing, action=services.filing_approve, done=done)


@require_POST
@login_required
def filing_reject(request, pk: int):
    filing = _visible_filing(request, pk)
    authorize(request.user, FILING["reject"].permission, filing)
    return _decide(
        request, filing, action=services.filing_reject, done=_("Rejected: %(filing)s."), note_required=True
    )


@require_POST
@login_required
def filing_withdraw(request, pk: int):
    filing = _visible_filing(request, pk)
    authorize(request.user, FILING["withdraw"].permission, filing)
    return _decide(request, filing, action=services.filing_withdraw, done=_("Withdrawn: %(filing)s."))


# Yearly re-confirmation ---------------------------------------------------------------------------


@require_POST
@login_required
def media_account_reconfirm(request, pk: int):
    """Confirm one account's record is current (from the account's page)."""
    account = _actable_account(request, pk)
    try:
        services.media_accounts_reconfirm(actor=request.user, media_accounts=[account])
    except InvalidTransition as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("The record of %(account)s is confirmed as current.") % {"account": account}
        )
    return redirect(_back(request, reverse("media_account_detail", args=[account.pk])))


@login_required
def media_accounts_reconfirm(request):
    """Confirm all live accounts of a unit at once. The office picks the unit; a department
    admin's default is every unit it is responsible for."""
    authorize(request.user, "registry.file")
    departments = Department.objects.restrict(request.user, "view").filter(is_active=True)
    office = permissions.is_office_admin(request.user)
    form = ReconfirmForm(
        request.POST if request.method == "POST" else request.GET,
        departments=departments,
        empty_label=_("Choose a unit") if office else _("All my units"),
    )
    if not form.is_valid():
        # A unit that does not exist or is not the user's is the form's error, never "all my units".
        context = {"form": form, "accounts": MediaAccount.objects.none(), "department": None}
        return render(request, "registry/filing_reconfirm.html", context)
    department = form.cleaned_data["department"]
    accounts = MediaAccount.objects.restrict(request.user, "view").live().select_related("department")
    if department is not None:
        accounts = accounts.filter(department=department)
    elif office:
        accounts = accounts.none()  # the office confirms for one unit at a time, never the whole district
    accounts = accounts.order_by("department__order_key", "platform", "name", "pk")
    if request.method == "POST":
        listed = list(accounts)
        if not listed:
            messages.error(request, _("There is no live account to confirm."))
        else:
            try:
                count = services.media_accounts_reconfirm(actor=request.user, media_accounts=listed)
            except InvalidTransition as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("%(count)d records confirmed as current.") % {"count": count})
        query = f"?department={department.pk}" if department else ""
        return redirect(reverse("media_accounts_reconfirm") + query)
    return render(
        request,
        "registry/filing_reconfirm.html",
        {"form": form, "accounts": accounts, "department": department},
    )
