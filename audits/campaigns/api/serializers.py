"""Shapes of the campaign API: what it answers, and what it accepts before a service acts.

Ids in input are resolved within the requesting user's scope, so an id the user may not see
reads exactly like one that does not exist (docs/design.md §6.1). A merge target may be any live
account of the district: merging into the district's main account is the normal case.
"""

from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.permissions import sees_everything
from audits.campaigns.choices import Outcome
from audits.campaigns.models import (
    ClosureOrder,
    ReviewCampaign,
    ReviewDecision,
    ReviewMeeting,
    SelfInspection,
)
from audits.campaigns.selectors import recommendation_for, recommendations_for, visible_campaigns
from audits.campaigns.services import ANSWER_FIELDS
from config.api import ActionsField
from config.ids import MAX_ID
from registry.api.serializers import MediaAccountSummarySerializer, VisiblePrimaryKeyField
from registry.choices import DepartmentKind, Platform
from registry.models import Department, MediaAccount


def _refuse_unknown_keys(serializer: serializers.Serializer, data) -> None:
    """Refuse a key the serializer does not take, rather than silently drop it."""
    if isinstance(data, Mapping):
        unknown = sorted(set(data) - set(serializer.fields))
        if unknown:
            raise serializers.ValidationError(
                {name: [_("This field is not accepted here.")] for name in unknown}
            )


@extend_schema_field(OpenApiTypes.INT)
class CampaignField(serializers.PrimaryKeyRelatedField):
    """A campaign id, looked up among the campaigns the user may see."""

    def get_queryset(self):
        return visible_campaigns(self.context["request"].user)


@extend_schema_field(OpenApiTypes.INT)
class MeetingField(serializers.PrimaryKeyRelatedField):
    """A meeting id, looked up among the meetings of the campaigns the user may see."""

    def get_queryset(self):
        return ReviewMeeting.objects.filter(campaign__in=visible_campaigns(self.context["request"].user))


def _live_account_field(**kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=MediaAccount.objects.live(),
        required=False,
        allow_null=True,
        help_text=_("A live account of the district to merge into"),
        **kwargs,
    )


# Campaigns ---------------------------------------------------------------------------------------


class CampaignScopeSerializer(serializers.Serializer):
    """Which live accounts a campaign covers; every key narrows it, and an empty scope covers all."""

    department_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=DepartmentKind.choices), default=list
    )
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices), default=list)
    departments = serializers.ListField(
        # Bounded like the database's ids: a larger number names no department, and a query with
        # it fails instead of finding nothing.
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        default=list,
        help_text=_("Department ids"),
    )

    def to_internal_value(self, data):
        _refuse_unknown_keys(self, data)
        return super().to_internal_value(data)

    def validate_departments(self, ids):
        unknown = sorted(set(ids) - set(Department.objects.filter(pk__in=ids).values_list("pk", flat=True)))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown departments: %(ids)s") % {"ids": ", ".join(str(pk) for pk in unknown)}
            )
        return sorted(set(ids))


class CampaignSerializer(serializers.ModelSerializer):
    scope = CampaignScopeSerializer()
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    actions = ActionsField()

    class Meta:
        model = ReviewCampaign
        fields = [
            "id",
            "name",
            "description",
            "scope",
            "self_inspection_due",
            "closure_due",
            "status",
            "actions",
            "created_by",
            "created_at",
            "started_at",
        ]
        read_only_fields = fields


class CampaignCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    self_inspection_due = serializers.DateField()
    closure_due = serializers.DateField()
    scope = CampaignScopeSerializer(required=False, default=dict)


class ProgressCountsSerializer(serializers.Serializer):
    """``audits.campaigns.selectors.Progress.as_dict()``: numbers of applications at each step."""

    in_scope = serializers.IntegerField()
    submitted = serializers.IntegerField()
    decided = serializers.IntegerField()
    retained = serializers.IntegerField()
    closed = serializers.IntegerField(help_text=_("Decided to close"))
    merged = serializers.IntegerField(help_text=_("Decided to merge"))
    returned = serializers.IntegerField()
    overdue = serializers.IntegerField()
    confirmed = serializers.IntegerField(
        help_text=_("Decisions to close or merge the unit has confirmed done (or the office verified)")
    )
    verified = serializers.IntegerField(
        help_text=_("Decisions to close or merge the office has verified: the account is closed or merged")
    )
    decided_to_close_or_merge = serializers.IntegerField(help_text=_("closed + merged"))
    closed_or_merged = serializers.IntegerField(
        help_text=_("The closed share's count: verified closures and mergers only (the same as verified)")
    )
    closed_or_merged_percent = serializers.FloatField(
        help_text=_("closed_or_merged as a percentage of in_scope, to one decimal")
    )


class DepartmentProgressSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    counts = ProgressCountsSerializer()


class CampaignProgressSerializer(serializers.Serializer):
    campaign = serializers.IntegerField()
    counts = ProgressCountsSerializer()
    by_department = DepartmentProgressSerializer(many=True)


# Self-inspections --------------------------------------------------------------------------------


class FactsSerializer(serializers.Serializer):
    followers = serializers.IntegerField()
    posts_30_days = serializers.IntegerField()
    posts_per_day = serializers.FloatField()
    days_since_last_post = serializers.IntegerField(allow_null=True, help_text=_("Null: never posted"))
    days_live = serializers.IntegerField(
        allow_null=True,
        help_text=_(
            "Days since the account went live; under 30 its figures are not judged yet. Null: registered "
            "as already running"
        ),
    )
    sibling = serializers.IntegerField(
        source="sibling.pk",
        allow_null=True,
        help_text=_("The unit's strongest other live account on the same platform"),
    )


class RecommendationSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    reasons = serializers.ListField(child=serializers.CharField())
    merge_target = serializers.IntegerField(source="merge_target.pk", allow_null=True)
    facts = FactsSerializer()


class SelfInspectionListSerializer(serializers.ListSerializer):
    """Computes the page's recommendations together: a fixed number of queries for any page size."""

    def to_representation(self, data):
        inspections = list(data.all() if hasattr(data, "all") else data)
        if sees_everything(self.context["request"].user):
            self.child.recommendations = recommendations_for(inspections)
        return super().to_representation(inspections)


class SelfInspectionSerializer(serializers.ModelSerializer):
    account = MediaAccountSummarySerializer(source="media_account", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    recommendation = serializers.SerializerMethodField(
        help_text=_(
            "The outcome the figures and answers point to, for the office and auditors; "
            "null for department administrators"
        )
    )

    recommendations = None  # set by SelfInspectionListSerializer for a whole page

    actions = ActionsField()

    class Meta:
        model = SelfInspection
        list_serializer_class = SelfInspectionListSerializer
        fields = [
            "id",
            "campaign",
            "media_account",
            "account",
            "status",
            "actions",
            *ANSWER_FIELDS,
            "submitted_by",
            "submitted_at",
            "return_note",
            "updated_at",
            "recommendation",
        ]
        read_only_fields = fields
        # read_only_fields drops allow_blank, and the schema would then promise these are never empty.
        extra_kwargs = {"run_by": {"allow_blank": True}, "proposal": {"allow_blank": True}}

    @extend_schema_field(RecommendationSerializer(allow_null=True))
    def get_recommendation(self, inspection):
        # The recommendation is the reviewers' working aid, weighed in the meeting: shown to a
        # unit before the decision it would read as the decision, and invite answers tuned to it.
        if not sees_everything(self.context["request"].user):
            return None
        if self.recommendations is not None:
            recommendation = self.recommendations[inspection.pk]
        else:
            recommendation = recommendation_for(inspection)
        return RecommendationSerializer(recommendation).data


class SelfInspectionAnswersSerializer(serializers.ModelSerializer):
    """The answers a unit may record; any other key is refused, not silently dropped."""

    merge_target = _live_account_field()

    class Meta:
        model = SelfInspection
        fields = list(ANSWER_FIELDS)
        extra_kwargs = {name: {"required": False} for name in ANSWER_FIELDS}

    def to_internal_value(self, data):
        _refuse_unknown_keys(self, data)
        return super().to_internal_value(data)


# Meetings ----------------------------------------------------------------------------------------


class MeetingSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ReviewMeeting
        fields = ["id", "campaign", "held_on", "attendees", "minutes", "created_by", "created_at"]
        read_only_fields = fields


class MeetingCreateSerializer(serializers.Serializer):
    campaign = CampaignField()
    held_on = serializers.DateField()
    attendees = serializers.CharField()
    minutes = serializers.CharField(required=False, allow_blank=True, default="")


class MeetingUpdateSerializer(serializers.Serializer):
    held_on = serializers.DateField(required=False)
    attendees = serializers.CharField(required=False)
    minutes = serializers.CharField(required=False, allow_blank=True)

    def to_internal_value(self, data):
        _refuse_unknown_keys(self, data)
        return super().to_internal_value(data)


# Decisions ---------------------------------------------------------------------------------------


class ReviewDecisionSerializer(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="self_inspection.campaign_id", read_only=True)
    media_account = serializers.IntegerField(source="self_inspection.media_account_id", read_only=True)
    account = MediaAccountSummarySerializer(source="self_inspection.media_account", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    closure_order = serializers.SerializerMethodField(help_text=_("The order a close or merge decision made"))

    class Meta:
        model = ReviewDecision
        fields = [
            "id",
            "self_inspection",
            "campaign",
            "media_account",
            "account",
            "meeting",
            "outcome",
            "recommended",
            "deadline",
            "merge_target",
            "note",
            "decided_by",
            "decided_at",
            "closure_order",
        ]
        read_only_fields = fields
        # read_only_fields drops allow_blank, and the schema would then promise these are never empty.
        extra_kwargs = {"recommended": {"allow_blank": True}}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_closure_order(self, decision):
        order = getattr(decision, "closure_order", None)  # absent for retain and return
        return order.pk if order is not None else None


class DecisionItemSerializer(serializers.Serializer):
    self_inspection = VisiblePrimaryKeyField(queryset=SelfInspection.objects.all())
    meeting = MeetingField(required=False, help_text=_("Required unless the request names it once"))
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    deadline = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=_("For close and merge; by default the campaign's closure deadline"),
    )
    merge_target = _live_account_field(default=None)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=_("Required when returning")
    )


class DecisionCreateSerializer(DecisionItemSerializer):
    """One decision."""

    meeting = MeetingField()


class DecisionBulkSerializer(serializers.Serializer):
    """Many decisions of one meeting, recorded all together or not at all."""

    meeting = MeetingField(required=False, help_text=_("The meeting of every item that names none"))
    items = DecisionItemSerializer(many=True, allow_empty=False)

    def validate(self, attrs):
        meetings = {item.get("meeting", attrs.get("meeting")) for item in attrs["items"]}
        if None in meetings:
            raise serializers.ValidationError({"meeting": [_("Name the meeting.")]})
        if len(meetings) > 1:
            raise serializers.ValidationError({"meeting": [_("Decide the items of one meeting at a time.")]})
        return {"meeting": meetings.pop(), "items": attrs["items"]}


# Closure orders ----------------------------------------------------------------------------------


class ClosureOrderSerializer(serializers.ModelSerializer):
    account = MediaAccountSummarySerializer(source="media_account", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True, help_text=_("Open and past the deadline"))
    confirmed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    actions = ActionsField()

    class Meta:
        model = ClosureOrder
        fields = [
            "id",
            "campaign",
            "decision",
            "media_account",
            "account",
            "merge_target",
            "deadline",
            "status",
            "actions",
            "is_overdue",
            "overdue_since",
            "evidence_url",
            "evidence_file",
            "evidence_note",
            "confirmed_by",
            "confirmed_at",
            "verified_by",
            "verified_at",
            "rejection_note",
        ]
        read_only_fields = fields
        # read_only_fields drops allow_blank, and the schema would then promise these are never empty.
        extra_kwargs = {"evidence_url": {"allow_blank": True}}


class ClosureConfirmSerializer(serializers.Serializer):
    evidence_url = serializers.URLField(
        required=False, allow_blank=True, default="", max_length=500, help_text=_("The public notice")
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")
    merge_target = _live_account_field(default=None)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RejectionSerializer(serializers.Serializer):
    note = serializers.CharField(help_text=_("What is still missing"))
