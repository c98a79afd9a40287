"""The FilterSets of findings and rectification notices, for the HTML lists and the API alike.

Every id a filter accepts is looked up within what the user may see, so naming an account or a
unit outside one's scope is refused like an unknown one.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from audits.inspections.choices import FindingStatus, NoticeStatus, RuleCode, Severity
from audits.inspections.models import Finding, RectificationNotice
from registry.filters import OverdueFilter, visible_departments, visible_media_accounts


class FindingFilter(django_filters.FilterSet):
    media_account = django_filters.ModelChoiceFilter(
        label=_("media account"), queryset=visible_media_accounts
    )
    department = django_filters.ModelChoiceFilter(
        label=_("department"),
        field_name="media_account__department",
        queryset=visible_departments,
    )
    rule = django_filters.ChoiceFilter(label=_("rule"), field_name="rule__code", choices=RuleCode.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=FindingStatus.choices)
    severity = django_filters.ChoiceFilter(label=_("severity"), choices=Severity.choices)
    post = django_filters.NumberFilter(label=_("post"), field_name="post_id")

    class Meta:
        model = Finding
        fields = ["media_account", "department", "rule", "status", "severity", "post"]


class NoticeFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(label=_("department"), queryset=visible_departments)
    status = django_filters.ChoiceFilter(label=_("status"), choices=NoticeStatus.choices)
    overdue = OverdueFilter(help_text=_("Awaiting an answer past the deadline"))

    class Meta:
        model = RectificationNotice
        fields = ["department", "status", "overdue"]
