"""What every API endpoint shares: one error shape, the pagination, the URL root.

Every error answers ``{"detail": "…", "code": "…"}``, and bad input adds ``"fields"``:
``{"field": ["message", …]}`` (rows of a list as ``"rows[3].date"``). Domain errors raised by
the services map to status codes here, so views never translate them one by one.
"""

import base64
import codecs
import gc
import io
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import orjson
from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from config.errors import InvalidTransition
from config.states import available


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class ActionsField(serializers.Field):
    """What the requesting user may do with the object now, by name: the transitions of its state
    table whose state and permission both allow them (``config.states.available``), the buttons a
    page shows. A client offers these and no others."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", gettext_lazy("The actions you may take on it now"))
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        return sorted(available(obj, self.context["request"].user))


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class IdCursorPagination(CursorPagination):
    """A list walked in id order, each page the rows after the last id of the page before: the
    page's cost does not grow with its depth (no OFFSET) nor with the list (no COUNT).

    The ids are unique, so a cursor is only ever a position: one with an offset, or a position that
    is not an id, was not given by the API and is refused (400), as is text that is no cursor.
    """

    ordering = ("pk",)
    page_size = Pagination.page_size
    page_size_query_param = Pagination.page_size_query_param
    max_page_size = Pagination.max_page_size
    cursor_query_description = gettext_lazy(
        "Walk the list in id order instead of by page number: send it empty for the first page, then "
        "follow `next` (no `count` is given)"
    )

    def decode_cursor(self, request):
        try:
            # DRF's decoding skips what is not base64 (a bare "\x00" would read as the first page).
            base64.b64decode(
                request.query_params.get(self.cursor_query_param, "").encode("ascii"), validate=True
            )
            cursor = super().decode_cursor(request)
        except (ValueError, exceptions.NotFound):  # NotFound: DRF's answer to text that is no cursor
            raise self._not_given() from None
        if cursor is not None and (cursor.offset or not _is_id(cursor.position)):
            raise self._not_given()
        return cursor

    def _not_given(self) -> exceptions.ValidationError:
        message = _("Not a cursor the API gave: start again with an empty cursor and follow “next”.")
        return exceptions.ValidationError({self.cursor_query_param: [message]})


def _is_id(position: str | None) -> bool:
    # None is the first page's position (an empty cursor).
    return position is None or (position.isascii() and position.isdigit())


class WalkablePagination(Pagination):
    """The big lists' pagination: page numbers, as every list, unless the request names a
    ``cursor`` (``IdCursorPagination``). A client that walks 100,000 rows would otherwise pay for
    an OFFSET that grows with each page and a COUNT of the whole list on every one (docs/api.md)."""

    walk = None

    def paginate_queryset(self, queryset, request, view=None):
        if IdCursorPagination.cursor_query_param not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        # A cursor walks in id order from where it stands: a page number or another order cannot apply.
        for name in (self.page_query_param, "ordering"):
            if name in request.query_params:
                raise exceptions.ValidationError(
                    {name: [_("Not with a cursor: a cursor walks the list in id order, page after page.")]}
                )
        self.walk = IdCursorPagination()
        page = self.walk.paginate_queryset(queryset, request, view)
        self.display_page_controls = self.walk.display_page_controls
        return page

    def get_paginated_response(self, data):
        if self.walk is not None:
            return self.walk.get_paginated_response(data)
        return super().get_paginated_response(data)

    def to_html(self):
        return self.walk.to_html() if self.walk is not None else super().to_html()

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["results"]
        answer["properties"]["count"]["description"] = "Page numbers only: a cursor's pages do not count."
        return answer

    def get_schema_operation_parameters(self, view):
        cursor = IdCursorPagination().get_schema_operation_parameters(view)[0]
        return [*super().get_schema_operation_parameters(view), cursor]


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, telling what is wrong with a body in the user's language (DRF passes on
    the decoder's English text), and refusing JSON nested deeper than Python's decoder goes (a
    ``RecursionError``, which DRF would let through as a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            encoding = parsers.get_encoding(parser_context or {})
        except exceptions.ParseError:
            raise exceptions.ParseError(
                _("The body's charset is not one the API reads: send UTF-8.")
            ) from None
        try:
            return json.load(codecs.getreader(encoding)(stream), parse_constant=_refuse_constant)
        except json.JSONDecodeError as error:
            message = _("The body is not valid JSON (line %(line)s, column %(column)s).")
            raise exceptions.ParseError(message % {"line": error.lineno, "column": error.colno}) from None
        except UnicodeDecodeError:
            raise exceptions.ParseError(
                _("The body is not valid JSON: it must be text in %(encoding)s.")
                % {"encoding": encoding.upper()}
            ) from None
        except _OutOfRange:
            raise exceptions.ParseError(
                _("The body is not valid JSON: NaN and Infinity are not accepted.")
            ) from None
        except RecursionError:
            raise exceptions.ParseError(_("The JSON is nested too deeply.")) from None


class _OutOfRange(Exception):
    pass


def _refuse_constant(name):
    # NaN and Infinity are Python's extension, not JSON (DRF's STRICT_JSON refuses them too).
    raise _OutOfRange(name)


@contextmanager
def collector_paused() -> Iterator[None]:
    """The garbage collector held off for one bulk request. Its 10,000 rows become some 50,000
    dicts, lists and strings (parsed, checked, written) with no reference cycle among them, which
    counting frees; the collector would only walk them, again and again as they pile up, and the
    whole heap when they trigger a full collection: a quarter of the upload's time in the benchmark.
    It runs again after the request, and catches then whatever cycles it left."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def bulk_rows(request, *, max_rows: int, max_bytes: int) -> tuple[list, bool]:
    """A bulk POST's rows (one row, or a list of up to ``max_rows``) and whether it sent one row alone.

    The body is parsed from the stream, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE: one larger than
    ``max_bytes`` is refused before it is read into memory."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > max_bytes:
        raise exceptions.ValidationError(
            {"rows": [_("The request is larger than %(mb)s MB; split it.") % {"mb": max_bytes // 2**20}]}
        )
    single = isinstance(request.data, dict)
    rows = [request.data] if single else request.data
    if not isinstance(rows, list) or not rows:
        raise exceptions.ValidationError({"rows": [_("Send one row or a non-empty list of rows.")]})
    if len(rows) > max_rows:
        raise exceptions.ValidationError(
            {"rows": [_("At most %(count)s rows per request; split them.") % {"count": f"{max_rows:,}"}]}
        )
    return rows, single


def row_name(single: bool):
    """How a message about a repeat names another row: ``rows[3]`` (nothing for one row alone)."""
    return lambda index: "" if single else f"rows[{index}]"


def row_errors(errors, single: bool) -> exceptions.ValidationError:
    """Each problem of a bulk POST's rows under ``rows[3].date``, as the client sent it (plain ``date``
    for one row), in the one error shape."""
    fields: dict[str, list[str]] = {}
    for error in errors:
        prefix = "" if single else f"rows[{error.row}]"
        name = ".".join(part for part in (prefix, error.field) if part) or "non_field_errors"
        fields.setdefault(name, []).append(error.message)
    return exceptions.ValidationError(fields)


class StreamJSONParser(parsers.BaseParser):
    """JSON read from the request's stream. DRF gives its own JSON parser ``request.body``, which
    Django caps at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, meant for forms); an endpoint taking bulk
    rows checks the Content-Length against its own limit first, then parses with this."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        # Not a subclass of DRF's parser: DRF reads the body for any instance of that class.
        body = stream.read()
        if (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET).lower() in ("utf-8", "utf8"):
            # orjson reads a collector's 10,000 rows in a third of the standard decoder's time; it
            # refuses all the standard decoder refuses, so a body it refuses is read again by that
            # one, for the same answer as any other endpoint's (what is wrong, and where).
            try:
                return orjson.loads(body)
            except orjson.JSONDecodeError:
                pass
        return JSONParser().parse(io.BytesIO(body), media_type, parser_context)


class ErrorSerializer(serializers.Serializer):
    """Every error: a message and a code; bad input adds the messages per field."""

    detail = serializers.CharField()
    code = serializers.CharField()

    def get_fields(self):
        # "fields" cannot be declared as an attribute: it is the serializer's own property.
        fields = super().get_fields()
        fields["fields"] = serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()),
            required=False,
            help_text=gettext_lazy(
                "Bad input only: messages per field, nested ones named like account.operators[0].name"
            ),
        )
        return fields


ERROR = OpenApiResponse(ErrorSerializer, description="The one error shape (see config.api).")


def flat_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested errors as one level, named the way the services name theirs:
    ``account.department``, ``account.operators[1].employment``."""
    flat: dict[str, list[str]] = {}
    if isinstance(errors, Mapping):
        for key, value in errors.items():
            if isinstance(key, int):
                name = f"{prefix}[{key}]"
            elif key == api_settings.NON_FIELD_ERRORS_KEY and prefix:
                name = prefix
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for inner, messages in flat_errors(value, name).items():
                flat.setdefault(inner, []).extend(messages)
    elif isinstance(errors, list) and any(isinstance(item, Mapping) for item in errors):
        for index, item in enumerate(errors):
            flat.update(flat_errors(item, f"{prefix}[{index}]"))
    else:
        messages = errors if isinstance(errors, list) else [errors]
        flat[prefix or api_settings.NON_FIELD_ERRORS_KEY] = [str(message) for message in messages]
    return flat


def valid(serializer) -> dict:
    """The serializer's validated data, or a 400 naming every bad field."""
    if not serializer.is_valid():
        raise exceptions.ValidationError(flat_errors(serializer.errors))
    return serializer.validated_data


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, InvalidTransition):
        return Response({"detail": str(exc.message), "code": "conflict"}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE; left alone, that is an HTML
        # page, not the one error shape.
        limit = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
        return Response(
            {"detail": _("The request is larger than %(limit)s.") % {"limit": limit}, "code": "too_large"},
            status=status.HTTP_400_BAD_REQUEST,
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _("The input is not valid."),
            "code": "invalid",
            "fields": flat_errors(exc.detail),
        }
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = {"detail": str(detail), "code": codes if isinstance(codes, str) else "error"}
    return response
