"""Posts coming in (发布内容): the rows of a collector's request, of the hand form and of a sheet.

Every row is checked here before ``content.services.posts_record`` writes any, in one light loop
over plain values, as the daily figures are (``registry.metrics``): a collector sends up to 10,000
posts at once. Each problem is named by row and field; one bad row writes nothing. An account the
user may not enter posts for reads like one that does not exist (docs/design.md §6.1).
"""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_system
from config.ids import MAX_ID
from content.choices import PostKind
from content.models import Post
from registry.models import MediaAccount
from registry.services import RowError

MAX_ROWS = 10_000
MAX_TEXT = 100_000  # characters: a long article; a post beyond it is not one
FIGURE_LIMIT = 2**63 - 1
FIELDS = (
    "media_account",
    "platform_post_id",
    "published_at",
    "kind",
    "title",
    "text",
    "url",
    *Post.FIGURES,
)
_FIELDS = frozenset(FIELDS)
_LENGTHS = {name: Post._meta.get_field(name).max_length for name in ("platform_post_id", "title", "url")}
_KINDS = frozenset(PostKind.values)
_URL = URLValidator(schemes=["http", "https"])
# A collector's clock and the platform's may disagree by a little; a post from tomorrow is a mistake.
FUTURE_SLACK = datetime.timedelta(minutes=10)


@dataclass
class CheckedPosts:
    """Posts checked by :func:`check_post_rows` for ``user``, ready for ``posts_record``, or the
    problems that keep all of them out. ``departments`` are the accounts' units."""

    rows: list[dict]
    errors: list[RowError]
    user: Any = None
    departments: frozenset[int] = frozenset()

    def __len__(self) -> int:
        return len(self.rows)


def _unknown_account() -> str:
    return _("There is no media account with this ID that you may enter posts for.")


def _published_at(value, error, now: datetime.datetime) -> datetime.datetime | None:
    if not isinstance(value, str):
        error("published_at", _("Must be a date and time written as YYYY-MM-DDTHH:MM[:SS][+08:00]."))
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        error("published_at", _("Must be a date and time written as YYYY-MM-DDTHH:MM[:SS][+08:00]."))
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)  # the site's time (Asia/Shanghai), as people write it
    if moment > now + FUTURE_SLACK:
        error("published_at", _("The time is in the future."))
        return None
    return moment


def _parse(row: Mapping, error, now: datetime.datetime) -> dict:
    clean: dict[str, Any] = {}
    unknown = row.keys() - _FIELDS
    for name in sorted(unknown):
        error(name, _("This field is not accepted here."))
    account = row.get("media_account")
    if account is None:
        error("media_account", _("This field is required."))
    elif type(account) is not int:
        error("media_account", _("Must be the ID of a media account (a whole number)."))
    else:
        clean["media_account"] = account
    post_id = row.get("platform_post_id")
    if type(post_id) is int and post_id >= 0:
        post_id = str(post_id)  # platforms number their posts; a collector may send the number
    if post_id is None or post_id == "":
        error("platform_post_id", _("This field is required."))
    elif (
        not isinstance(post_id, str)
        or len(post_id) > _LENGTHS["platform_post_id"]
        or post_id != post_id.strip()
    ):
        error(
            "platform_post_id",
            _(
                "Must be the platform's ID of the post: text of at most %(count)s characters, "
                "no spaces around."
            )
            % {"count": _LENGTHS["platform_post_id"]},
        )
    else:
        clean["platform_post_id"] = post_id
    if "published_at" not in row:
        error("published_at", _("This field is required."))
    else:
        published = _published_at(row["published_at"], error, now)
        if published is not None:
            clean["published_at"] = published
    kind = row.get("kind")
    if kind is None:
        error("kind", _("This field is required."))
    elif kind not in _KINDS:
        error("kind", _("Must be “original” or “repost”."))
    else:
        clean["kind"] = kind
    for name, limit in (("title", _LENGTHS["title"]), ("text", MAX_TEXT)):
        value = row.get(name)
        if value is None:
            clean[name] = ""
        elif not isinstance(value, str):
            error(name, _("Must be text."))
        elif len(value) > limit:
            error(name, _("At most %(count)s characters.") % {"count": f"{limit:,}"})
        elif "\x00" in value:
            error(name, _("Must not contain NUL characters."))
        else:
            clean[name] = value.strip() if name == "title" else value
    url = row.get("url")
    if url is None or url == "":
        clean["url"] = ""
    elif not isinstance(url, str) or len(url) > _LENGTHS["url"]:
        error("url", _("Must be a web address of at most %(count)s characters.") % {"count": _LENGTHS["url"]})
    else:
        try:
            _URL(url)
        except ValidationError:
            error("url", _("Must be a web address starting with http:// or https://."))
        else:
            clean["url"] = url
    for name in Post.FIGURES:
        value = row.get(name)
        if value is None:
            clean[name] = None  # not known (yet)
        elif type(value) is not int or value < 0:
            error(name, _("Must be a whole number of at least 0."))
        elif value > FIGURE_LIMIT:
            error(name, _("Must be at most %(limit)s.") % {"limit": FIGURE_LIMIT})
        else:
            clean[name] = value
    return clean


def check_post_rows(user, rows: Iterable[tuple[Any, Any]], *, row_name=str) -> CheckedPosts:
    """Check every row; ``rows`` are ``(label, row)`` pairs, the label naming the row in errors, and
    ``row_name(label)`` names another row in a message about a repeat. One query whatever the number
    of rows: the accounts in the user's scope."""
    errors: list[RowError] = []
    parsed: list[tuple[Any, dict, bool]] = []
    now = timezone.now()
    for label, row in rows:

        def error(field, message, label=label):
            errors.append(RowError(row=label, field=field, message=str(message)))

        if not isinstance(row, Mapping):
            error("", _("Each row must be an object of field names and values."))
            continue
        before = len(errors)
        clean = _parse(row, error, now)
        if "media_account" in clean:
            parsed.append((label, clean, len(errors) == before))
    ids = {clean["media_account"] for _label, clean, _good in parsed}
    ids = {pk for pk in ids if 0 < pk <= MAX_ID}
    # The system (the demo, the benchmark, a worker) enters posts for any account.
    accounts = (
        MediaAccount.objects.all() if is_system(user) else MediaAccount.objects.restrict(user, "change")
    )
    allowed = (
        dict(accounts.filter(pk__among=ids).order_by().values_list("pk", "department_id")) if ids else {}
    )
    checked: list[dict] = []
    first_label: dict[tuple[int, str], Any] = {}
    for label, clean, good in parsed:
        if clean["media_account"] not in allowed:
            errors.append(RowError(row=label, field="media_account", message=_unknown_account()))
            continue
        if not good:
            continue
        key = (clean["media_account"], clean["platform_post_id"])
        if key in first_label:
            # One row per post: which of two should win would be a guess.
            errors.append(
                RowError(
                    row=label,
                    field="platform_post_id",
                    message=_("The same account and post ID as %(row)s.")
                    % {"row": row_name(first_label[key])},
                )
            )
        else:
            first_label[key] = label
            checked.append(clean)
    if errors:
        return CheckedPosts(rows=[], errors=sorted(errors, key=lambda error: error.row))
    departments = frozenset(allowed[row["media_account"]] for row in checked)
    return CheckedPosts(rows=checked, errors=[], user=user, departments=departments)
