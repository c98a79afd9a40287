"""Ids as the database holds them (64-bit integers): a larger number names nothing, and a query
with it fails instead of finding nothing, so input is checked against this bound first."""

MAX_ID = 2**63 - 1


def parse_id(text: str) -> int | None:
    """The id typed in ``text`` (ASCII digits, within the database's bound), or None.
    ("²" is a digit to ``str.isdigit()``, not to ``int()``.)"""
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None
