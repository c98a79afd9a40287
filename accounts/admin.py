from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.choices import Role
from accounts.models import SignInLockout, User


class RoleAdminMixin:
    """The admin follows our roles, not Django's per-model permissions:
    office administrators may change, auditors may only look."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.role in (Role.OFFICE_ADMIN, Role.AUDITOR)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request, *args):
        return request.user.is_active and request.user.role == Role.OFFICE_ADMIN

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.role == Role.OFFICE_ADMIN

    def has_delete_permission(self, request, obj=None):
        return False  # records are deactivated or closed, never deleted


def changed_fields(form, names) -> dict:
    return {name: form.cleaned_data[name] for name in form.changed_data if name in names}


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
        if request.user.role != Role.OFFICE_ADMIN:
            self.message_user(request, _("Only the office administrator may unlock."), level="error")
            return
        unlocked = sum(
            services.sign_in_unlock(actor=request.user, username=lockout.username, ip=lockout.ip)
            for lockout in queryset
        )
        self.message_user(request, _("%(count)d username(s) unlocked.") % {"count": unlocked})
