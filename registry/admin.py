from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.admin import RoleAdminMixin, changed_fields
from config.errors import InvalidTransition
from registry import services
from registry.models import Department, Filing, MediaAccount, Operator


@admin.register(Department)
class DepartmentAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "code",
        "kind",
        "parent",
        "sort_order",
        "first_responsible_person",
        "contact_phone",
        "is_active",
    )
    # The office numbers the units of a kind in one go from the list.
    list_editable = ("sort_order",)
    list_filter = ("kind", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("parent",)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "sort_order" in form.base_fields:
            field = form.base_fields["sort_order"]
            field.required = False
            field.help_text = _("Left empty, the unit goes last among the units of its kind at its level.")
        return form

    def save_model(self, request, obj, form, change):
        if change:
            services.department_update(
                actor=request.user, department=obj, **changed_fields(form, services.DEPARTMENT_FIELDS)
            )
        else:
            created = services.department_create(
                actor=request.user, **{name: form.cleaned_data[name] for name in services.DEPARTMENT_FIELDS}
            )
            obj.pk = created.pk


class OperatorInline(RoleAdminMixin, admin.TabularInline):
    """Who runs the account, to read: operators change through a change filing. Their phones as on
    the account's page (here, where only the office and auditors come: the office's)."""

    model = Operator
    extra = 0
    can_delete = False

    def get_fields(self, request, obj=None):
        if obj is not None and permissions.can_see_operator_phones(request.user, obj.department_id):
            return ("name", "phone", "employment")
        return ("name", "employment")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MediaAccount)
class MediaAccountAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = ("name", "platform", "department", "status", "filing_number", "followers", "last_post_on")
    list_filter = ("platform", "status", "department__kind")
    search_fields = ("name", "platform_uid", "filing_number")
    list_select_related = ("department",)
    inlines = [OperatorInline]

    def get_readonly_fields(self, request, obj=None):
        # The office corrects what the service corrects; the rest moves by filings and decisions.
        return [
            field.name for field in MediaAccount._meta.fields if field.name not in services.CORRECTABLE_FIELDS
        ]

    def has_add_permission(self, request, *args):
        return False  # accounts come into the registry by filing

    def save_model(self, request, obj, form, change):
        services.media_account_update(
            actor=request.user, media_account=obj, **changed_fields(form, services.CORRECTABLE_FIELDS)
        )


@admin.register(Filing)
class FilingAdmin(RoleAdminMixin, admin.ModelAdmin):
    list_display = (
        "media_account",
        "kind",
        "status",
        "submitted_by",
        "submitted_at",
        "decided_by",
        "decided_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("media_account__name", "media_account__platform_uid")
    list_select_related = ("media_account", "submitted_by", "decided_by")
    actions = ["approve", "reject"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        # A filing moves only by its decisions (the actions), never by its form.
        return obj is None and super().has_change_permission(request)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Filing._meta.fields]

    def _decide_each(self, request, queryset, service, done_message):
        done = 0
        for filing in queryset:
            try:
                service(actor=request.user, filing=filing)
                done += 1
            except (InvalidTransition, PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{filing}: {getattr(error, 'message', error)}", messages.ERROR)
        if done:
            self.message_user(request, done_message % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Approve the selected filings"), permissions=["change"])
    def approve(self, request, queryset):
        self._decide_each(request, queryset, services.filing_approve, _("%(count)d filings approved."))

    @admin.action(description=_("Reject the selected filings"), permissions=["change"])
    def reject(self, request, queryset):
        self._decide_each(request, queryset, services.filing_reject, _("%(count)d filings rejected."))
