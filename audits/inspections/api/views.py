"""The scheduled inspections over REST (定期巡查, docs/design.md §7, §11): runs, rules, findings, notices.

Thin over ``audits.inspections.services``, the FilterSets of ``audits.inspections.filters`` and the
scope. Runs are district-wide, so they are the office's and the auditors' (403 for a unit, as in
the browser); every role reads the rules; findings and notices are scoped like accounts (out of
scope is a 404). Who may act is the services' rule (403); a move the state does not allow is a 409.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.rules import authorize
from audits.inspections import selectors as inspection_selectors
from audits.inspections import services
from audits.inspections.choices import Severity
from audits.inspections.filters import FindingFilter, NoticeFilter
from audits.inspections.models import Finding, InspectionRule, InspectionRun, RectificationNotice
from config.api import ERROR, ActionsField, WalkablePagination, valid
from registry.api.serializers import MediaAccountSummarySerializer


def _answers(*codes: int) -> dict:
    return {code: ERROR for code in codes}


# Shapes ----------------------------------------------------------------------------------------


class RuleCountsSerializer(serializers.Serializer):
    open = serializers.IntegerField(help_text=gettext_lazy("Findings of the rule open after the run"))
    opened = serializers.IntegerField(help_text=gettext_lazy("Of which opened by this run"))
    resolved = serializers.IntegerField(help_text=gettext_lazy("Findings the run resolved"))


class InspectionRunSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    counts = serializers.DictField(
        child=RuleCountsSerializer(), read_only=True, help_text=gettext_lazy("Per rule code")
    )

    class Meta:
        model = InspectionRun
        fields = [
            "id",
            "status",
            "inspection_date",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "accounts",
            "counts",
            "error",
        ]
        read_only_fields = fields


# No government new-media account predates it; far earlier days only overflow the rules' windows.
EARLIEST_INSPECTION_DAY = datetime.date(2000, 1, 1)


class InspectionRunRequestSerializer(serializers.Serializer):
    inspection_date = serializers.DateField(
        required=False, help_text=gettext_lazy("The day to inspect as of; today by default")
    )

    def validate_inspection_date(self, day):
        if day > timezone.localdate():
            raise serializers.ValidationError(_("The inspection day cannot be in the future."))
        if day < EARLIEST_INSPECTION_DAY:
            raise serializers.ValidationError(
                _("The inspection day cannot be before %(day)s.") % {"day": EARLIEST_INSPECTION_DAY}
            )
        return day


class InspectionRuleSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_code_display", read_only=True)
    thresholds = serializers.DictField(read_only=True)

    class Meta:
        model = InspectionRule
        fields = ["id", "code", "name", "enabled", "severity", "thresholds", "source", "updated_at"]
        read_only_fields = fields


class InspectionRuleUpdateSerializer(serializers.Serializer):
    enabled = serializers.BooleanField(required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    thresholds = serializers.DictField(
        required=False,
        help_text=gettext_lazy("Only the thresholds to change, each a number of at least 0"),
    )

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field is not accepted here.")] for name in unknown}
                )
        return super().to_internal_value(data)


class FindingSerializer(serializers.ModelSerializer):
    rule = serializers.SlugRelatedField(slug_field="code", read_only=True)
    rule_name = serializers.CharField(source="rule.get_code_display", read_only=True)
    account = MediaAccountSummarySerializer(source="media_account", read_only=True)
    detail = serializers.DictField(read_only=True, help_text=gettext_lazy("The figures behind the finding"))
    waived_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    confirmed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    dismissed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    post = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=gettext_lazy("The post a wording hit was found in")
    )
    term = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The lexicon term or outside site a wording hit found")
    )
    last_seen = serializers.DateField(
        source="seen_until", read_only=True, help_text=gettext_lazy("The day of the last run that saw it")
    )
    last_run = serializers.IntegerField(
        source="seen_in_run",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("The last run that saw it"),
    )

    actions = ActionsField()

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule",
            "rule_name",
            "severity",
            "status",
            "actions",
            "media_account",
            "account",
            "first_seen",
            "last_seen",
            "detail",
            "last_run",
            "resolved_at",
            "waived_by",
            "waived_at",
            "waive_reason",
            "notice",
            "post",
            "term",
            "confirmed_by",
            "confirmed_at",
            "dismissed_by",
            "dismissed_at",
            "dismiss_reason",
        ]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    inspection_date = serializers.DateField(source="run.inspection_date", read_only=True)
    is_overdue = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("Unanswered past the deadline")
    )
    findings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    responded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    actions = ActionsField()

    class Meta:
        model = RectificationNotice
        fields = [
            "id",
            "department",
            "department_name",
            "run",
            "inspection_date",
            "deadline",
            "status",
            "actions",
            "is_overdue",
            "findings",
            "response",
            "responded_by",
            "responded_at",
            "decided_by",
            "decided_at",
            "return_note",
            "created_at",
        ]
        read_only_fields = fields


class WaiveSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=gettext_lazy("Why the finding is justified"))


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text=gettext_lazy("Why the hit is a false positive"))


class ResponseSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=5000, help_text=gettext_lazy("What the unit did"))


class AcceptSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, help_text=gettext_lazy("What is still missing"))


# Endpoints -------------------------------------------------------------------------------------


class InspectionRunViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Inspection runs (定期巡查), newest first: the office's and the auditors' record."""

    serializer_class = InspectionRunSerializer
    permission_classes = [IsAuthenticated]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # District-wide figures: a unit is refused the whole resource, not one object of it.
        authorize(request.user, "audits.view_inspection_runs")

    def get_queryset(self):
        return inspection_selectors.run_list(InspectionRun.objects.all())

    @extend_schema(
        request=InspectionRunRequestSerializer,
        responses={202: InspectionRunSerializer, **_answers(400, 401, 403)},
        description="Queue a run of every enabled rule over all live accounts (office only); a worker "
        "executes it and `GET …/inspection-runs/{id}/` follows it. While a run for the same day is "
        "queued or running, the answer is that run rather than a second one.",
    )
    def create(self, request):
        authorize(request.user, "audits.request_inspection_run")
        day = valid(InspectionRunRequestSerializer(data=request.data)).get("inspection_date")
        run = services.inspection_run_request(actor=request.user, inspection_date=day)
        return Response(self.get_serializer(run).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    partial_update=extend_schema(
        request=InspectionRuleUpdateSerializer,
        responses={200: InspectionRuleSerializer, **_answers(400, 401, 403, 404)},
        description="Edit a rule (office only): switch it on or off, change its severity, or change some "
        "of its thresholds (the others keep their values). Every edit is in the audit trail.",
    )
)
class InspectionRuleViewSet(mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The inspection rules (docs/design.md §7.1), with their sources; every role reads them."""

    serializer_class = InspectionRuleSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "patch", "head", "options"]
    queryset = InspectionRule.objects.order_by("pk")

    def partial_update(self, request, pk=None):
        authorize(request.user, "audits.edit_inspection_rule")
        rule = self.get_object()
        data = valid(InspectionRuleUpdateSerializer(data=request.data))
        if "thresholds" in data:
            # PATCH changes what it names: the thresholds not given keep their current values.
            data["thresholds"] = {**rule.thresholds, **data["thresholds"]}
        rule = services.inspection_rule_update(actor=request.user, rule=rule, **data)
        return Response(self.get_serializer(rule).data)


class FindingViewSet(viewsets.ReadOnlyModelViewSet):
    """Findings (巡查问题) of the accounts in the user's scope, the gravest and newest first."""

    serializer_class = FindingSerializer
    filterset_class = FindingFilter
    pagination_class = WalkablePagination
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return inspection_selectors.finding_list(self.request.user).select_related(
            "waived_by", "confirmed_by", "dismissed_by"
        )

    @extend_schema(
        request=WaiveSerializer,
        responses={200: FindingSerializer, **_answers(400, 401, 403, 404, 409)},
        description="The office accepts an open finding as justified, with a reason; it no longer "
        "counts against the account. 409 unless the finding is open.",
    )
    @action(detail=True, methods=["post"])
    def waive(self, request, pk=None):
        finding = self.get_object()
        reason = valid(WaiveSerializer(data=request.data))["reason"]
        services.finding_waive(actor=request.user, finding=finding, reason=reason)
        return Response(self.get_serializer(self.get_queryset().get(pk=finding.pk)).data)

    @extend_schema(
        request=None,
        responses={200: FindingSerializer, **_answers(401, 403, 404, 409)},
        description="The office holds a wording hit a real error (recorded); it stays open for the unit. "
        "409 unless it is an open wording hit not yet confirmed.",
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        finding = self.get_object()
        services.finding_confirm(actor=request.user, finding=finding)
        return Response(self.get_serializer(self.get_queryset().get(pk=finding.pk)).data)

    @extend_schema(
        request=DismissSerializer,
        responses={200: FindingSerializer, **_answers(400, 401, 403, 404, 409)},
        description="The office marks a wording hit a false positive, with a reason (recorded): it no "
        "longer counts, and the same term in the same post is not flagged again. 409 unless it is an "
        "open or waived wording hit.",
    )
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        finding = self.get_object()
        reason = valid(DismissSerializer(data=request.data))["reason"]
        services.finding_dismiss(actor=request.user, finding=finding, reason=reason)
        return Response(self.get_serializer(self.get_queryset().get(pk=finding.pk)).data)


class NoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """Rectification notices (整改通知) of the units in the user's scope, newest first."""

    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return inspection_selectors.notice_list(self.request.user).prefetch_related("findings")

    def _answer(self, notice: RectificationNotice) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(
        request=ResponseSerializer,
        responses={200: NoticeSerializer, **_answers(400, 401, 403, 404, 409)},
        description="The unit (or the office) says what was done. 409 unless the notice awaits an answer.",
    )
    @action(detail=True, methods=["post"])
    def respond(self, request, pk=None):
        notice = self.get_object()
        response = valid(ResponseSerializer(data=request.data))["response"]
        return self._answer(services.notice_respond(actor=request.user, notice=notice, response=response))

    @extend_schema(
        request=AcceptSerializer,
        responses={200: NoticeSerializer, **_answers(400, 401, 403, 404, 409)},
        description="The office accepts the answer: the notice's open findings are resolved. 409 unless "
        "the notice has been answered.",
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        notice = self.get_object()
        note = valid(AcceptSerializer(data=request.data))["note"]
        return self._answer(services.notice_accept(actor=request.user, notice=notice, note=note))

    @extend_schema(
        request=ReturnSerializer,
        responses={200: NoticeSerializer, **_answers(400, 401, 403, 404, 409)},
        description="The office sends the answer back with a note: the unit must answer again. 409 "
        "unless the notice has been answered.",
    )
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        notice = self.get_object()
        note = valid(ReturnSerializer(data=request.data))["note"]
        return self._answer(services.notice_return(actor=request.user, notice=notice, note=note))
