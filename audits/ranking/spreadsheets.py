"""The weekly ranking as an .xlsx workbook: the page's table. ``config.xlsx`` writes it, every text as
plain text."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from audits.ranking.selectors import gone_since
from config.xlsx import Sheet, write_xlsx
from registry.choices import Platform


def ranking_xlsx(heading: list[str], rows: Iterable[tuple]) -> bytes:
    """One week's ranking (``selectors.ranking_rows``), the page's table with what the page
    says above it; written as the rows are read."""
    return write_xlsx(
        Sheet(
            _("Weekly ranking"),
            [
                _("Rank"),
                _("Account"),
                _("Platform"),
                _("Department"),
                _("Index"),
                _("O per day"),
                _("A per post"),
                _("P peak"),
                _("Posts"),
                _("Reads"),
                _("Likes"),
                _("Shares"),
                _("Comments"),
                _("Days with figures"),
                _("Now"),
            ],
            (
                [
                    rank,
                    row.media_account.name,
                    str(Platform(row.media_account.platform).label),
                    row.media_account.department.name,
                    round(row.index, 2),
                    round(row.overall, 3),
                    round(row.per_post, 3),
                    round(row.peak, 3),
                    row.posts,
                    row.reads,
                    row.likes,
                    row.shares,
                    row.comments,
                    row.days,
                    gone_since(row.media_account),
                ]
                for rank, row in rows
            ),
            [6, 28, 14, 24, 10, 9, 9, 9, 8, 12, 10, 10, 10, 8, 18],
            heading=heading,
        )
    )
