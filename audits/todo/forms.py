from django import forms
from django.utils.translation import gettext_lazy as _


class ReminderForm(forms.Form):
    """The office's reminder (催办) to a late unit: an optional message beside the list of what is
    overdue, which the service writes itself."""

    message = forms.CharField(
        label=_("Message to the unit"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional. The unit is told what is overdue in any case."),
    )
