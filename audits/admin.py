"""The domains' admins, and the other apps' admins brought under our rules."""

from django.contrib import admin
from django.contrib.auth.models import Group
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounts.admin import ReadOnlyAdminMixin
from audits.inspections.admin import PeriodicTaskAdminMixin
from audits.trail import admin as trail_admin  # noqa: F401  (registers the trail's admin)

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
