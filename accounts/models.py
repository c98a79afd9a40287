from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import rules
from accounts.choices import Role


def user_field(verbose_name, *, db_index: bool = True) -> models.ForeignKey:
    """The user who did something a record keeps (submitted, decided, confirmed it…): empty where the
    system did it, and a user who ever acted is never deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=db_index,
    )


class RegistryUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # `createsuperuser` bootstraps the first office administrator.
        extra_fields.setdefault("role", Role.OFFICE_ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: office staff, an auditor, or a department's administrator.

    What a user may see and do follows from ``role`` and, for department administrators,
    ``department`` (see ``accounts.permissions``).
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.DEPT_ADMIN)
    department = models.ForeignKey(
        "registry.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    objects = RegistryUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.DEPT_ADMIN) | Q(department__isnull=False),
                name="dept_admin_has_department",
                violation_error_message=_("A department administrator must belong to a department."),
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        # Chinese names read surname first, with no space: 王芳, not "芳 王".
        return f"{self.last_name}{self.first_name}".strip()

    def has_perm(self, perm, obj=None):
        # The project's permissions follow the role alone (accounts/rules.py): the superuser flag,
        # which is the Django admin's, grants none of them.
        if perm in rules.PERMISSIONS:
            return rules.allowed(self, perm, obj)
        return super().has_perm(perm, obj)

    @property
    def is_office_admin(self) -> bool:
        return self.role == Role.OFFICE_ADMIN

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_dept_admin(self) -> bool:
        return self.role == Role.DEPT_ADMIN


class ApiToken(models.Model):
    """A named credential for a REST client, acting as its user (so the user's scope applies).

    Only a digest of the key is stored: the key itself is shown once, when it is created.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=8, help_text=_("The key's first characters"))
    digest = models.CharField(_("key digest"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class Notification(models.Model):
    """A message for one user in the app (and by e-mail): a campaign started, a decision made…"""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.subject


class SignInLockout(models.Model):
    """Failed sign-ins counted per username (lower-cased, whether or not such a user exists, so a
    lockout tells nothing about who is registered) and client address. Enough failures lock the name
    at that address only: a stranger failing elsewhere cannot lock a user out of their own desk."""

    username = models.CharField(_("username"), max_length=150)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    failures = models.PositiveIntegerField(_("failed sign-ins"), default=0)
    first_failure_at = models.DateTimeField(_("first failure at"), null=True, blank=True)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in lockout")
        verbose_name_plural = _("sign-in lockouts")
        ordering = ["-locked_until", "username", "ip"]
        constraints = [models.UniqueConstraint(fields=["username", "ip"], name="sign_in_lockout_username_ip")]

    def __str__(self):
        return self.username

    def is_locked(self, now=None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())
