"""Forms of the release pages: they check the shape of the input; services do the work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from audits.releases.choices import ReleaseMode
from config.forms import checked_image
from registry.choices import DepartmentKind, Platform
from registry.models import Department


class ReleaseTaskForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=200)
    body = forms.CharField(
        label=_("what to publish"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    link = forms.URLField(
        label=_("link to the original"), max_length=500, required=False, assume_scheme="https"
    )
    image = forms.FileField(
        label=_("image"),
        required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}),
    )
    mode = forms.ChoiceField(label=_("mode"), choices=ReleaseMode.choices, initial=ReleaseMode.RELAY)
    window_start = forms.DateTimeField(
        label=_("from"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    window_end = forms.DateTimeField(
        label=_("by"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("units"),
        queryset=Department.objects.order_by("order_key"),
        required=False,
        help_text=_("None chosen: every unit."),
    )
    department_kinds = forms.MultipleChoiceField(
        label=_("unit kinds"),
        choices=DepartmentKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    platforms = forms.MultipleChoiceField(
        label=_("platforms"), choices=Platform.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        return checked_image(upload) if upload else None


class ReportForm(forms.Form):
    post_url = forms.URLField(label=_("post URL"), max_length=500, required=False, assume_scheme="https")
    post = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ExcuseForm(forms.Form):
    reason = forms.CharField(
        label=_("reason for the excuse"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
