"""Uploads waiting between their preview and their confirmation.

An import is two steps: the upload is checked and previewed, then confirmed. Between the two the
file waits under ``MEDIA_ROOT/imports/``, named by the uploader's id, the kind of import and a
random token, so one user can never confirm another's upload, an account import can never be
confirmed as daily figures, and nothing large sits in the session.
"""

import secrets
import time
from pathlib import Path

from django.conf import settings

from registry.spreadsheets import IMPORT_EXTENSIONS

STALE_SECONDS = 24 * 3600


def _directory() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _remove_stale() -> None:
    # Uploads previewed and never confirmed; cheap enough to sweep on each new upload.
    cutoff = time.time() - STALE_SECONDS
    for path in _directory().iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def keep(user, data: bytes, *, kind: str, extension: str) -> str:
    """Keep a checked upload until it is confirmed; the token that finds it again."""
    _remove_stale()
    token = secrets.token_urlsafe(24)
    (_directory() / f"{user.pk}-{kind}-{token}{extension}").write_bytes(data)
    return token


def kept(user, token: str, *, kind: str) -> Path | None:
    """The user's upload of that kind under that token, if it is still here."""
    for extension in IMPORT_EXTENSIONS:
        path = _directory() / f"{user.pk}-{kind}-{token}{extension}"
        if path.is_file():
            return path
    return None
