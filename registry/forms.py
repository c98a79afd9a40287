"""Forms of the registry's browser pages: they check the shape of the input; services do the work."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from config.ids import MAX_ID
from registry.choices import AccountFunction, Employment, Platform
from registry.metrics import LIMITS
from registry.models import Department, MediaAccount
from registry.spreadsheets import SpreadsheetRejected, check_import_size, import_extension

OPERATOR_ROWS = 3  # empty operator rows offered on a filing; more can be added by filing a change


class OperatorForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    employment = forms.ChoiceField(
        label=_("employment"), choices=[("", "—"), *Employment.choices], required=False
    )

    def clean(self):
        data = super().clean()
        if (data.get("phone") or data.get("employment")) and not data.get("name"):
            self.add_error("name", _("Give the operator's name."))
        if data.get("name") and not data.get("employment"):
            self.add_error("employment", _("Choose the operator's employment."))
        return data


def operator_formset(data=None, *, initial=(), prefix="operators"):
    """The operators of a filing: the current ones (for a change) plus a few empty rows."""
    initial = list(initial)
    formset = forms.formset_factory(
        OperatorForm, extra=OPERATOR_ROWS if not initial else 2, max_num=20, validate_max=True
    )
    # Bound rows are read as typed: compared with an initial value, an unchanged row would count as empty.
    return formset(data, initial=initial if data is None else None, prefix=prefix)


def operators_of(formset) -> list[dict[str, str]]:
    """The filled-in operator rows, in order; empty rows are dropped."""
    return [
        {"name": row["name"], "phone": row["phone"], "employment": row["employment"]}
        for row in formset.cleaned_data
        if row.get("name")
    ]


class AccountFieldsForm(forms.Form):
    """The fields of an account's record that a unit files and may later change."""

    name = forms.CharField(label=_("account name"), max_length=100)
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    verified = forms.BooleanField(label=_("verified on the platform"), required=False)
    functions = forms.MultipleChoiceField(
        label=_("functions"),
        choices=AccountFunction.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    responsible_person = forms.CharField(label=_("responsible person"), max_length=50, required=False)
    has_interaction = forms.BooleanField(label=_("the public can write to it"), required=False, initial=True)
    exception_reason = forms.CharField(
        label=_("exception reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required for a township or street office, which in principle opens no account."),
    )

    def clean_functions(self):
        # A stable order, so the same choice is never shown as a change.
        chosen = set(self.cleaned_data["functions"])
        return [code for code in AccountFunction.values if code in chosen]


class OpenFilingForm(AccountFieldsForm):
    """File a new account (开设备案)."""

    department = forms.ModelChoiceField(label=_("department"), queryset=Department.objects.none())
    platform = forms.ChoiceField(
        label=_("platform"), choices=[("", _("Choose a platform")), *Platform.choices]
    )
    platform_uid = forms.CharField(
        label=_("platform ID"), max_length=100, help_text=_("The account's own ID on the platform")
    )
    reason = forms.CharField(
        label=_("reason for opening"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The real need, the capacity to run it and the support behind it (三有)."),
    )
    duplicate_acknowledged = forms.BooleanField(
        label=_("I acknowledge that one unit has in principle one account per platform"), required=False
    )
    duplicate_reason = forms.CharField(
        label=_("reason for a second account on the platform"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    field_order = [
        "department",
        "name",
        "platform",
        "platform_uid",
        "url",
        "verified",
        "functions",
        "responsible_person",
        "has_interaction",
        "reason",
        "exception_reason",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        departments = Department.objects.restrict(user, "view").filter(is_active=True)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = _("Choose a unit")
        if user.department_id and not self.is_bound:
            self.initial.setdefault("department", user.department_id)

    def clean(self):
        data = super().clean()
        if data.get("duplicate_reason", "").strip() and not data.get("duplicate_acknowledged"):
            self.add_error("duplicate_acknowledged", _("Tick to acknowledge the one-account rule."))
        return data

    def acknowledged_duplicate_reason(self) -> str:
        """The reason for a second account, given only once the rule is acknowledged."""
        if not self.cleaned_data.get("duplicate_acknowledged"):
            return ""
        return self.cleaned_data.get("duplicate_reason", "")

    def has_duplicate_warning(self) -> bool:
        return any(
            error.code == "duplicate_platform" for error in self.errors.as_data().get("duplicate_reason", [])
        )

    def account_fields(self) -> dict:
        names = ("url", "verified", "functions", "responsible_person", "has_interaction", "exception_reason")
        return {name: self.cleaned_data[name] for name in names}


class ChangeFilingForm(AccountFieldsForm):
    """Propose changes to an active account (变更备案), starting from its current record."""

    reason = forms.CharField(label=_("reason for the change"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, media_account: MediaAccount, **kwargs):
        self.media_account = media_account
        initial = {name: getattr(media_account, name) for name in self.base_fields if name != "reason"}
        super().__init__(*args, initial=initial, **kwargs)

    def changes(self, operators: list[dict[str, str]]) -> dict:
        """Only what differs from the current record (the service checks again under its lock)."""
        proposed = {}
        for name in self.fields:
            if name == "reason":
                continue
            value = self.cleaned_data[name]
            current = getattr(self.media_account, name)
            if name == "functions" and set(value) == set(current):
                continue
            if value != current:
                proposed[name] = value
        proposed["operators"] = operators
        return proposed


class CloseFilingForm(forms.Form):
    """Ask to close an active account (注销备案), naming where its audience should go."""

    reason = forms.CharField(label=_("reason for closing"), widget=forms.Textarea(attrs={"rows": 3}))
    successor = forms.ModelChoiceField(
        label=_("successor account"),
        queryset=MediaAccount.objects.none(),
        required=False,
        help_text=_("The live account that takes over this one's audience, if any."),
    )
    notice_url = forms.URLField(
        label=_("public notice URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Where the closure is announced to the public."),
    )

    def __init__(self, *args, media_account: MediaAccount, **kwargs):
        super().__init__(*args, **kwargs)
        # Any live account of the district may take over: the successor is often the district's
        # main account, which lies outside a department's own scope.
        self.fields["successor"].queryset = (
            MediaAccount.objects.live().exclude(pk=media_account.pk).select_related("department")
        )
        self.fields["successor"].label_from_instance = lambda account: f"{account} · {account.department}"
        self.fields["successor"].empty_label = _("No successor")


class DecisionForm(forms.Form):
    """The office's note on approving or rejecting a filing."""

    note = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, note_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"].required = note_required


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("spreadsheet"),
        help_text=_("An .xlsx or .csv file in the layout of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.extension = import_extension(upload.name)
            check_import_size(upload.size)
        except SpreadsheetRejected as rejected:
            raise ValidationError(rejected.message) from None
        return upload


class ImportConfirmForm(forms.Form):
    job = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class ReconfirmForm(forms.Form):
    """Which unit's accounts the yearly re-confirmation is for."""

    department = forms.ModelChoiceField(
        label=_("department"), queryset=Department.objects.none(), required=False
    )

    def __init__(self, *args, departments, empty_label, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].empty_label = empty_label


class MetricEntryForm(forms.Form):
    """One day's figures for one account, as a unit enters them by hand; entering a day again
    replaces its figures."""

    # An <input type="date"> takes only ISO dates, whatever the language's own date format.
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    followers = forms.IntegerField(label=_("followers"), min_value=0, max_value=LIMITS["followers"])
    posts = forms.IntegerField(label=_("posts"), min_value=0, max_value=LIMITS["posts"], initial=0)
    reads = forms.IntegerField(label=_("reads"), min_value=0, max_value=LIMITS["reads"], initial=0)
    likes = forms.IntegerField(label=_("likes"), min_value=0, max_value=LIMITS["likes"], initial=0)
    shares = forms.IntegerField(label=_("shares"), min_value=0, max_value=LIMITS["shares"], initial=0)
    comments = forms.IntegerField(label=_("comments"), min_value=0, max_value=LIMITS["comments"], initial=0)
    messages_received = forms.IntegerField(
        label=_("messages received"), min_value=0, max_value=LIMITS["messages_received"], initial=0
    )
    messages_replied = forms.IntegerField(
        label=_("messages replied"), min_value=0, max_value=LIMITS["messages_replied"], initial=0
    )
    messages_overdue = forms.IntegerField(
        label=_("messages overdue"),
        min_value=0,
        max_value=LIMITS["messages_overdue"],
        initial=0,
        help_text=_("Still unanswered past the allowed time on that day"),
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return day
