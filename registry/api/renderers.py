"""The 备案登记表 as a download: ``?format=xlsx`` and ``?format=csv`` on the media-accounts list.

DRF picks a renderer from the ``format`` query parameter, so each export is a renderer. The view
answers with the file itself — the CSV streamed as it is written, the .xlsx from a temporary file or
as an export job (``registry.exports``) — so a renderer names a format and renders nothing but that
file's bytes; an error swaps it for JSON (``MediaAccountViewSet.finalize_response``).
"""

from rest_framework.renderers import BaseRenderer


class SpreadsheetRenderer(BaseRenderer):
    """A file format of the account list; the view's response carries the file."""

    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only a file's bytes reach a spreadsheet renderer: a list or an error never does.
        if not isinstance(data, bytes):
            raise TypeError("The account export answers with its file; see MediaAccountViewSet.list.")
        return data


class XLSXRenderer(SpreadsheetRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class CSVRenderer(SpreadsheetRenderer):
    media_type = "text/csv"
    format = "csv"


FILE_FORMATS = {XLSXRenderer.format, CSVRenderer.format}
