"""``GET /api/v1/events/``: the audit trail (操作日志), read-only, within the user's scope, with the
filters of the trail page (``AuditEventFilter``). There is no way to change or remove an event:
every write method answers 405."""

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from accounts import permissions
from audits.trail import actions
from audits.trail.filters import AuditEventFilter
from audits.trail.models import AuditEvent
from config.api import WalkablePagination


class AuditEventSerializer(serializers.ModelSerializer):
    action_label = serializers.SerializerMethodField()
    object_type_label = serializers.SerializerMethodField()
    department_name = serializers.CharField(source="department.name", default="", read_only=True)

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "actor_name",
            "action",
            "action_label",
            "object_type",
            "object_type_label",
            "object_id",
            "object_repr",
            "department",
            "department_name",
            "changes",
            "ip",
            "request_id",
            "prev_hash",
            "hash",
        ]
        read_only_fields = fields

    def to_representation(self, event):
        data = super().to_representation(event)
        if permissions.can_see_operator_phones(self.context["request"].user, event.department_id):
            return data
        return {**data, "changes": permissions.without_operator_phones(data["changes"])}

    def get_action_label(self, event) -> str:
        """The action's label in the request's language."""
        return str(actions.label(event.action))

    def get_object_type_label(self, event) -> str:
        """The name of the kind of object, in the request's language."""
        return str(actions.kind_label(event.object_type))


@extend_schema_view(
    list=extend_schema(description="The events the user may see, newest first, filtered and paginated."),
    retrieve=extend_schema(description="One event; 404 outside the user's scope."),
)
class AuditEventViewSet(viewsets.ReadOnlyModelViewSet):
    """The audit trail: who did what, when, to what. Office admins and auditors see every event,
    a department administrator those of its own units."""

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventFilter
    pagination_class = WalkablePagination

    def get_queryset(self):
        return (
            AuditEvent.objects.restrict(self.request.user, "view")
            .select_related("department")
            .order_by("-at", "-pk")
        )
