"""One FilterSet per campaign model, shared by the HTML lists and the API (``filterset_class``).

Every id a filter accepts is looked up within what the user may see, so naming a campaign,
account or unit outside one's scope is refused like an unknown one.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from audits.campaigns.choices import CampaignStatus, ClosureOrderStatus, Outcome, SelfInspectionStatus
from audits.campaigns.models import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.campaigns.selectors import visible_campaigns
from registry.filters import OverdueFilter, visible_departments, visible_media_accounts


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
    overdue = OverdueFilter(help_text=_("Not submitted and past the campaign's self-inspection deadline"))

    class Meta:
        model = SelfInspection
        fields = ["campaign", "status", "media_account", "department", "overdue"]


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
    overdue = OverdueFilter(
        help_text=_("Open and past the deadline"),
        choices=[("true", _("Overdue only")), ("false", _("Not overdue"))],
    )

    class Meta:
        model = ClosureOrder
        fields = ["campaign", "media_account", "department", "status", "overdue"]
