from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import services


def lockout_message() -> str:
    return _(
        "Too many failed sign-ins. Signing in with this username is paused for %(minutes)d minutes; "
        "try again later or ask the office administrator to unlock it."
    ) % {"minutes": services.lockout_minutes()}


class LockoutAuthenticationForm(AuthenticationForm):
    """The stock sign-in form, refusing a locked username before its password is even checked.

    The message is the same whether or not the username belongs to anyone."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if username and services.sign_in_is_locked(username):
            raise forms.ValidationError(lockout_message(), code="locked_out")
        try:
            return super().clean()
        except forms.ValidationError:
            if username and services.sign_in_is_locked(username):
                raise forms.ValidationError(lockout_message(), code="locked_out") from None
            raise


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. 采集程序")
    )
    valid_days = forms.IntegerField(
        label=_("Valid for (days)"),
        required=False,
        min_value=1,
        max_value=3650,
        help_text=_("Leave empty for a token that does not expire"),
    )
