"""Forms of the campaign pages: they check the shape of the input; the services decide."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audits.campaigns.choices import Outcome, Proposal
from config.forms import checked_image
from config.ids import parse_id
from registry.choices import DepartmentKind, Employment, MediaAccountStatus, Platform
from registry.models import Department, MediaAccount

# NullBooleanField reads "True"/"False", and a radio is checked when its value equals str(initial).
YES_NO = [("True", _("Yes")), ("False", _("No"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ModelIdsField(forms.ModelMultipleChoiceField):
    """Django's multiple choice of objects, refusing an id beyond the database's bigint as an
    unknown choice: the query that checks the ids would fail on it instead of finding nothing."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if text.isascii() and text.isdigit() and parse_id(text) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class MergeTargetInput(forms.TextInput):
    """The account to merge into, by its filing number (备案编号): typed in, or, with JavaScript,
    chosen from a search of the district's live accounts grouped by unit (static/js/merge-picker.js,
    over :func:`audits.campaigns.views.merge_targets.merge_target_search`). The name of the account chosen is
    shown beside it, from ``labels`` (filing number → name), which the page fills in one query."""

    def __init__(self, *, account_id: int | None = None, labels: dict | None = None):
        super().__init__(attrs={"autocomplete": "off", "spellcheck": "false", "size": 16})
        self.account_id = account_id
        self.labels = labels if labels is not None else {}

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-merge-picker": reverse("merge_target_search"),
                "data-account": self.account_id or "",
                "data-label": self.labels.get(self.format_value(value), ""),
                "data-text-search": _("Search by name, unit, platform or filing number"),
                "data-text-none": _("No live account matches."),
                "data-text-more": _("More accounts match: type more to narrow the search."),
                "data-text-failed": _("The search failed; try again."),
                "placeholder": _("filing number"),
            }
        )
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # Written here rather than through the form renderer's templates: a decision sheet has a
        # picker on every row, and three nested widget templates a row cost more than the row.
        context = self.get_context(name, value, attrs)["widget"]
        html = format_html(
            '<input type="{}" name="{}"{}{}>',
            context["type"],
            context["name"],
            format_html(' value="{}"', context["value"]) if context["value"] is not None else "",
            flatatt(context["attrs"]),
        )
        label = context["attrs"]["data-label"]
        return html + format_html(' <span class="merge-picker-name">{}</span>', label) if label else html


class MergeTargetField(forms.CharField):
    """An account to merge into, named by its filing number; :func:`check_merge_targets` looks it up."""

    def __init__(self, *, account_id: int | None = None, labels: dict | None = None, **kwargs):
        widget = MergeTargetInput(account_id=account_id, labels=labels)
        super().__init__(max_length=30, required=False, empty_value=None, widget=widget, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return value.upper() if value else value


def check_merge_targets(forms_and_accounts, labels: dict | None = None) -> None:
    """Replace each form's ``merge_target`` (a filing number) by the account it names, looked up for
    all the forms at once, or mark the field: no such account, one that is not live, or the form's
    own account (``forms_and_accounts``: pairs of a cleaned form and the id of the account merged).
    The names found go into ``labels`` for the page shown again."""
    pairs = [(form, own) for form, own in forms_and_accounts if form.cleaned_data.get("merge_target")]
    numbers = {form.cleaned_data["merge_target"] for form, _own in pairs}
    found = MediaAccount.objects.in_bulk(numbers, field_name="filing_number") if numbers else {}
    if labels is not None:
        labels.update({number: str(account) for number, account in found.items()})
    for form, own in pairs:
        number = form.cleaned_data["merge_target"]
        account = found.get(number)
        if account is None:
            form.add_error(
                "merge_target",
                _("No account of the district has the filing number %(number)s.") % {"number": number},
            )
        elif account.pk == own:
            form.add_error("merge_target", _("An account cannot be merged into itself."))
        elif account.status != MediaAccountStatus.ACTIVE:
            form.add_error("merge_target", _("Merge into another live account of the district."))
        else:
            form.cleaned_data["merge_target"] = account


# Step 0: the campaign -----------------------------------------------------------------------------


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    department_kinds = forms.MultipleChoiceField(
        label=_("department kinds"),
        choices=DepartmentKind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    platforms = forms.MultipleChoiceField(
        label=_("platforms"), choices=Platform.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    departments = ModelIdsField(
        label=_("departments"),
        queryset=Department.objects.filter(is_active=True),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    self_inspection_due = forms.DateField(label=_("self-inspection due"), widget=DateInput())
    closure_due = forms.DateField(label=_("closure due"), widget=DateInput())

    def clean_self_inspection_due(self):
        due = self.cleaned_data["self_inspection_due"]
        if due < timezone.localdate():
            raise ValidationError(_("The self-inspection deadline cannot be in the past."))
        return due

    def clean(self):
        data = super().clean()
        first, last = data.get("self_inspection_due"), data.get("closure_due")
        if first and last and last < first:
            self.add_error(
                "closure_due", _("The closure deadline cannot come before the self-inspection one.")
            )
        return data

    def scope(self) -> dict:
        """The campaign's scope as the service stores it; no filter at all means every live account."""
        return {
            "department_kinds": self.cleaned_data["department_kinds"],
            "platforms": self.cleaned_data["platforms"],
            "departments": [department.pk for department in self.cleaned_data["departments"]],
        }


# Step 1: self-inspection --------------------------------------------------------------------------


class SelfInspectionForm(forms.Form):
    """The three haves and the proposal. Every field may be left blank in a draft; the service
    says what a submission still lacks."""

    has_need = forms.NullBooleanField(
        label=_("Does the unit have a real need for this account?"),
        widget=forms.RadioSelect(choices=YES_NO),
        required=False,
    )
    need_reason = forms.CharField(
        label=_("the need"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("What the account does for the unit's work and for the public."),
    )
    has_capacity = forms.NullBooleanField(
        label=_("Does the unit have the capacity to run it?"),
        widget=forms.RadioSelect(choices=YES_NO),
        required=False,
    )
    staff_count = forms.IntegerField(label=_("staff running it"), min_value=0, max_value=999, required=False)
    run_by = forms.ChoiceField(label=_("run by"), choices=[("", "—"), *Employment.choices], required=False)
    capacity_note = forms.CharField(
        label=_("capacity note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    has_support = forms.NullBooleanField(
        label=_("Does the unit have the support (staff, budget, rules)?"),
        widget=forms.RadioSelect(choices=YES_NO),
        required=False,
    )
    support_note = forms.CharField(
        label=_("budget and rules"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    proposal = forms.ChoiceField(
        label=_("The unit proposes to"), choices=Proposal.choices, widget=forms.RadioSelect, required=False
    )

    def __init__(self, *args, inspection, **kwargs):
        self.inspection = inspection
        target = inspection.merge_target
        initial = {
            "has_need": inspection.has_need,
            "need_reason": inspection.need_reason,
            "has_capacity": inspection.has_capacity,
            "staff_count": inspection.staff_count,
            "run_by": inspection.run_by,
            "capacity_note": inspection.capacity_note,
            "has_support": inspection.has_support,
            "support_note": inspection.support_note,
            "proposal": inspection.proposal,
            "merge_target": target.filing_number if target else None,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.labels = {target.filing_number: str(target)} if target else {}
        self.fields["merge_target"] = MergeTargetField(
            label=_("merge into"),
            account_id=inspection.media_account_id,
            labels=self.labels,
            help_text=_("A live account of the district; required when proposing a merger."),
        )

    def clean(self):
        data = super().clean()
        if data.get("proposal") == Proposal.MERGE:
            check_merge_targets([(self, self.inspection.media_account_id)], self.labels)
        else:
            data["merge_target"] = None  # a target only means something for a merger
        return data

    def answers(self) -> dict:
        return dict(self.cleaned_data)


# Step 2: the review meeting -----------------------------------------------------------------------


class MeetingForm(forms.Form):
    held_on = forms.DateField(label=_("held on"), widget=DateInput())
    attendees = forms.CharField(
        label=_("attendees"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Who took part, e.g. the office's leaders and the reviewers."),
    )
    minutes = forms.CharField(label=_("minutes"), widget=forms.Textarea(attrs={"rows": 6}), required=False)


class DecisionRowForm(forms.Form):
    """One application on the meeting's decision sheet, pre-filled with the recommendation."""

    self_inspection = forms.IntegerField(widget=forms.HiddenInput)
    decide = forms.BooleanField(label=_("decide now"), required=False)
    outcome = forms.ChoiceField(label=_("outcome"), choices=Outcome.choices)
    deadline = forms.DateField(label=_("deadline"), widget=DateInput(), required=False)
    note = forms.CharField(label=_("note"), max_length=2000, required=False)

    def __init__(self, *args, held_on: datetime.date, account_ids: dict, labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.held_on = held_on
        self.account_ids = account_ids  # self-inspection id → its account id
        inspection_id = parse_id(str(self["self_inspection"].value() or ""))
        self.fields["merge_target"] = MergeTargetField(
            label=_("merge into"), account_id=account_ids.get(inspection_id), labels=labels
        )

    def clean(self):
        data = super().clean()
        if not data.get("decide"):
            return data
        outcome = data.get("outcome")
        if outcome == Outcome.RETURN and not (data.get("note") or "").strip():
            self.add_error("note", _("Say what the unit must revise."))
        if outcome == Outcome.MERGE:
            if not data.get("merge_target") and "merge_target" not in self.errors:
                self.add_error("merge_target", _("Name the account to merge into."))
        else:
            data["merge_target"] = None  # a target only means something for a merger
        deadline = data.get("deadline")
        if outcome in (Outcome.CLOSE, Outcome.MERGE) and deadline and deadline < self.held_on:
            self.add_error("deadline", _("The deadline cannot come before the meeting."))
        return data


class BaseDecisionFormSet(forms.BaseFormSet):
    def __init__(self, *args, inspection_ids, account_ids: dict, labels: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.inspection_ids = set(inspection_ids)
        self.account_ids = account_ids
        self.labels = labels

    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            pk = form.cleaned_data.get("self_inspection")
            if pk not in self.inspection_ids or pk in seen:
                raise ValidationError(_("The decision sheet is out of date; reload the page."))
            seen.add(pk)
        chosen = [form for form in self.forms if form.cleaned_data.get("decide")]
        if not chosen:
            raise ValidationError(_("Choose at least one application to decide."))
        merged = [(form, self.account_ids.get(form.cleaned_data["self_inspection"])) for form in chosen]
        check_merge_targets(merged, self.labels)

    def items(self, inspections: dict) -> list[dict]:
        """The chosen rows as the service takes them."""
        return [
            {
                "self_inspection": inspections[form.cleaned_data["self_inspection"]],
                "outcome": form.cleaned_data["outcome"],
                "deadline": form.cleaned_data["deadline"],
                "merge_target": form.cleaned_data["merge_target"],
                "note": form.cleaned_data["note"],
            }
            for form in self.forms
            if form.cleaned_data.get("decide")
        ]


DecisionFormSet = forms.formset_factory(
    DecisionRowForm, formset=BaseDecisionFormSet, extra=0, max_num=2000, validate_max=True
)


# Step 3: closure orders ---------------------------------------------------------------------------


class ConfirmClosureForm(forms.Form):
    evidence_url = forms.URLField(
        label=_("notice URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Where the closure or merger is announced to the public."),
    )
    evidence_file = forms.FileField(
        label=_("screenshot"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    note = forms.CharField(label=_("explanation"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, order, **kwargs):
        super().__init__(*args, **kwargs)
        self.order = order
        if order.is_merger:
            target = order.merge_target
            self.labels = {target.filing_number: str(target)} if target.filing_number else {}
            self.fields["merge_target"] = MergeTargetField(
                label=_("successor account"),
                account_id=order.media_account_id,
                labels=self.labels,
                help_text=_("The account the audience was moved to, by its filing number."),
            )
            self.initial.setdefault("merge_target", target.filing_number)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if not upload:
            return None
        return checked_image(upload)

    def clean(self):
        data = super().clean()
        if not (data.get("evidence_url") or data.get("evidence_file") or (data.get("note") or "").strip()):
            if not self.errors:
                self.add_error("evidence_url", _("Give the notice URL, a screenshot or a note as evidence."))
        if self.order.is_merger:
            check_merge_targets([(self, self.order.media_account_id)], self.labels)
        return data


class NoteForm(forms.Form):
    """The office's note on verifying a closure, or (required) on sending it back."""

    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, required=False, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = required
        if label:
            self.fields["note"].label = label
