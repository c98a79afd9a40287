"""Coordinated releases over REST (集中发声, docs/design.md §4.10, §11): tasks, their progress and each
account's part. The office creates, starts and excuses; a unit reports its accounts' parts; everyone reads
what their scope holds (a unit, the tasks that gave its accounts a part). A move the state does not allow
is a 409, as everywhere."""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from audits.releases import selectors, services
from audits.releases.choices import AssignmentStatus, ReleaseMode
from audits.releases.models import ReleaseAssignment, ReleaseTask
from config.api import ERROR, ActionsField, WalkablePagination, valid
from content.models import Post
from registry.api.serializers import MediaAccountSummarySerializer
from registry.choices import DepartmentKind, Platform
from registry.filters import visible_departments, visible_media_accounts
from registry.models import Department, MediaAccount


def _answers(*codes: int) -> dict:
    return {code: ERROR for code in codes}


class ReleaseTaskSerializer(serializers.ModelSerializer):
    departments = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Department.objects.all(), required=False
    )
    media_accounts = serializers.PrimaryKeyRelatedField(
        many=True, queryset=MediaAccount.objects.all(), required=False
    )
    department_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=DepartmentKind.choices), required=False
    )
    platforms = serializers.ListField(child=serializers.ChoiceField(choices=Platform.choices), required=False)
    mode = serializers.ChoiceField(choices=ReleaseMode.choices)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    actions = ActionsField()

    class Meta:
        model = ReleaseTask
        fields = [
            "id",
            "title",
            "body",
            "link",
            "mode",
            "window_start",
            "window_end",
            "departments",
            "department_kinds",
            "platforms",
            "media_accounts",
            "status",
            "actions",
            "created_by",
            "created_at",
            "started_at",
        ]
        read_only_fields = ["id", "status", "created_by", "created_at", "started_at"]


class UnitProgressSerializer(serializers.Serializer):
    department = serializers.IntegerField()
    department_name = serializers.CharField()
    required = serializers.IntegerField()
    pending = serializers.IntegerField()
    done = serializers.IntegerField()
    late = serializers.IntegerField()
    missed = serializers.IntegerField()
    excused = serializers.IntegerField()
    rate = serializers.FloatField(allow_null=True)


class ProgressSerializer(serializers.Serializer):
    required = serializers.IntegerField(help_text=gettext_lazy("Parts not excused"))
    done = serializers.IntegerField(help_text=gettext_lazy("Done in the window"))
    late = serializers.IntegerField(help_text=gettext_lazy("Done after the window"))
    missed = serializers.IntegerField(help_text=gettext_lazy("Not done when the window ended"))
    excused = serializers.IntegerField()
    pending = serializers.IntegerField(help_text=gettext_lazy("Not done yet, the window still open"))
    rate = serializers.FloatField(allow_null=True, help_text=gettext_lazy("Done in time / required"))
    by_department = UnitProgressSerializer(many=True)


class ReleaseTaskFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("status"), choices=ReleaseTask._meta.get_field("status").choices
    )

    class Meta:
        model = ReleaseTask
        fields = ["status"]


class ReleaseTaskViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Release tasks (集中发声任务), the newest window first."""

    serializer_class = ReleaseTaskSerializer
    filterset_class = ReleaseTaskFilter
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        tasks = selectors.task_list(self.request.user)
        # The progress reads the task alone: its scope's lists are the task's shape only.
        return tasks if self.action == "progress" else tasks.prefetch_related("departments", "media_accounts")

    @extend_schema(responses={201: ReleaseTaskSerializer, **_answers(400, 401, 403)})
    def create(self, request):
        fields = valid(self.get_serializer(data=request.data))
        task = services.release_task_create(actor=request.user, **fields)
        return Response(self.get_serializer(task).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={200: ReleaseTaskSerializer, **_answers(400, 401, 403, 404, 409)},
        description="Give every live account in the task's scope its part and tell each unit. 409 unless a "
        "draft whose window has not ended; 400 when no live account is in its scope.",
    )
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        task = services.release_task_start(actor=request.user, task=self.get_object())
        return Response(self.get_serializer(task).data)

    @extend_schema(responses={200: ProgressSerializer, **_answers(401, 404)})
    @action(detail=True, methods=["get"])
    def progress(self, request, pk=None):
        return Response(selectors.progress(request.user, self.get_object()).as_dict())


class ReleaseAssignmentSerializer(serializers.ModelSerializer):
    account = MediaAccountSummarySerializer(source="media_account", read_only=True)
    task_title = serializers.CharField(source="task.title", read_only=True)
    reported_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    excused_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    post_url = serializers.CharField(read_only=True)
    actions = ActionsField()

    class Meta:
        model = ReleaseAssignment
        fields = [
            "id",
            "task",
            "task_title",
            "media_account",
            "account",
            "department",
            "status",
            "actions",
            "post",
            "post_url",
            "done_at",
            "reported_by",
            "reported_at",
            "excused_by",
            "excused_at",
            "excuse_reason",
        ]
        read_only_fields = fields


class ReportSerializer(serializers.Serializer):
    post_url = serializers.URLField(
        max_length=500, required=False, help_text=gettext_lazy("The post's address")
    )
    post = serializers.PrimaryKeyRelatedField(
        queryset=Post.objects.all(), required=False, help_text=gettext_lazy("One of the account's posts")
    )


class ExcuseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ReleaseAssignmentFilter(django_filters.FilterSet):
    task = django_filters.NumberFilter(label=gettext_lazy("release task"), field_name="task_id")
    media_account = django_filters.ModelChoiceFilter(
        label=gettext_lazy("media account"), queryset=visible_media_accounts
    )
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("department"), queryset=visible_departments
    )
    status = django_filters.ChoiceFilter(label=gettext_lazy("status"), choices=AssignmentStatus.choices)

    class Meta:
        model = ReleaseAssignment
        fields = ["task", "media_account", "department", "status"]


class ReleaseAssignmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Each account's part of the release tasks (发声任务落实), in the user's scope."""

    serializer_class = ReleaseAssignmentSerializer
    filterset_class = ReleaseAssignmentFilter
    pagination_class = WalkablePagination
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        return (
            selectors.part_list(self.request.user)
            .select_related("reported_by", "excused_by")
            .order_by("-task__window_start", "task_id", "pk")
        )

    def _answer(self, part):
        return Response(self.get_serializer(self.get_queryset().get(pk=part.pk)).data)

    @extend_schema(
        request=ReportSerializer,
        responses={200: ReleaseAssignmentSerializer, **_answers(400, 401, 403, 404, 409)},
        description="The unit reports its account's post: `{post_url}` or `{post}` (one of the account's "
        "posts). Done when published within the window, else late. 409 when done or excused already.",
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        part = self.get_object()
        data = valid(ReportSerializer(data=request.data))
        services.release_assignment_report(
            actor=request.user, assignment=part, post_url=data.get("post_url", ""), post=data.get("post")
        )
        return self._answer(part)

    @extend_schema(
        request=ExcuseSerializer,
        responses={200: ReleaseAssignmentSerializer, **_answers(400, 401, 403, 404, 409)},
        description="The office excuses an account's part, with a reason; it no longer counts as required.",
    )
    @action(detail=True, methods=["post"])
    def excuse(self, request, pk=None):
        part = self.get_object()
        reason = valid(ExcuseSerializer(data=request.data))["reason"]
        services.release_assignment_excuse(actor=request.user, assignment=part, reason=reason)
        return self._answer(part)
