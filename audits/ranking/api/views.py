"""The weekly ranking over REST (周榜, docs/design.md §8): ``/api/v1/rankings/`` and its computation."""

import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.rules import authorize
from audits.ranking.models import WeeklyIndex
from audits.ranking.selectors import WEEK, is_calendar_week, latest_complete_week, ranking, week_start_of
from audits.ranking.services import weekly_index_compute
from config.api import ERROR, Pagination, valid
from registry.choices import Platform


class WeekQuerySerializer(serializers.Serializer):
    week = serializers.DateField(
        required=False,
        help_text=gettext_lazy(
            "Any day of the week (YYYY-MM-DD); the week is the Sunday to Saturday around it. "
            "By default the latest complete week."
        ),
    )

    def validate_week(self, day):
        if not is_calendar_week(day):
            raise serializers.ValidationError(_("There is no such week in the calendar."))
        return day


class RankingQuerySerializer(WeekQuerySerializer):
    platform = serializers.ChoiceField(
        choices=Platform.choices, required=False, help_text=gettext_lazy("Rank within one platform")
    )


class RankingSerializer(serializers.ModelSerializer):
    rank = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("1 + the accounts of the district with a higher index")
    )
    name = serializers.CharField(source="media_account.name", read_only=True)
    platform = serializers.CharField(source="media_account.platform", read_only=True)
    department = serializers.IntegerField(source="media_account.department_id", read_only=True)
    department_name = serializers.CharField(source="media_account.department.name", read_only=True)

    class Meta:
        model = WeeklyIndex
        fields = [
            "rank",
            "media_account",
            "name",
            "platform",
            "department",
            "department_name",
            "index",
            "overall",
            "per_post",
            "peak",
            "posts",
            "reads",
            "likes",
            "shares",
            "comments",
            "days",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "overall": {"help_text": gettext_lazy("O: reads and interactions per day of the week")},
            "per_post": {"help_text": gettext_lazy("A: reads and interactions per post")},
            "peak": {"help_text": gettext_lazy("P: the best day's score")},
            "index": {"help_text": gettext_lazy("(0.7 O + 0.2 A + 0.1 P)² × 12; 0 without posts")},
            "days": {"help_text": gettext_lazy("Days of the week with figures")},
        }


class ComputedSerializer(serializers.Serializer):
    week_start = serializers.DateField()
    week_end = serializers.DateField()
    accounts = serializers.IntegerField(help_text=gettext_lazy("Accounts live during the week, scored"))


class RankingPagination(Pagination):
    """The page, with the week it ranks (the asked-for day is normalised to its Sunday)."""

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        start = self.request.ranking_week
        response.data = {
            "week_start": start.isoformat(),
            "week_end": (start + WEEK - datetime.timedelta(days=1)).isoformat(),
            **response.data,
        }
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"] = {
            "week_start": {"type": "string", "format": "date", "description": "The Sunday the week starts"},
            "week_end": {"type": "string", "format": "date", "description": "The Saturday it ends"},
            **schema["properties"],
        }
        schema["required"] = ["week_start", "week_end", *schema.get("required", [])]
        return schema


def _week(query: dict) -> datetime.date:
    return week_start_of(query["week"]) if "week" in query else latest_complete_week()


class RankingViewSet(viewsets.GenericViewSet):
    """The weekly activity index of the accounts in the user's scope, highest first, with the rank
    each holds in the district."""

    serializer_class = RankingSerializer
    pagination_class = RankingPagination
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        query = valid(RankingQuerySerializer(data=self.request.query_params))
        self.request.ranking_week = _week(query)
        return ranking(
            self.request.user, week_start=self.request.ranking_week, platform=query.get("platform")
        )

    @extend_schema(
        parameters=[RankingQuerySerializer],
        responses={200: RankingSerializer(many=True), 400: ERROR, 401: ERROR},
        description="The ranking of one week (Sunday to Saturday): any day of it may be given as `week`, "
        "and the answer names the week's Sunday and Saturday. Ranked are the accounts live during the "
        "week (not closed or merged before it began, not opened after it ended), as the computation "
        "and the ranking page count them. Ranks count every such account of the district (of the "
        "platform, if given); a department administrator sees its own accounts with the rank they "
        "hold. Empty until the week has been computed.",
    )
    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "week",
                OpenApiTypes.DATE,
                description="Any day of the week to compute; by default the latest complete week.",
            )
        ],
        responses={200: ComputedSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
        description="Compute (or compute again) the index of every account live during one week that has "
        "ended (office only). Computing a week again replaces its figures, and drops the rows of accounts "
        "recorded since as closed or merged before the week.",
    )
    @action(detail=False, methods=["post"])
    def compute(self, request):
        authorize(request.user, "audits.compute_ranking")
        week_start = _week(valid(WeekQuerySerializer(data=request.query_params)))
        accounts = weekly_index_compute(week_start=week_start, actor=request.user)
        answer = {"week_start": week_start, "week_end": week_start + WEEK - datetime.timedelta(days=1)}
        return Response(ComputedSerializer({**answer, "accounts": accounts}).data, status=status.HTTP_200_OK)
