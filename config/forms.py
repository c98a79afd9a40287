"""What every app's forms share."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Uploaded images (a closure notice's screenshot, a release task's image): small raster images only.
# SVG is refused (it can carry script), and the content must match the type, not just the file name.
IMAGE_MAX_BYTES = 5 * 1024 * 1024
IMAGE_TYPES = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}
IMAGE_CONTENT_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


def checked_image(upload):
    """The upload, once its size, name and first bytes say it is a small image, renamed with a name of
    ours: the uploader's file name says nothing we need and may say too much."""
    if upload.size > IMAGE_MAX_BYTES:
        raise ValidationError(
            _("The image is too large (at most %(size)d MB).") % {"size": IMAGE_MAX_BYTES // 2**20}
        )
    name = upload.name.lower()
    extension = next((ext for ext in IMAGE_TYPES if name.endswith(ext)), None)
    head = upload.read(16)
    upload.seek(0)
    signatures = IMAGE_TYPES.get(extension, ())
    if not any(head.startswith(signature) for signature in signatures) or (
        extension == ".webp" and head[8:12] != b"WEBP"
    ):
        raise ValidationError(_("Upload a PNG, JPEG, GIF or WebP image."))
    upload.name = f"{uuid.uuid4().hex}{'.jpg' if extension == '.jpeg' else extension}"
    return upload


def add_service_errors(
    form: forms.BaseForm, error: ValidationError, *, fields: dict[str, str] | None = None
) -> None:
    """Show a service's ``ValidationError`` on the form: on the field it names (or the form field
    ``fields`` maps that name to), else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = (fields or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)
