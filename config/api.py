"""What every API endpoint shares: one error shape, the pagination, the URL root.

Every error answers ``{"detail": "…", "code": "…"}``, and bad input adds ``"fields"``:
``{"field": ["message", …]}`` (rows of a list as ``"rows[3].date"``). Domain errors raised by
the services map to status codes here, so views never translate them one by one.
"""

import codecs
import json
from collections.abc import Mapping

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
from rest_framework.pagination import PageNumberPagination
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


class StreamJSONParser(parsers.BaseParser):
    """JSON read from the request's stream. DRF gives its own JSON parser ``request.body``, which
    Django caps at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB, meant for forms); an endpoint taking bulk
    rows checks the Content-Length against its own limit first, then parses with this."""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        # Not a subclass of DRF's parser: DRF reads the body for any instance of that class.
        return JSONParser().parse(stream, media_type, parser_context)


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
