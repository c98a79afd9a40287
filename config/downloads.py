"""Files the site hands out: every download is an attachment named in the user's language."""

from django.http import HttpResponse
from django.utils.http import content_disposition_header

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(response: HttpResponse, filename: str) -> HttpResponse:
    # content_disposition_header adds filename* for non-ASCII names such as 备案登记表.xlsx.
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    return attachment(HttpResponse(content, content_type=XLSX_CONTENT_TYPE), filename)
