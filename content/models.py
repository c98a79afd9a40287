"""Posts and the wording they are checked against (发布内容, 词库; docs/design.md §4.9)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audits.inspections.choices import Severity
from content.choices import Lexicon, PostKind
from registry.models import ScopedQuerySet


class PostQuerySet(ScopedQuerySet):
    department_lookup = "media_account__department"


class Post(models.Model):
    """One item an account published, with its figures as last seen (发布内容).

    Collectors send posts again as their figures grow: a post is upserted by its account and the
    platform's own id. ``scanned_at`` is empty until the wording scan has read the post's present
    words; a post whose words change is scanned again, one whose figures alone change is not.
    """

    media_account = models.ForeignKey(
        "registry.MediaAccount",
        verbose_name=_("media account"),
        on_delete=models.CASCADE,
        related_name="posts",
    )
    platform_post_id = models.CharField(_("post ID on the platform"), max_length=100)
    published_at = models.DateTimeField(_("published at"))
    kind = models.CharField(_("kind"), max_length=10, choices=PostKind.choices, default=PostKind.ORIGINAL)
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"), blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    reads = models.PositiveBigIntegerField(_("reads"), null=True, blank=True)
    likes = models.PositiveBigIntegerField(_("likes"), null=True, blank=True)
    comments = models.PositiveBigIntegerField(_("comments"), null=True, blank=True)
    shares = models.PositiveBigIntegerField(_("shares"), null=True, blank=True)
    # A digest of the title, text and URL: what tells a changed post (scanned again) from one
    # whose figures alone grew.
    words_digest = models.CharField(max_length=32, blank=True)
    scanned_at = models.DateTimeField(_("scanned at"), null=True, blank=True)
    # The text is kept for the archive's time (POST_TEXT_RETENTION_DAYS), the figures beyond it.
    text_removed_at = models.DateTimeField(_("text removed at"), null=True, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now=True)

    objects = PostQuerySet.as_manager()

    FIGURES = ("reads", "likes", "comments", "shares")

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["media_account", "platform_post_id"], name="one_post_per_platform_id"
            ),
        ]
        indexes = [
            # An account's posts by day: its page, its calendar and the update rules.
            models.Index(fields=["media_account", "published_at"], name="post_by_account_day"),
            # The scan's queue.
            models.Index(fields=["id"], condition=Q(scanned_at__isnull=True), name="post_unscanned"),
        ]

    def __str__(self):
        return self.title or self.platform_post_id


class LexiconEntry(models.Model):
    """One term of one of the office's lexicons, with what it should read and how grave it is.

    The lexicons are the district's, not a unit's: everyone signed in reads them, the office writes."""

    lexicon = models.CharField(_("lexicon"), max_length=10, choices=Lexicon.choices)
    term = models.CharField(_("term"), max_length=100)
    correct_form = models.CharField(_("correct form"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=50, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    source = models.CharField(_("source"), max_length=200, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("lexicon entry")
        verbose_name_plural = _("lexicon entries")
        ordering = ["lexicon", "term"]
        constraints = [
            models.UniqueConstraint(fields=["lexicon", "term"], name="one_entry_per_lexicon_and_term")
        ]

    def __str__(self):
        return self.term


class AllowedDomain(models.Model):
    """A site a post may link to without being flagged (the link rule's list)."""

    domain = models.CharField(_("domain"), max_length=200, unique=True)
    note = models.CharField(pgettext_lazy("allowed site", "note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("allowed domain")
        verbose_name_plural = _("allowed domains")
        ordering = ["domain"]

    def __str__(self):
        return self.domain
