"""The 备案登记表 as a download: ``?format=xlsx`` and ``?format=csv`` on the media-accounts list.

DRF picks a renderer from the ``format`` query parameter, so each export is a renderer. The
view hands it the filtered queryset; the spreadsheet itself is built by ``registry.spreadsheets``,
the same code the browser's export uses.
"""

from rest_framework.renderers import BaseRenderer

from registry import spreadsheets


class SpreadsheetRenderer(BaseRenderer):
    """Renders a queryset of media accounts as a file; anything else (an error) is not its job."""

    charset = None
    render_style = "binary"
    build = None  # the registry.spreadsheets function that turns a queryset into bytes

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return self.build(data, user=renderer_context["request"].user)


class XLSXRenderer(SpreadsheetRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    build = staticmethod(spreadsheets.media_accounts_xlsx)


class CSVRenderer(SpreadsheetRenderer):
    media_type = "text/csv"
    format = "csv"
    build = staticmethod(spreadsheets.media_accounts_csv)


FILE_FORMATS = {XLSXRenderer.format, CSVRenderer.format}
