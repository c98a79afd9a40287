from django.db import models
from django.utils.translation import gettext_lazy as _


class PostKind(models.TextChoices):
    ORIGINAL = "original", _("Original")
    REPOST = "repost", _("Repost")


class Lexicon(models.TextChoices):
    """The office's three lists of wording a post is checked against (docs/design.md §7.6)."""

    SERIOUS = "serious", _("Serious wrong forms")
    MISUSED = "misused", _("Misused words")
    SENSITIVE = "sensitive", _("Sensitive words")
