"""Files the site hands out: every download is an attachment named in the user's language, and a
download refuses in the API's one error shape (JSON), never with an HTML page.

A download's refusal is read by a script or shown raw by the browser; an HTML page quoting the
query string would let a link with markup in it run that markup on our origin (a ``<meta
http-equiv="refresh">`` passes the CSP), so every download view is wrapped in ``download``.
"""

import functools
import tempfile
from collections.abc import Callable, Mapping, Sequence
from typing import BinaryIO

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import PermissionDenied as Forbidden

from config.renderers import error_response

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    # content_disposition_header adds filename* for non-ASCII names such as 备案登记表.xlsx.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return attachment(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename)


def xlsx_file_response(write: Callable[[BinaryIO], object], filename: str) -> FileResponse:
    """An .xlsx that ``write`` puts into a temporary file, streamed from there: a long sheet is never
    held in memory as bytes. The file goes when the response is closed."""
    file = tempfile.TemporaryFile()
    try:
        write(file)
        file.seek(0)
    except BaseException:
        file.close()
        raise
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


def stored_xlsx_response(file, filename: str) -> FileResponse:
    """An .xlsx kept in the site's storage (a ``FieldFile``), streamed from there."""
    return FileResponse(
        file.open("rb"), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


def download(view):
    """Marks a view as a download (tests/security/test_reflected_injection.py walks them all) and
    answers its 404 and 403 in the error shape."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Http404:
            return error_response(404, NotFound.default_detail, NotFound.default_code)
        except PermissionDenied:
            return error_response(403, Forbidden.default_detail, Forbidden.default_code)

    wrapper.is_download = True
    return wrapper


def bad_query(errors: Mapping[str, Sequence[str]]) -> HttpResponse:
    """A 400 naming each bad parameter (a form's or FilterSet's ``errors``) and the value sent."""
    problems = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items())
    return error_response(
        400, _("Bad filter: %(problems)s") % {"problems": problems}, "invalid", fields=errors
    )
