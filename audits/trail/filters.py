"""The one FilterSet of the audit trail (操作日志), shared by the page, its exports and the API.

Days are Asia/Shanghai calendar days: ``from`` and ``to`` are both included. A department outside
the user's scope is refused like an unknown one.
"""

import datetime
from zoneinfo import ZoneInfo

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audits.trail import actions
from audits.trail.models import AuditEvent
from registry.filters import visible_departments

TRAIL_ZONE = ZoneInfo("Asia/Shanghai")


def day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=TRAIL_ZONE)


class TrailDayField(forms.DateField):
    """A day whose span in Beijing time can be counted in UTC: the calendar's first and last days
    cannot (their start or their end falls outside it)."""

    def validate(self, value):
        super().validate(value)
        first, last = (
            datetime.date.min + datetime.timedelta(days=1),
            datetime.date.max - datetime.timedelta(days=1),
        )
        if value and not first <= value <= last:
            raise forms.ValidationError(
                _("Give a day between %(first)s and %(last)s.") % {"first": first, "last": last}
            )


class TrailDayFilter(django_filters.DateFilter):
    field_class = TrailDayField


class ActionField(django_filters.fields.ChoiceField):
    """A declared action; the API also takes a namespace of them (``registry.filing``), as before."""

    def valid_value(self, value):
        return actions.is_filter_value(value)


class ActionFilter(django_filters.ChoiceFilter):
    field_class = ActionField


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        label=_("actor"), method="filter_actor", help_text=_("The username contains this text")
    )
    department = django_filters.ModelChoiceFilter(label=_("department"), queryset=visible_departments)
    # Choices read from the registry when each form is built, so they follow the request's language.
    action = ActionFilter(label=_("action"), choices=actions.action_choices, method="filter_action")
    object_type = django_filters.ChoiceFilter(
        label=_("object type"), choices=actions.kind_choices, field_name="object_type"
    )
    object_id = django_filters.CharFilter(label=_("object ID"), field_name="object_id")
    date_from = TrailDayFilter(
        label=_("from"), method="filter_from", help_text=_("First day, included (Beijing time)")
    )
    date_to = TrailDayFilter(
        label=_("to"), method="filter_to", help_text=_("Last day, included (Beijing time)")
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "department", "action", "object_type", "object_id", "date_from", "date_to"]

    def filter_actor(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(actor_name__icontains=value) | Q(actor__username__icontains=value))

    def filter_action(self, queryset, name, value):
        if value in actions.ACTIONS:
            return queryset.filter(action=value)
        return queryset.filter(action__startswith=f"{value}.")

    def filter_from(self, queryset, name, value):
        return queryset.filter(at__gte=day_start(value))

    def filter_to(self, queryset, name, value):
        return queryset.filter(at__lt=day_start(value + datetime.timedelta(days=1)))
