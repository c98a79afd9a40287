"""One FilterSet per campaign model, shared by the HTML lists and the API (``filterset_class``).

Every id a filter accepts is looked up within what the user may see, so naming a campaign,
account or unit outside one's scope is refused like an unknown one.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from audits.choices import CampaignStatus, ClosureOrderStatus, Outcome, SelfInspectionStatus
from audits.models import (
    ClosureOrder,
    Reminder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.selectors.campaigns import visible_campaigns
from registry.filters import visible_departments, visible_media_accounts


def _campaigns(request):
    if request is None:
        return ReviewCampaign.objects.none()
    return visible_campaigns(request.user)


def _meetings(request):
    if request is None:
        return ReviewMeeting.objects.none()
    return ReviewMeeting.objects.filter(campaign__in=visible_campaigns(request.user))


def _self_inspections(request):
    if request is None:
        return SelfInspection.objects.none()
    return SelfInspection.objects.restrict(request.user, "view")


class CampaignFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("status"), choices=CampaignStatus.choices)

    class Meta:
        model = ReviewCampaign
        fields = ["status"]


class SelfInspectionFilter(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("campaign"), queryset=_campaigns)
    status = django_filters.ChoiceFilter(label=_("status"), choices=SelfInspectionStatus.choices)
    media_account = django_filters.ModelChoiceFilter(
        label=_("media account"), queryset=visible_media_accounts
    )
    department = django_filters.ModelChoiceFilter(
        label=_("department"), field_name="media_account__department", queryset=visible_departments
    )
    # A choice rather than a BooleanFilter, which would read "overdue=maybe" as no filter at all.
    overdue = django_filters.ChoiceFilter(
        label=_("overdue"),
        choices=[("true", _("Yes")), ("false", _("No"))],
        method="filter_overdue",
        help_text=_("Not submitted and past the campaign's self-inspection deadline"),
    )

    class Meta:
        model = SelfInspection
        fields = ["campaign", "status", "media_account", "department", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value == "true":
            return queryset.overdue()
        return queryset.exclude(pk__in=SelfInspection.objects.overdue().values("pk"))


class ReviewMeetingFilter(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("campaign"), queryset=_campaigns)

    class Meta:
        model = ReviewMeeting
        fields = ["campaign"]


class ReviewDecisionFilter(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(
        label=_("campaign"), field_name="self_inspection__campaign", queryset=_campaigns
    )
    meeting = django_filters.ModelChoiceFilter(label=_("meeting"), queryset=_meetings)
    self_inspection = django_filters.ModelChoiceFilter(label=_("self-inspection"), queryset=_self_inspections)
    outcome = django_filters.ChoiceFilter(label=_("outcome"), choices=Outcome.choices)
    media_account = django_filters.ModelChoiceFilter(
        label=_("media account"), field_name="self_inspection__media_account", queryset=visible_media_accounts
    )
    department = django_filters.ModelChoiceFilter(
        label=_("department"),
        field_name="self_inspection__media_account__department",
        queryset=visible_departments,
    )

    class Meta:
        model = ReviewDecision
        fields = ["campaign", "meeting", "self_inspection", "outcome", "media_account", "department"]


class ClosureOrderFilter(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("campaign"), queryset=_campaigns)
    media_account = django_filters.ModelChoiceFilter(
        label=_("media account"), queryset=visible_media_accounts
    )
    department = django_filters.ModelChoiceFilter(
        label=_("department"), field_name="media_account__department", queryset=visible_departments
    )
    status = django_filters.ChoiceFilter(label=_("status"), choices=ClosureOrderStatus.choices)
    # A choice rather than a BooleanFilter, which would read "overdue=maybe" as no filter at all.
    overdue = django_filters.ChoiceFilter(
        label=_("overdue"),
        choices=[("true", _("Overdue only")), ("false", _("Not overdue"))],
        method="filter_overdue",
        help_text=_("Open and past the deadline"),
    )

    class Meta:
        model = ClosureOrder
        fields = ["campaign", "media_account", "department", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        # The same rule as the daily job's: open and past the deadline, whether flagged yet or not.
        if value == "true":
            return queryset.overdue()
        return queryset.exclude(pk__in=ClosureOrder.objects.overdue().values("pk"))


class ReminderFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(label=_("department"), queryset=visible_departments)

    class Meta:
        model = Reminder
        fields = ["department"]
