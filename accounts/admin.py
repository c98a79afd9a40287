from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import rules, services
from accounts.models import ApiToken, SignInLockout, User


class RoleAdminMixin:
    """The admin follows our roles, not Django's per-model permissions:
    office administrators may change, auditors may only look."""

    def has_module_permission(self, request):
        return rules.sees_everything(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return rules.is_office_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return rules.is_office_admin(request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # records are deactivated or closed, never deleted


class ReadOnlyAdminMixin(RoleAdminMixin):
    """To read only: what changes here changes through a service's page, which records it."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        return {}


def changed_fields(form, names) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


TOKEN_FIELDS = ("name", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")


class ApiTokenInline(RoleAdminMixin, admin.TabularInline):
    """The user's API tokens on the user's page, for the office (revoked in API 令牌)."""

    model = ApiToken
    fields = readonly_fields = TOKEN_FIELDS
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return rules.is_office_admin(request.user)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(RoleAdminMixin, DjangoUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "department", "is_active", "last_login")
    list_filter = ("role", "is_active", "department__kind")
    search_fields = ("username", "first_name", "last_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Personal info"), {"fields": ("last_name", "first_name", "email", "phone")}),
        (_("Role"), {"fields": ("role", "department", "is_active")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("username", "password1", "password2", "role", "department")},
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def get_inlines(self, request, obj):
        return [ApiTokenInline] if obj is not None else []  # a new user has no tokens

    def save_model(self, request, obj, form, change):
        if change:
            services.user_update(
                actor=request.user,
                user=obj,
                **changed_fields(
                    form, ("first_name", "last_name", "email", "phone", "role", "department", "is_active")
                ),
            )
        else:
            created = services.user_create(
                actor=request.user,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
                role=form.cleaned_data["role"],
                department=form.cleaned_data.get("department"),
            )
            obj.pk = created.pk

    def user_change_password(self, request, id, form_url=""):
        # Django's view saves the form itself, out of the trail: a valid form goes to the service.
        user = self.get_object(request, unquote(id))
        if request.method == "POST" and user is not None and self.has_change_permission(request, user):
            form = self.change_password_form(user, request.POST)
            usable = form.is_valid() and form.cleaned_data["set_usable_password"]
            if form.is_valid() and (usable or "unset-password" in request.POST):
                services.user_set_password(
                    actor=request.user, user=user, password=form.cleaned_data["password1"] if usable else None
                )
                if usable:
                    self.message_user(request, _("Password changed; the user's API tokens are revoked."))
                else:
                    self.message_user(
                        request, _("Password sign-in disabled; the user's API tokens are revoked.")
                    )
                update_session_auth_hash(request, user)
                return HttpResponseRedirect(reverse("admin:accounts_user_change", args=[user.pk]))
        return super().user_change_password(request, id, form_url)


@admin.register(SignInLockout)
class SignInLockoutAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Usernames with failed sign-ins; the office unlocks a locked one with the action."""

    list_display = ("username", "ip", "failures", "first_failure_at", "locked_until")
    search_fields = ("username",)
    readonly_fields = ("username", "ip", "failures", "first_failure_at", "locked_until")
    actions = ["unlock"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the counts are the system's; the office only unlocks

    @admin.action(description=_("Unlock the selected usernames"))
    def unlock(self, request, queryset):
        if not rules.is_office_admin(request.user):
            self.message_user(request, _("Only the office administrator may unlock."), level="error")
            return
        unlocked = sum(
            services.sign_in_unlock(actor=request.user, username=lockout.username, ip=lockout.ip)
            for lockout in queryset
        )
        self.message_user(request, _("%(count)d username(s) unlocked.") % {"count": unlocked})


@admin.register(ApiToken)
class ApiTokenAdmin(RoleAdminMixin, admin.ModelAdmin):
    """Every user's API tokens, for the office: when each was made and last used, and revocation.
    Auditors read the registry, not other people's credentials; no one sees a key or its digest."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("name", "prefix", "user__username", "user__last_name", "user__first_name")
    list_select_related = ("user",)
    fields = readonly_fields = ("user", *TOKEN_FIELDS)
    actions = ["revoke"]

    def has_module_permission(self, request):
        return rules.is_office_admin(request.user)

    def has_add_permission(self, request, *args):
        return False  # a token is made by its user, who alone sees its key

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["view"])
    def revoke(self, request, queryset):
        live = list(queryset.filter(revoked_at__isnull=True))
        for token in live:
            services.api_token_revoke(actor=request.user, token=token)
        self.message_user(request, _("%(count)d token(s) revoked.") % {"count": len(live)}, messages.SUCCESS)
