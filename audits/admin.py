from django.contrib import admin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounts import permissions
from accounts.admin import ReadOnlyAdminMixin, RoleAdminMixin
from audits.models import AuditEvent
from audits.services import schedule


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


class PeriodicTaskAdminMixin(ReadOnlyAdminMixin):
    """Beat's jobs, to read, and to switch on or off through the service."""

    def get_actions(self, request):
        if not permissions.is_office_admin(request.user):
            return {}
        return {name: self.get_action(name) for name in ("switch_on", "switch_off")}

    @admin.action(description=_("Switch the selected jobs on"))
    def switch_on(self, request, queryset):
        self._switch(request, queryset, enabled=True)

    @admin.action(description=_("Switch the selected jobs off"))
    def switch_off(self, request, queryset):
        self._switch(request, queryset, enabled=False)

    def _switch(self, request, queryset, *, enabled):
        for task in queryset:
            schedule.scheduled_job_switch(actor=request.user, task=task, enabled=enabled)
        self.message_user(request, _("%(count)d job(s) switched.") % {"count": len(queryset)})


# Other apps' admins write without our trail (and let a superuser past Django's own permissions):
# groups mean nothing beside our roles; beat's tables are read here, the inspection's schedule is set
# on its own page and a job is switched on or off by the service. They are all registered by now:
# this is the last app's admin module.
admin.site.unregister(Group)
for _model, _mixin in (
    (PeriodicTask, PeriodicTaskAdminMixin),
    (IntervalSchedule, ReadOnlyAdminMixin),
    (CrontabSchedule, ReadOnlyAdminMixin),
    (SolarSchedule, ReadOnlyAdminMixin),
    (ClockedSchedule, ReadOnlyAdminMixin),
):
    _base = type(admin.site.get_model_admin(_model))
    admin.site.unregister(_model)
    admin.site.register(_model, type(_base.__name__, (_mixin, _base), {}))
