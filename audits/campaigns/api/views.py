"""The campaign's REST endpoints (docs/design.md §1.3, §11): thin over the FilterSets, the scope
and ``audits.campaigns.services``.

Who sees what: the office and auditors see everything; a department administrator sees the
campaigns that cover one of its accounts, and the self-inspections, decisions and closure
orders of its own units; review meetings are the office's record. Anything else is a 404.
Who may act is the services' rule (403); a move the state does not allow is a 409.
"""

from collections.abc import Mapping

from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts import permissions
from accounts.permissions import sees_everything
from accounts.rules import is_auditor
from audits.campaigns import services
from audits.campaigns.api import serializers
from audits.campaigns.filters import (
    CampaignFilter,
    ClosureOrderFilter,
    ReviewDecisionFilter,
    ReviewMeetingFilter,
    SelfInspectionFilter,
)
from audits.campaigns.models import ClosureOrder, ReviewDecision, ReviewMeeting, SelfInspection
from audits.campaigns.selectors import campaign_progress, campaign_progress_by_department, visible_campaigns
from config.api import ERROR, valid


class AuditorsOnlyRead(BasePermission):
    """Auditors read everything and change nothing (docs/design.md §6.3): any write is a 403 at once,
    whatever the body says."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or not is_auditor(request.user)


class OfficeCreates(BasePermission):
    """Campaigns, meetings and decisions are the office's to create; there is no object whose
    scope could decide between 403 and 404, so the answer is a 403 before the body is read."""

    def has_permission(self, request, view):
        return view.action != "create" or permissions.is_office_admin(request.user)


CAMPAIGN_PERMISSIONS = [IsAuthenticated, AuditorsOnlyRead, OfficeCreates]


def _answers(*codes: int) -> dict:
    return {code: ERROR for code in codes}


class CampaignViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Clean-up campaigns (清理整顿专项行动), newest first."""

    serializer_class = serializers.CampaignSerializer
    filterset_class = CampaignFilter
    permission_classes = CAMPAIGN_PERMISSIONS

    def get_queryset(self):
        return (
            visible_campaigns(self.request.user).select_related("created_by").order_by("-created_at", "-pk")
        )

    @extend_schema(
        request=serializers.CampaignCreateSerializer,
        responses={201: serializers.CampaignSerializer, **_answers(400, 403)},
        description="Set up a campaign (office only). It covers every active account, or those of the "
        "given department kinds, platforms and departments (each key narrows the scope).",
    )
    def create(self, request):
        data = valid(serializers.CampaignCreateSerializer(data=request.data))
        campaign = services.campaign_create(actor=request.user, **data)
        return Response(self.get_serializer(campaign).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: serializers.CampaignSerializer, **_answers(400, 403, 404, 409)},
        description="Start a draft campaign (office only): one self-inspection per account in scope, "
        "and a notice to each unit. 409 if it has started already; 400 if its scope is empty.",
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        campaign = self.get_object()
        services.campaign_start(actor=request.user, campaign=campaign)
        return Response(self.get_serializer(self.get_queryset().get(pk=campaign.pk)).data)

    @extend_schema(
        responses={200: serializers.CampaignProgressSerializer, **_answers(404)},
        description="The number of applications at each step, overall and per unit, counting only the "
        "units the user may see.",
    )
    @action(detail=True, methods=["get"], filterset_class=None)
    def progress(self, request, pk=None):
        campaign = self.get_object()
        by_department = campaign_progress_by_department(campaign, request.user)
        data = {
            "campaign": campaign.pk,
            "counts": campaign_progress(campaign, request.user).as_dict(),
            "by_department": [
                {
                    "department": department.pk,
                    "code": department.code,
                    "name": department.name,
                    "counts": progress.as_dict(),
                }
                for department, progress in by_department
            ],
        }
        return Response(serializers.CampaignProgressSerializer(data).data)


class SelfInspectionViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Self-inspections (自查申请): a unit's three-have answers and proposal for one account."""

    serializer_class = serializers.SelfInspectionSerializer
    filterset_class = SelfInspectionFilter
    permission_classes = CAMPAIGN_PERMISSIONS
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        # By campaign, then units in the official order: stable across pages.
        return (
            SelfInspection.objects.restrict(self.request.user, "view")
            .select_related("media_account__department", "merge_target", "submitted_by")
            .order_by("campaign", "media_account__department__order_key", "media_account__name", "pk")
        )

    def _answer(self, inspection: SelfInspection) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=inspection.pk)).data)

    @extend_schema(
        request=serializers.SelfInspectionAnswersSerializer,
        responses={200: serializers.SelfInspectionSerializer, **_answers(400, 403, 404, 409)},
        description="Record some or all answers; the application stays a draft until submitted, and "
        "is locked (409) once submitted until the office returns it.",
    )
    def partial_update(self, request, pk=None):
        inspection = self.get_object()
        answers = valid(serializers.SelfInspectionAnswersSerializer(data=request.data, partial=True))
        inspection = services.self_inspection_save(actor=request.user, self_inspection=inspection, **answers)
        return self._answer(inspection)

    @extend_schema(
        request=None,
        responses={200: serializers.SelfInspectionSerializer, **_answers(400, 403, 404, 409)},
        description="Submit the application for review. Retaining needs all three haves; a merger "
        "names its target. Locked until the office returns it.",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        inspection = services.self_inspection_submit(actor=request.user, self_inspection=self.get_object())
        return self._answer(inspection)


class MeetingViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Review meetings (集中审议会): the office's record, seen by the office and auditors only."""

    serializer_class = serializers.MeetingSerializer
    filterset_class = ReviewMeetingFilter
    permission_classes = CAMPAIGN_PERMISSIONS
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self):
        meetings = ReviewMeeting.objects.select_related("created_by").order_by("-held_on", "-pk")
        return meetings if sees_everything(self.request.user) else meetings.none()

    @extend_schema(
        request=serializers.MeetingCreateSerializer,
        responses={201: serializers.MeetingSerializer, **_answers(400, 403, 409)},
        description="Record a review meeting of a running campaign (office only).",
    )
    def create(self, request):
        data = valid(
            serializers.MeetingCreateSerializer(data=request.data, context=self.get_serializer_context())
        )
        meeting = services.meeting_create(actor=request.user, **data)
        return Response(self.get_serializer(meeting).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.MeetingUpdateSerializer,
        responses={200: serializers.MeetingSerializer, **_answers(400, 403, 404)},
        description="Correct the date, attendees or minutes (office only).",
    )
    def partial_update(self, request, pk=None):
        meeting = self.get_object()
        fields = valid(serializers.MeetingUpdateSerializer(data=request.data))
        meeting = services.meeting_update(actor=request.user, meeting=meeting, **fields)
        return Response(self.get_serializer(meeting).data)


DECISION_REQUEST = PolymorphicProxySerializer(
    component_name="DecisionSubmission",
    serializers=[
        serializers.DecisionCreateSerializer,
        serializers.DecisionBulkSerializer,
        serializers.DecisionCreateSerializer(many=True),
    ],
    resource_type_field_name=None,
    many=False,
)
DECISION_RESPONSE = PolymorphicProxySerializer(
    component_name="DecisionResult",
    serializers=[serializers.ReviewDecisionSerializer, serializers.ReviewDecisionSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


class DecisionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Review decisions (审议结论), newest first."""

    serializer_class = serializers.ReviewDecisionSerializer
    filterset_class = ReviewDecisionFilter
    permission_classes = CAMPAIGN_PERMISSIONS

    def get_queryset(self):
        # Ordered newest first, then by id (the model's ordering): stable across pages.
        return ReviewDecision.objects.restrict(self.request.user, "view").select_related(
            "self_inspection__media_account__department", "decided_by", "closure_order"
        )

    @extend_schema(
        request=DECISION_REQUEST,
        responses={
            201: OpenApiResponse(
                DECISION_RESPONSE, description="The decision, or the list of decisions in the order given."
            ),
            **_answers(400, 403, 409),
        },
        description=(
            "Decide applications (office only), in one of three shapes:\n\n"
            "* one decision: `{self_inspection, meeting, outcome, deadline?, merge_target?, note?}`, "
            "answered with the decision;\n"
            '* many of one meeting: `{"meeting": id, "items": [{self_inspection, outcome, …}, …]}`;\n'
            "* many as a list of single decisions, all naming the same meeting.\n\n"
            "Many are recorded together or not at all: one bad item (named `items[3].outcome`) refuses "
            "them all. `deadline` defaults to the campaign's closure deadline, a merger's `merge_target` "
            "to the unit's proposal; returning needs a `note`. An application that is not awaiting a "
            "decision (decided already, or returned) is a 409."
        ),
    )
    def create(self, request):
        context, body = self.get_serializer_context(), request.data
        if isinstance(body, list) or (isinstance(body, Mapping) and "items" in body):
            body = {"items": body} if isinstance(body, list) else body
            data = valid(serializers.DecisionBulkSerializer(data=body, context=context))
            decisions = services.decisions_make(actor=request.user, **data)
            answer = self.get_serializer(self._fresh(decisions), many=True).data
        else:
            item = valid(serializers.DecisionCreateSerializer(data=body, context=context))
            decision = services.decision_make(actor=request.user, **item)
            answer = self.get_serializer(self._fresh([decision])[0]).data
        return Response(answer, status=status.HTTP_201_CREATED)

    def _fresh(self, decisions: list[ReviewDecision]) -> list[ReviewDecision]:
        """The decisions again, with what the answer shows, in the order given (one query)."""
        by_id = self.get_queryset().in_bulk([decision.pk for decision in decisions])
        return [by_id[decision.pk] for decision in decisions]


class ClosureOrderViewSet(viewsets.ReadOnlyModelViewSet):
    """Closure and merger orders (限期关停(整合)令), by deadline."""

    serializer_class = serializers.ClosureOrderSerializer
    filterset_class = ClosureOrderFilter
    permission_classes = CAMPAIGN_PERMISSIONS

    def get_queryset(self):
        # The model orders by deadline, then id: stable across pages.
        return ClosureOrder.objects.restrict(self.request.user, "view").select_related(
            "media_account__department", "confirmed_by", "verified_by"
        )

    def _answer(self, order: ClosureOrder) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(
        request=serializers.ClosureConfirmSerializer,
        responses={200: serializers.ClosureOrderSerializer, **_answers(400, 403, 404, 409)},
        description="The unit says the closure or merger is done, with the public notice's URL or a "
        "note as evidence; a merger may name the successor actually used. Only an open order.",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        order = self.get_object()
        data = valid(serializers.ClosureConfirmSerializer(data=request.data))
        order = services.closure_order_confirm(
            actor=request.user,
            order=order,
            evidence_url=data["evidence_url"],
            note=data["note"],
            merge_target=data["merge_target"],
        )
        return self._answer(order)

    @extend_schema(
        request=serializers.NoteSerializer,
        responses={200: serializers.ClosureOrderSerializer, **_answers(403, 404, 409)},
        description="The office checks a confirmed order: the account becomes closed (or merged) and "
        "an approved close filing is recorded. 409 unless the unit has confirmed it.",
    )
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        order = self.get_object()
        note = valid(serializers.NoteSerializer(data=request.data))["note"]
        return self._answer(services.closure_order_verify(actor=request.user, order=order, note=note))

    @extend_schema(
        request=serializers.RejectionSerializer,
        responses={200: serializers.ClosureOrderSerializer, **_answers(400, 403, 404, 409)},
        description="The office finds the closure not done: the order is open again, with the note. "
        "409 unless the unit has confirmed it.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        order = self.get_object()
        note = valid(serializers.RejectionSerializer(data=request.data))["note"]
        return self._answer(services.closure_order_reject(actor=request.user, order=order, note=note))
