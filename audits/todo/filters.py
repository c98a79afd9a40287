import django_filters
from django.utils.translation import gettext_lazy as _

from audits.todo.models import Reminder
from registry.filters import visible_departments


class ReminderFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(label=_("department"), queryset=visible_departments)

    class Meta:
        model = Reminder
        fields = ["department"]
