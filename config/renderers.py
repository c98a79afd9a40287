"""JSON that no browser can read as markup, for every JSON answer of the site: the API's renderer,
and the one error shape (``config.api``) where no DRF view answers (downloads, unknown /api/ URLs).

DRF's views module reads ``DEFAULT_RENDERER_CLASSES`` when it is first imported, so this module
imports no view, and neither does what imports it.
"""

import json

from django.http import HttpResponse
from rest_framework import renderers

# Characters that could open markup, written as JSON escapes in every JSON answer: a value the client
# sent comes back inside error messages, and a browser led to read the body as a page must find no
# tag in it. JSON readers decode the escapes to the same text.
_HTML_ESCAPES = ((b"<", rb"\u003c"), (b">", rb"\u003e"), (b"&", rb"\u0026"))


def html_safe(body: bytes) -> bytes:
    """JSON text with ``<``, ``>`` and ``&`` escaped; they only ever occur inside JSON strings."""
    for character, escape in _HTML_ESCAPES:
        body = body.replace(character, escape)
    return body


class JSONRenderer(renderers.JSONRenderer):
    """DRF's JSON, with the characters that could open markup escaped (``html_safe``)."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return html_safe(super().render(data, accepted_media_type, renderer_context))


def error_response(status_code: int, detail, code: str, fields: dict | None = None) -> HttpResponse:
    """The one error shape outside DRF's views (downloads, URLs no endpoint serves, a crash)."""
    data = {"detail": str(detail), "code": code}
    if fields is not None:
        data["fields"] = {name: [str(message) for message in messages] for name, messages in fields.items()}
    body = html_safe(json.dumps(data, ensure_ascii=False).encode())
    return HttpResponse(body, status=status_code, content_type="application/json")
