"""Forms of the posts' and lexicons' pages: they check the shape of the input; services do the work."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audits.inspections.choices import Severity
from content.choices import Lexicon, PostKind
from content.models import AllowedDomain, LexiconEntry, Post
from content.posts import MAX_TEXT
from registry.spreadsheets import SpreadsheetRejected, check_import_size, import_extension


class PostForm(forms.Form):
    """One post a unit adds by hand (a collector sends them over the API)."""

    published_at = forms.DateTimeField(
        label=_("published at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    kind = forms.ChoiceField(label=_("kind"), choices=PostKind.choices, initial=PostKind.ORIGINAL)
    title = forms.CharField(label=_("title"), max_length=300, required=False)
    text = forms.CharField(
        label=_("text"), max_length=MAX_TEXT, required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    url = forms.URLField(label=_("URL"), max_length=500, required=False, assume_scheme="https")
    platform_post_id = forms.CharField(
        label=_("post ID on the platform"),
        max_length=100,
        required=False,
        help_text=_("Leave empty if you do not know it: the registry gives the post its own."),
    )
    reads = forms.IntegerField(label=_("reads"), min_value=0, required=False)
    likes = forms.IntegerField(label=_("likes"), min_value=0, required=False)
    comments = forms.IntegerField(label=_("comments"), min_value=0, required=False)
    shares = forms.IntegerField(label=_("shares"), min_value=0, required=False)

    def clean(self):
        data = super().clean()
        if not (data.get("title") or data.get("text")):
            raise forms.ValidationError(_("Give the post's title or text."))
        return data

    def row(self, account) -> dict:
        """The post as a row for ``content.posts.check_post_rows``."""
        data = self.cleaned_data
        return {
            "media_account": account.pk,
            "platform_post_id": data["platform_post_id"] or f"manual-{uuid.uuid4().hex[:12]}",
            "published_at": timezone.localtime(data["published_at"]).isoformat(),
            "kind": data["kind"],
            "title": data["title"],
            "text": data["text"],
            "url": data["url"],
            **{name: data[name] for name in Post.FIGURES},
        }


class LexiconEntryForm(forms.ModelForm):
    severity = forms.ChoiceField(
        label=_("severity"),
        choices=[("", _("The lexicon's own")), *Severity.choices],
        required=False,
        help_text=_(
            "Left as the lexicon's own: veto for serious wrong forms, warning for misused words, serious for "
            "sensitive words, unless the office changed the rule."
        ),
    )

    class Meta:
        model = LexiconEntry
        fields = ["lexicon", "term", "correct_form", "category", "severity", "source", "enabled"]


class LexiconFilterForm(forms.Form):
    lexicon = forms.ChoiceField(
        label=_("lexicon"), choices=[("", _("All lexicons")), *Lexicon.choices], required=False
    )
    q = forms.CharField(label=_("search"), required=False)


class LexiconImportForm(forms.Form):
    file = forms.FileField(label=_("Spreadsheet (.xlsx or .csv)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            self.extension = import_extension(upload.name)
            check_import_size(upload.size)
        except SpreadsheetRejected as error:
            raise forms.ValidationError(str(error)) from None
        return upload


class AllowedDomainForm(forms.ModelForm):
    class Meta:
        model = AllowedDomain
        fields = ["domain", "note"]
        # The domain is read and checked by the service (a pasted address is cut to its host).
        widgets = {"domain": forms.TextInput(attrs={"placeholder": "gov.cn"})}

    def validate_unique(self):
        pass
