"""``GET /api/v1/todo/``: what awaits the user (待办), as the navigation counts it; and
``/api/v1/reminders/``: the office's reminders (催办) to late units, listed within the user's scope
and sent by the office. Thin over ``audits.todo.selectors`` and ``audits.todo.services``."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import permissions
from accounts.rules import authorize
from audits.todo.filters import ReminderFilter
from audits.todo.models import Reminder
from audits.todo.selectors import late_unit_rows, todo_counts
from audits.todo.services import MESSAGE_MAX_LENGTH, reminder_send
from config.api import ERROR, valid
from registry.api.serializers import VisiblePrimaryKeyField
from registry.models import Department


def _answers(*codes: int) -> dict:
    return {code: ERROR for code in codes}


class QueueSerializer(serializers.Serializer):
    key = serializers.CharField(
        source="queue.key",
        help_text=_(
            "The office: filings, applications, closures, answers, late_units; "
            "a unit: self_inspections, closure_orders, notices"
        ),
    )
    label = serializers.CharField(source="queue.label")
    count = serializers.IntegerField()
    overdue = serializers.IntegerField(
        allow_null=True, help_text=_("Of which past their deadline (a unit's queues; null for the office's)")
    )
    url = serializers.CharField(source="queue.url", help_text=_("The page where the items are acted on"))


class LateUnitSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department.pk")
    department_name = serializers.CharField(source="department.name")
    self_inspections = serializers.IntegerField(help_text=_("Not submitted by the campaign's due date"))
    closure_orders = serializers.IntegerField(help_text=_("Not carried out by their deadline"))
    notices = serializers.IntegerField(help_text=_("Not answered by their deadline"))
    last_reminded_at = serializers.DateTimeField(allow_null=True)


class TodoSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    queues = QueueSerializer(many=True)
    late_units = LateUnitSerializer(
        many=True, help_text=_("Office administrators and auditors: every late unit; empty for a unit")
    )


class TodoView(APIView):
    """What awaits the user's action, per queue; auditors have none."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: TodoSerializer, **_answers(401)})
    def get(self, request):
        counts = todo_counts(request.user)
        late = late_unit_rows(request.user) if permissions.sees_everything(request.user) else []
        return Response(
            TodoSerializer({"total": counts.total, "queues": counts.queues, "late_units": late}).data
        )


class ReminderSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    sent_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    overdue = serializers.DictField(
        child=serializers.IntegerField(),
        read_only=True,
        help_text=_("What was overdue when it was sent: self_inspections, closure_orders, notices"),
    )

    class Meta:
        model = Reminder
        fields = [
            "id",
            "department",
            "department_name",
            "sent_by",
            "sent_at",
            "message",
            "overdue",
            "recipients",
        ]
        read_only_fields = fields


class ReminderCreateSerializer(serializers.Serializer):
    department = VisiblePrimaryKeyField(queryset=Department.objects.all())
    message = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, required=False, allow_blank=True, default="", trim_whitespace=True
    )


@extend_schema_view(
    list=extend_schema(description="Reminders within the user's scope, newest first."),
    retrieve=extend_schema(description="One reminder; 404 outside the user's scope."),
)
class ReminderViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """The office's reminders (催办) to units with overdue items."""

    serializer_class = ReminderSerializer
    filterset_class = ReminderFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return (
            Reminder.objects.restrict(self.request.user, "view")
            .select_related("department", "sent_by")
            .order_by("-sent_at", "-pk")
        )

    @extend_schema(
        request=ReminderCreateSerializer,
        responses={201: ReminderSerializer, **_answers(400, 401, 403, 409)},
        description="The office reminds a unit of what it has overdue (office only); its administrators "
        "are notified in the app and by e-mail. 409 when the unit has nothing overdue, or was reminded "
        "less than an hour ago.",
    )
    def create(self, request):
        authorize(request.user, "audits.remind_unit")
        data = valid(ReminderCreateSerializer(data=request.data, context={"request": request}))
        reminder = reminder_send(actor=request.user, department=data["department"], message=data["message"])
        return Response(self.get_serializer(reminder).data, status=status.HTTP_201_CREATED)
