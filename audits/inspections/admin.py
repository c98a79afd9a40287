"""Beat's jobs in the admin, switched on or off through the inspections' schedule service."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts import permissions
from accounts.admin import ReadOnlyAdminMixin
from audits.inspections import schedule


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
