"""Daily figures over REST (``/api/v1/metrics/``): collectors post them, everyone in scope reads them.

A POST takes one row or a list of up to 10,000; every row is checked before any is written
(``registry.metrics``), and ``registry.services.metrics_record`` upserts them by account
and day in one transaction.
"""

import django_filters
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.rules import allowed
from config.api import (
    ERROR,
    StreamJSONParser,
    WalkablePagination,
    bulk_rows,
    collector_paused,
    row_errors,
    row_name,
)
from registry import services
from registry.filters import visible_departments, visible_media_accounts
from registry.metrics import FIGURES, LIMITS, MAX_ROWS, check_metric_rows
from registry.models import AccountMetric

# 10,000 rows of every figure take about 2.5 MB of JSON; room for spacing and long numbers.
MAX_BODY_BYTES = 10 * 2**20


class MetricFilter(django_filters.FilterSet):
    media_account = django_filters.ModelChoiceFilter(
        label=gettext_lazy("media account"), queryset=visible_media_accounts
    )
    department = django_filters.ModelChoiceFilter(
        label=gettext_lazy("department"), field_name="media_account__department", queryset=visible_departments
    )
    date = django_filters.DateFilter(label=gettext_lazy("date"))
    date_after = django_filters.DateFilter(
        label=gettext_lazy("from (inclusive)"), field_name="date", lookup_expr="gte"
    )
    date_before = django_filters.DateFilter(
        label=gettext_lazy("to (inclusive)"), field_name="date", lookup_expr="lte"
    )

    class Meta:
        model = AccountMetric
        fields = ["media_account", "department", "date", "date_after", "date_before"]


class MetricSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccountMetric
        fields = ["id", "media_account", "date", *FIGURES]
        read_only_fields = fields


class MetricRowSerializer(serializers.Serializer):
    """One day of one account (for the schema: rows are checked by ``check_metric_rows``)."""

    media_account = serializers.IntegerField(help_text=gettext_lazy("The account's ID in the registry"))
    date = serializers.DateField(help_text=gettext_lazy("The day the figures are for; not in the future"))

    def get_fields(self):
        fields = super().get_fields()
        for name in FIGURES:
            fields[name] = serializers.IntegerField(
                min_value=0, max_value=LIMITS[name], required=False, default=0
            )
        return fields


class MetricResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text=gettext_lazy("Rows written"))
    media_accounts = serializers.IntegerField(help_text=gettext_lazy("Accounts they are for"))
    created = serializers.IntegerField(help_text=gettext_lazy("Days not entered before"))
    replaced = serializers.IntegerField(help_text=gettext_lazy("Days whose figures were replaced"))


class MayEnterMetrics(BasePermission):
    """Auditors read; writing is for the office and the units, refused before the body is read."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or allowed(request.user, "registry.enter_metrics")


METRIC_ROWS = PolymorphicProxySerializer(
    component_name="MetricRows",
    serializers=[MetricRowSerializer, MetricRowSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


class MetricViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Daily figures (运营数据) of the accounts in the user's scope, newest day first."""

    serializer_class = MetricSerializer
    filterset_class = MetricFilter
    pagination_class = WalkablePagination
    parser_classes = [StreamJSONParser]
    permission_classes = [IsAuthenticated, MayEnterMetrics]

    def get_queryset(self):
        # (account, date) is unique, so this order is total: pages never overlap.
        return AccountMetric.objects.restrict(self.request.user, "view").order_by("-date", "media_account_id")

    @extend_schema(
        request=METRIC_ROWS,
        responses={201: MetricResultSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
        description=(
            f"Record one day of one account, or a list of up to {MAX_ROWS:,} such rows, upserting by "
            "account and date: re-sending a day replaces its figures, and a figure left out counts as 0. "
            "Every row is checked first; any bad row answers 400 with each problem named "
            "`rows[3].date` (or just `date` for a single row) and nothing is written. An account you "
            "may not enter figures for reads like one that does not exist. The account's followers "
            "and last post date follow its newest figures."
        ),
    )
    def create(self, request):
        with collector_paused():
            return self._create(request)

    def _create(self, request):
        rows, single = bulk_rows(request, max_rows=MAX_ROWS, max_bytes=MAX_BODY_BYTES)
        checked = check_metric_rows(request.user, enumerate(rows), row_name=row_name(single))
        if checked.errors:
            raise row_errors(checked.errors, single)
        # Checked once, here, where each problem can be named by its row.
        recorded = services.metrics_record(actor=request.user, rows=checked)
        return Response(
            {
                "rows": recorded.rows,
                "media_accounts": recorded.media_accounts,
                "created": recorded.created,
                "replaced": recorded.replaced,
            },
            status=status.HTTP_201_CREATED,
        )
