"""The registry's REST endpoints (docs/design.md §11): thin over the FilterSets, the scope and the services.

Every queryset is narrowed with ``restrict(request.user, "view")``, so what a user may not see is a
404. Writes go through ``registry.services``; their errors map to 400/403/409 in ``config.api``.
"""

import functools
from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api import ERROR, ErrorSerializer, JSONParser, WalkablePagination, valid
from config.downloads import attachment, stored_xlsx_response, xlsx_file_response
from config.renderers import JSONRenderer
from registry import exports, services, spreadsheets
from registry.api import (
    schema,  # noqa: F401  (registers the token scheme with drf-spectacular)
    serializers,
)
from registry.api.renderers import FILE_FORMATS, CSVRenderer, XLSXRenderer
from registry.choices import ExportKind, FilingKind
from registry.filters import DepartmentFilter, FilingFilter, MediaAccountFilter
from registry.models import Department, ExportJob, Filing, MediaAccount


def _nested(error: DjangoValidationError, prefix: str, names: Iterable[str]) -> exceptions.ValidationError:
    """A service's errors about the nested object, named as the client sent them (``changes.url``)."""
    if not hasattr(error, "error_dict"):
        return exceptions.ValidationError({prefix: error.messages})
    names = set(names)
    return exceptions.ValidationError(
        {
            prefix if key == NON_FIELD_ERRORS else f"{prefix}.{key}" if key in names else key: messages
            for key, messages in error.message_dict.items()
        }
    )


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Units that run accounts (主办单位), within the user's scope, in the official order."""

    serializer_class = serializers.DepartmentSerializer
    filterset_class = DepartmentFilter

    def get_queryset(self):
        return Department.objects.restrict(self.request.user, "view")


class ErrorsAsJSON:
    """For a view that answers files: an error is never a spreadsheet, it keeps the one JSON error shape."""

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if getattr(response, "exception", False) and renderer is not None and renderer.format in FILE_FORMATS:
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)


@extend_schema_view(
    list=extend_schema(
        description="The filtered accounts, paginated; `?format=csv` or `?format=xlsx` downloads all of "
        "them (not paginated) as the filing register (备案登记表). The CSV is streamed as it is written. "
        "An .xlsx of more rows than the site builds at once (5,000 unless configured) is built by a "
        "worker: the answer is 202 with the export job (`/api/v1/exports/{id}/`), whose `download_url` "
        "is set once the file is ready.",
        responses={
            (200, "application/json"): serializers.MediaAccountSerializer(many=True),
            (200, XLSXRenderer.media_type): OpenApiTypes.BINARY,
            (200, CSVRenderer.media_type): OpenApiTypes.BINARY,
            (202, "application/json"): serializers.ExportJobSerializer,
        },
    )
)
class MediaAccountViewSet(ErrorsAsJSON, viewsets.ReadOnlyModelViewSet):
    """Government new-media accounts within the user's scope, with their operators."""

    serializer_class = serializers.MediaAccountSerializer
    filterset_class = MediaAccountFilter
    pagination_class = WalkablePagination

    def get_queryset(self):
        # The model's ordering ends with the primary key, so pages never overlap.
        return (
            MediaAccount.objects.restrict(self.request.user, "view")
            .select_related("department")
            .prefetch_related("operators")
        )

    def get_renderers(self):
        renderers = super().get_renderers()
        if self.action == "list":
            renderers += [XLSXRenderer(), CSVRenderer()]
        return renderers

    def list(self, request, *args, **kwargs):
        file_format = request.accepted_renderer.format
        if file_format not in FILE_FORMATS:
            return super().list(request, *args, **kwargs)
        # The whole filtered list (an export is not paginated); a bad filter is a 400 from here. The
        # spreadsheet reads the operators its own way: two prefetches of one relation clash.
        accounts = self.filter_queryset(self.get_queryset()).prefetch_related(None)
        filename = exports.export_filename(file_format)
        if file_format == CSVRenderer.format:
            rows = spreadsheets.iter_media_accounts_csv(accounts, user=request.user)
            return attachment(StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8"), filename)
        total = accounts.count()
        if total > exports.xlsx_sync_max_rows():
            query = request.query_params.copy()
            query.pop("format", None)
            job = exports.export_job_create(
                actor=request.user, kind=ExportKind.MEDIA_ACCOUNTS, query=query.urlencode(), rows_total=total
            )
            # The job is JSON, whatever format was asked for.
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
            data = serializers.ExportJobSerializer(job, context=self.get_serializer_context()).data
            return Response(data, status=status.HTTP_202_ACCEPTED, headers={"Location": data["url"]})
        write = functools.partial(spreadsheets.write_media_accounts_xlsx, accounts, user=request.user)
        return xlsx_file_response(write, filename)


class ExportJobViewSet(
    ErrorsAsJSON, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Your long exports, built by a worker (`?format=xlsx` past the site's limit): each one's
    progress, and once built its file for a day. Anyone else's job is a 404."""

    serializer_class = serializers.ExportJobSerializer
    queryset = ExportJob.objects.none()  # the model, for the schema; the rows are the requester's

    def get_queryset(self):
        # Newest first, then by id (the model's ordering): stable across pages.
        return ExportJob.objects.filter(requested_by=self.request.user)

    @extend_schema(
        responses={
            (200, XLSXRenderer.media_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            404: OpenApiResponse(ErrorSerializer, description="No such job of yours, or no file (yet)."),
        }
    )
    # A client may ask for the file by its type (Accept: …sheet) as well as for anything.
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, XLSXRenderer])
    def download(self, request, pk=None):
        """The built .xlsx; 404 until the job is `done`, and once the file is removed a day later."""
        job = self.get_object()
        if not job.ready:
            raise Http404
        return stored_xlsx_response(job.file, exports.export_filename("xlsx", job))


FILING_REQUEST = PolymorphicProxySerializer(
    component_name="FilingSubmission",
    serializers={kind.value: serializer for kind, serializer in serializers.FILING_INPUT.items()},
    resource_type_field_name="kind",
)


class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Filings (备案) to open, change or close an account, and the office's decisions on them."""

    serializer_class = serializers.FilingSerializer
    filterset_class = FilingFilter
    pagination_class = WalkablePagination
    parser_classes = [JSONParser]  # filings nest objects and lists, which forms cannot carry

    def get_queryset(self):
        # Ordered newest first, then by id (the model's ordering): stable across pages.
        return Filing.objects.restrict(self.request.user, "view").select_related(
            "media_account__department", "submitted_by", "decided_by"
        )

    def _answer(self, filing: Filing, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=filing.pk)).data, status=status_code)

    @extend_schema(
        request=FILING_REQUEST,
        responses={201: serializers.FilingSerializer, 400: ERROR, 403: ERROR, 409: ERROR},
        description="File a new account (`open`), a change to an active one (`change`) or its closure "
        "(`close`). Ids are looked up within your scope; the successor may be any live account.",
    )
    def create(self, request):
        """Submit a filing of any kind; the office decides it later."""
        kind = valid(serializers.FilingKindSerializer(data=request.data))["kind"]
        data = valid(serializers.FILING_INPUT[kind](data=request.data, context=self.get_serializer_context()))
        if kind == FilingKind.OPEN:
            account = dict(data["account"])
            try:
                filing = services.filing_submit_open(
                    actor=request.user,
                    reason=data["reason"],
                    duplicate_reason=data["duplicate_reason"],
                    operators=account.pop("operators", ()),
                    **account,
                )
            except DjangoValidationError as error:
                raise _nested(error, "account", serializers.NewMediaAccountSerializer.Meta.fields) from None
        elif kind == FilingKind.CHANGE:
            try:
                filing = services.filing_submit_change(
                    actor=request.user,
                    media_account=data["media_account"],
                    changes=data["changes"],
                    reason=data["reason"],
                )
            except DjangoValidationError as error:
                raise _nested(error, "changes", services.CHANGEABLE_FIELDS) from None
        else:
            filing = services.filing_submit_close(
                actor=request.user,
                media_account=data["media_account"],
                reason=data["reason"],
                successor=data["successor"],
                notice_url=data["notice_url"],
            )
        return self._answer(filing, status.HTTP_201_CREATED)

    def _decide(self, request, service) -> Response:
        filing = self.get_object()
        note = valid(serializers.DecisionSerializer(data=request.data))["note"]
        service(actor=request.user, filing=filing, note=note)
        return self._answer(filing)

    @extend_schema(
        request=serializers.DecisionSerializer,
        responses={200: serializers.FilingSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a submitted filing (office only): open activates, change applies, close closes."""
        return self._decide(request, services.filing_approve)

    @extend_schema(
        request=serializers.DecisionSerializer,
        responses={200: serializers.FilingSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject a submitted filing (office only); a rejected open filing leaves its account rejected."""
        return self._decide(request, services.filing_reject)

    @extend_schema(
        request=serializers.DecisionSerializer,
        responses={200: serializers.FilingSerializer, 403: ERROR, 404: ERROR, 409: ERROR},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """Take back a submitted filing (its submitter, or the office)."""
        return self._decide(request, services.filing_withdraw)


VERIFY_LIMIT = 20


class VerifyView(APIView):
    """Public check whether an account is a registered government account (no personal data)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_scope = "verify"

    @extend_schema(
        parameters=[serializers.VerifyQuerySerializer],
        responses={
            200: serializers.VerifyResultSerializer,
            400: ERROR,
            404: OpenApiResponse(ErrorSerializer, description="Not a registered account."),
            429: ERROR,
        },
        description="Give `platform` and `uid`, or `url`, or `name` (exact); several narrow the search. "
        "The answer is always a list (a name may belong to accounts on several platforms), "
        f"at most {VERIFY_LIMIT}; 404 when no registered account matches.",
    )
    def get(self, request):
        query = valid(serializers.VerifyQuerySerializer(data=request.query_params))
        accounts = MediaAccount.objects.filter(
            status__in=[value for value, _label in serializers.REGISTERED_STATUSES]
        ).select_related("department", "merged_into")
        if "platform" in query:
            accounts = accounts.filter(platform=query["platform"], platform_uid=query["uid"])
        if "url" in query:
            # The same address with or without its trailing slash.
            url = query["url"].rstrip("/")
            accounts = accounts.filter(url__in=[url, f"{url}/"])
        if "name" in query:
            accounts = accounts.filter(name=query["name"])
        found = list(accounts[:VERIFY_LIMIT])
        if not found:
            raise exceptions.NotFound(_("No registered government account matches."))
        return Response({"results": serializers.VerifiedAccountSerializer(found, many=True).data})
