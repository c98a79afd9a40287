"""Writes about users. Each records its audit event."""

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import ApiToken, Notification, SignInLockout, User
from accounts.rules import authorize
from audits.trail.services import diff, record, snapshot

_AUDITED_FIELDS = ("username", "first_name", "last_name", "email", "role", "department", "is_active", "phone")


def _staff_flag(role: str) -> bool:
    # The Django admin is a tool of the office; auditors get read-only views in it.
    return role in (Role.OFFICE_ADMIN, Role.AUDITOR)


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    password: str,
    role: str,
    department=None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    phone: str = "",
    validate: bool = True,
) -> User:
    """Create a user with a role; ``actor`` is an office admin, or ``None`` for the system."""
    authorize(actor, "accounts.manage_users")
    user = User(
        username=username,
        role=role,
        department=department if role == Role.DEPT_ADMIN else None,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        is_staff=_staff_flag(role),
    )
    if validate:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    record(
        "accounts.user.created",
        actor=actor,
        target=user,
        department_id=user.department_id,
        changes={"after": snapshot(user, _AUDITED_FIELDS)},
    )
    return user


@transaction.atomic
def user_update(*, actor, user: User, **fields) -> User:
    """Change a user's profile, role, department or active flag; a role change is its own event."""
    authorize(actor, "accounts.manage_users")
    unknown = set(fields) - set(_AUDITED_FIELDS)
    if unknown:
        raise TypeError(f"user_update() cannot change {', '.join(sorted(unknown))}")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, _AUDITED_FIELDS)
    for name, value in fields.items():
        setattr(user, name, value)
    if user.role != Role.DEPT_ADMIN:
        user.department = None
    user.is_staff = _staff_flag(user.role)
    user.full_clean()
    user.save()
    changes = diff(before, snapshot(user, _AUDITED_FIELDS))
    if changes["after"]:
        record(
            "accounts.user.role_changed" if "role" in changes["after"] else "accounts.user.updated",
            actor=actor,
            target=user,
            department_id=user.department_id,
            changes=changes,
        )
    return user


@transaction.atomic
def user_set_password(*, actor, user: User, password: str | None) -> User:
    """Set a new password (validated against the password policy), or none at all (``None``: the
    user no longer signs in with one). The user's API tokens are revoked with it: whoever knew the
    old password may have made one. The events never hold the password."""
    authorize(actor, "accounts.set_password", user)
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    user.save(update_fields=["password"])
    record(
        "accounts.user.password_changed",
        actor=actor,
        target=user,
        department_id=user.department_id,
        changes={"after": {"usable_password": password is not None}},
    )
    _api_tokens_revoke_all(actor=actor, user=user)
    return user


def _api_tokens_revoke_all(*, actor, user: User) -> int:
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    now = timezone.now()
    for token in tokens:
        token.revoked_at = now
        token.save(update_fields=["revoked_at"])
        record(
            "accounts.api_token.revoked_with_password",
            actor=actor,
            target=token,
            department_id=user.department_id,
        )
    return len(tokens)


def _digest(key: str) -> str:
    # Keys are 256 random bits, so a plain SHA-256 is enough to make a stolen table useless.
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, actor, user: User, name: str, expires_at=None) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the token and its key, which is never shown again."""
    authorize(actor, "accounts.create_api_token", user)
    key = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip() or "api", prefix=key[:8], digest=_digest(key), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    record(
        "accounts.api_token.created",
        actor=actor or user,
        target=token,
        department_id=user.department_id,
        changes={"after": {"name": token.name, "prefix": token.prefix, "expires_at": expires_at}},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; its owner or an office admin may."""
    authorize(actor, "accounts.revoke_api_token", token)
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            "accounts.api_token.revoked", actor=actor, target=token, department_id=token.user.department_id
        )
    return token


def api_token_authenticate(key: str) -> ApiToken | None:
    """The live token with this key, marking when it was last used (bookkeeping, not an audited
    action: one event per request would drown the trail). Written at most once a minute."""
    token = (
        ApiToken.objects.select_related("user").filter(digest=_digest(key), revoked_at__isnull=True).first()
    )
    now = timezone.now()
    if (
        token is None
        or (token.expires_at is not None and token.expires_at <= now)
        or not token.user.is_active
    ):
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def notify(*, users, subject: str, body: str = "", url: str = "") -> int:
    """Tell people something in the app and by e-mail (sent once the transaction commits).

    Notifications are messages, not changes to the record, so they carry no audit event of
    their own: the action that caused them has one.
    """
    return notify_each([(users, subject, body, url)])


def notify_each(messages: Iterable[tuple[Iterable[User], str, str, str]]) -> int:
    """:func:`notify` for many messages, each ``(users, subject, body, url)``, at the cost of one:
    one insert of all their notifications and one batch of mail (a run's notices to 2,000 units)."""
    notifications, mails = [], []
    for users, subject, body, url in messages:
        for user in users:
            if not user.is_active:
                continue
            notifications.append(Notification(user=user, subject=subject, body=body, url=url))
            if user.email:
                mails.append((subject, f"{body}\n\n{url}".strip(), settings.DEFAULT_FROM_EMAIL, [user.email]))
    Notification.objects.bulk_create(notifications)
    if mails:
        transaction.on_commit(lambda: send_mass_mail(mails, fail_silently=True))
    return len(notifications)


def department_admins(department_ids) -> list[User]:
    """The active administrators of these departments: the people a unit's notices go to."""
    return list(User.objects.filter(role=Role.DEPT_ADMIN, is_active=True, department_id__in=department_ids))


@transaction.atomic
def notifications_mark_read(*, actor, ids=None) -> int:
    """Mark the actor's notifications read (all of them, or those with the given ids)."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def sign_in_record(*, user, succeeded: bool, username: str = "") -> None:
    """A sign-in, or a failed attempt (with the name tried: never the password)."""
    if succeeded:
        record("accounts.user.signed_in", actor=user, target=user, department_id=user.department_id)
    else:
        record("accounts.user.sign_in_failed", changes={"after": {"username": username[:150]}})


def sign_out_record(*, user) -> None:
    record("accounts.user.signed_out", actor=user, target=user, department_id=user.department_id)


# --- Lockout after repeated failed sign-ins -------------------------------------------------


def _lockout_key(username: str) -> str:
    return (username or "").strip().lower()[:150]


def lockout_minutes() -> int:
    return max(1, settings.SIGN_IN_LOCKOUT_SECONDS // 60)


def sign_in_is_locked(username: str, *, ip: str | None) -> bool:
    """Whether this username is locked at this address now (the same answer for names no user has)."""
    key = _lockout_key(username)
    if not key:
        return False
    lockout = SignInLockout.objects.filter(username=key, ip=ip or None).first()
    return lockout is not None and lockout.is_locked()


@transaction.atomic
def sign_in_failure_count(*, username: str, ip: str | None) -> SignInLockout | None:
    """Count one failed sign-in of a name from an address; the one that reaches the limit locks the
    name at that address (with its event)."""
    key = _lockout_key(username)
    if not key:
        return None
    now = timezone.now()
    period = datetime.timedelta(seconds=settings.SIGN_IN_LOCKOUT_SECONDS)
    lockout, _created = SignInLockout.objects.select_for_update().get_or_create(username=key, ip=ip or None)
    if lockout.is_locked(now):
        return lockout
    if lockout.first_failure_at is None or lockout.first_failure_at < now - period or lockout.locked_until:
        # A new window: the old failures are too old, or an earlier lockout has run out.
        lockout.failures = 0
        lockout.first_failure_at = now
        lockout.locked_until = None
    lockout.failures += 1
    if lockout.failures >= settings.SIGN_IN_FAILURE_LIMIT:
        lockout.locked_until = now + period
        user = User.objects.filter(username__iexact=key).first()
        record(
            "accounts.user.locked_out",
            target=user,
            changes={
                "after": {
                    "username": key,
                    "failures": lockout.failures,
                    "locked_until": lockout.locked_until.isoformat(),
                    "ip": lockout.ip,
                }
            },
        )
    lockout.save()
    return lockout


def sign_in_failures_clear(*, username: str, ip: str | None) -> None:
    """A successful sign-in forgets the earlier failures of its name at its address (not elsewhere:
    a stranger's count stands)."""
    key = _lockout_key(username)
    SignInLockout.objects.filter(username=key, ip=ip or None, locked_until__isnull=True).delete()


@transaction.atomic
def sign_in_unlock(*, actor, username: str, ip: str | None = None) -> bool:
    """The office lifts a lockout before it runs out: of the name at one address, or at every address
    when none is given. Returns whether the name was locked."""
    authorize(actor, "accounts.unlock_sign_in")
    key = _lockout_key(username)
    # Only a lock is lifted: the failures of a name not (or no longer) locked are the system's count.
    lockouts = SignInLockout.objects.select_for_update().filter(username=key, locked_until__gt=timezone.now())
    if ip is not None:
        lockouts = lockouts.filter(ip=ip)
    locked = list(lockouts)
    if not locked:
        return False
    SignInLockout.objects.filter(pk__in=[lockout.pk for lockout in locked]).delete()
    user = User.objects.filter(username__iexact=key).first()
    for lockout in locked:
        until = lockout.locked_until.isoformat()
        record(
            "accounts.user.unlocked",
            actor=actor,
            target=user,
            changes={"before": {"username": key, "ip": lockout.ip, "locked_until": until}},
        )
    return True
