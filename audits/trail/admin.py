from django.contrib import admin

from accounts.admin import RoleAdminMixin
from audits.trail.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(RoleAdminMixin, admin.ModelAdmin):
    """The trail, read-only for everyone: nothing here can add, change or delete an event."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "department", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("actor_name", "action", "object_repr", "request_id")
    date_hierarchy = "at"
    list_select_related = ("department",)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
