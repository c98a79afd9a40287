import math

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from config.proxies import client_ip
from config.throttles import ScopedRateThrottle


def lockout_message() -> str:
    return _(
        "Too many failed sign-ins. Signing in with this username is paused for %(minutes)d minutes; "
        "try again later or ask the office administrator to unlock it."
    ) % {"minutes": services.lockout_minutes()}


class SignInLimits:
    """What every sign-in form refuses before a password is checked: an address trying too often (at
    the ``sign_in`` rate, which the token endpoint spends too) and a username locked at this address.

    The lockout message is the same whether or not the username belongs to anyone."""

    throttle_scope = "sign_in"  # the throttle reads it from the form, which stands for the view here

    def clean(self):
        throttle = ScopedRateThrottle()
        if not throttle.allow_request(self.request, self):
            raise forms.ValidationError(
                _("Too many sign-in attempts from your address. Wait %(seconds)d seconds and try again.")
                % {"seconds": math.ceil(throttle.wait() or 1)},
                code="throttled",
            )
        username = self.cleaned_data.get("username")
        ip = client_ip(self.request)
        if username and services.sign_in_is_locked(username, ip=ip):
            raise forms.ValidationError(lockout_message(), code="locked_out")
        try:
            return super().clean()
        except forms.ValidationError:
            if username and services.sign_in_is_locked(username, ip=ip):
                raise forms.ValidationError(lockout_message(), code="locked_out") from None
            raise


class SignInForm(SignInLimits, AuthenticationForm):
    """The site's sign-in form."""


class AdminSignInForm(SignInLimits, AdminAuthenticationForm):
    """The administration's own sign-in form, held to the same limits."""


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
