"""Forms of the inspection pages: a rule's settings, the schedule, waivers and notice answers.

The forms only check what a person typed; the services decide what may happen.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.inspections.choices import RuleCode, Severity
from audits.inspections.models import InspectionRule
from audits.inspections.rules import GRACE, RULES, THRESHOLD_MAX, THRESHOLD_SOURCES

# A new account's grace, the same threshold of each rule that judges an account by its activity.
GRACE_FIELD = (
    _("Grace for a new account (days)"),
    _(
        "An account that went live fewer than this many days before the inspection day is not flagged "
        "by this rule; after that, the rule counts from the day it went live. 0: no grace."
    ),
    True,
    0,
)

# Each threshold of each rule, as the office reads it: (label, help, whole number?, minimum).
THRESHOLDS = {
    (RuleCode.NO_UPDATE, GRACE): GRACE_FIELD,
    (RuleCode.LOW_FREQUENCY, GRACE): GRACE_FIELD,
    (RuleCode.LOW_REACH, GRACE): GRACE_FIELD,
    (RuleCode.NO_UPDATE, "days"): (
        _("Days without a post"),
        _("Flagged when nothing was posted in this many days before the inspection day."),
        True,
        1,
    ),
    (RuleCode.LOW_FREQUENCY, "posts_per_day"): (
        _("Posts a day, at least"),
        _("Flagged when the average over the window is below this."),
        False,
        0,
    ),
    (RuleCode.LOW_FREQUENCY, "window_days"): (
        _("Window (days)"),
        _("The days before the inspection day over which posts are averaged."),
        True,
        1,
    ),
    (RuleCode.LOW_REACH, "followers"): (
        _("Followers, at least"),
        _("Flagged when the account has fewer followers than this."),
        True,
        0,
    ),
    (RuleCode.UNANSWERED, "messages"): (
        _("Overdue messages that raise it"),
        _("Flagged when at least this many public messages are still unanswered past the allowed time."),
        True,
        1,
    ),
    (RuleCode.UNANSWERED, "window_days"): (
        _("Window (days)"),
        _("The newest daily figures within this many days are the current backlog."),
        True,
        1,
    ),
    (RuleCode.UNANSWERED, "allowed_working_days"): (
        _("Working days allowed for an answer"),
        _("The time the collectors allow before they count a message as overdue."),
        True,
        1,
    ),
    (RuleCode.STALE_RECORD, "days"): (
        _("Days since the last re-confirmation"),
        _("Flagged when the unit has not re-confirmed the record within this many days."),
        True,
        1,
    ),
}


def threshold_label(code: str, key: str):
    return THRESHOLDS.get((code, key), (key,))[0]


def threshold_source(key: str):
    """Where a threshold comes from, when not from the rule's own source."""
    return THRESHOLD_SOURCES.get(key, "")


class RuleForm(forms.Form):
    """A rule's thresholds (one number field each, named by its key), severity and on/off."""

    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)

    def __init__(self, *args, rule: InspectionRule, **kwargs):
        kwargs.setdefault("initial", {"enabled": rule.enabled, "severity": rule.severity, **rule.thresholds})
        super().__init__(*args, **kwargs)
        self.rule = rule
        self.threshold_keys = list(RULES[rule.code][2])
        for key in self.threshold_keys:
            label, help_text, whole, minimum = THRESHOLDS.get((rule.code, key), (key, "", False, 0))
            if threshold_source(key):
                # The form is built per request, in the request's language.
                source = _("Source: %(source)s") % {"source": threshold_source(key)}
                help_text = f"{help_text} {source}"
            number = forms.IntegerField if whole else forms.DecimalField
            extra = {} if whole else {"max_digits": 8, "decimal_places": 2}
            self.fields[key] = number(
                label=label, help_text=help_text, min_value=minimum, max_value=THRESHOLD_MAX, **extra
            )

    @property
    def threshold_fields(self):
        return [self[key] for key in self.threshold_keys]

    def thresholds(self) -> dict:
        # The service stores JSON numbers: whole numbers as int, the others as float.
        values = {}
        for key in self.threshold_keys:
            value = self.cleaned_data[key]
            values[key] = int(value) if value == int(value) else float(value)
        return values


class ScheduleForm(forms.Form):
    time = forms.TimeField(
        label=_("Daily run at"),
        help_text=_("Asia/Shanghai time, to the minute."),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    enabled = forms.BooleanField(label=_("Run every day"), required=False)


class DismissForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is a false positive"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The same term in the same post is not flagged again; the reason stays in the audit trail."
        ),
        error_messages={"required": _("Say why the hit is a false positive.")},
    )


class ConfirmForm(forms.Form):
    """Nothing to fill in: the office confirms what it read."""


class WaiveForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the waiver"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why the finding is justified; it stays in the audit trail."),
        error_messages={"required": _("Give the reason for waiving the finding.")},
    )


class NoticeResponseForm(forms.Form):
    response = forms.CharField(
        label=_("What the unit did"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Say what was done.")},
    )


class NoticeNoteForm(forms.Form):
    """The office's note when it accepts an answer (optional) or sends it back (required)."""

    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, required: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if required:
            self.fields["note"].required = True
            self.fields["note"].label = _("What is still missing")
            self.fields["note"].error_messages["required"] = _("Say what is still missing.")
