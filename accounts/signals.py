"""Sign-ins and sign-outs are audit events too (who was in the system, and from where)."""

from django.contrib.auth import signals
from django.dispatch import receiver

from accounts import services
from config.proxies import client_ip


@receiver(signals.user_logged_in)
def signed_in(sender, request, user, **kwargs):
    services.sign_in_record(user=user, succeeded=True)
    ip = client_ip(request) if request is not None else None
    services.sign_in_failures_clear(username=user.get_username(), ip=ip)


@receiver(signals.user_logged_out)
def signed_out(sender, request, user, **kwargs):
    if user is not None:
        services.sign_out_record(user=user)


@receiver(signals.user_login_failed)
def sign_in_failed(sender, credentials, request=None, **kwargs):
    username = credentials.get("username", "")
    services.sign_in_record(user=None, succeeded=False, username=username)
    services.sign_in_failure_count(username=username, ip=client_ip(request) if request is not None else None)
