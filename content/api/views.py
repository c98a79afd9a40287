"""Posts and lexicons over REST (``/api/v1/posts/``, ``/api/v1/lexicon-entries/``; docs/api.md).

Posts are scoped and entered like the daily figures: collectors post batches of up to 10,000, every
row checked first (``content.posts``), upserted by account and platform post id; the wording scan
follows in the worker, and its hits are findings (``/api/v1/findings/?post=…``). The lexicons are
the district's: everyone signed in reads them, the office writes.
"""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.rules import allowed
from config.api import (
    ERROR,
    StreamJSONParser,
    WalkablePagination,
    bulk_rows,
    collector_paused,
    row_errors,
    row_name,
    valid,
)
from content import services
from content.choices import PostKind
from content.filters import LexiconEntryFilter, PostFilter
from content.models import LexiconEntry, Post
from content.posts import MAX_ROWS, MAX_TEXT, check_post_rows
from registry.api.serializers import MediaAccountSummarySerializer

# 10,000 posts of a few thousand characters each: room for long articles, not for anything else.
MAX_BODY_BYTES = 64 * 2**20


class PostSerializer(serializers.ModelSerializer):
    account = MediaAccountSummarySerializer(source="media_account", read_only=True)
    url = serializers.CharField(
        read_only=True, help_text=gettext_lazy("The post's address; empty if not known")
    )

    class Meta:
        model = Post
        fields = [
            "id",
            "media_account",
            "account",
            "platform_post_id",
            "published_at",
            "kind",
            "title",
            "text",
            "url",
            *Post.FIGURES,
            "scanned_at",
            "text_removed_at",
            "recorded_at",
        ]
        read_only_fields = fields


class PostRowSerializer(serializers.Serializer):
    """One post as a collector sends it (for the schema: rows are checked by ``check_post_rows``)."""

    media_account = serializers.IntegerField(help_text=gettext_lazy("The account's ID in the registry"))
    platform_post_id = serializers.CharField(
        max_length=100, help_text=gettext_lazy("The platform's own ID of the post, unique per account")
    )
    published_at = serializers.DateTimeField(
        help_text=gettext_lazy("When it was published; without a zone, Asia/Shanghai time")
    )
    kind = serializers.ChoiceField(choices=PostKind.choices)
    title = serializers.CharField(max_length=300, required=False)
    text = serializers.CharField(max_length=MAX_TEXT, required=False)
    url = serializers.URLField(max_length=500, required=False)
    reads = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    likes = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    comments = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    shares = serializers.IntegerField(min_value=0, required=False, allow_null=True)


class PostResultSerializer(serializers.Serializer):
    rows = serializers.IntegerField(help_text=gettext_lazy("Posts written"))
    created = serializers.IntegerField(help_text=gettext_lazy("Posts not kept before"))
    replaced = serializers.IntegerField(help_text=gettext_lazy("Posts whose words or figures were replaced"))


POST_ROWS = PolymorphicProxySerializer(
    component_name="PostRows",
    serializers=[PostRowSerializer, PostRowSerializer(many=True)],
    resource_type_field_name=None,
    many=False,
)


class MayEnterPosts(BasePermission):
    """Auditors read; writing is for the office and the units, refused before the body is read."""

    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or allowed(request.user, "content.enter_posts")


class PostViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Posts (发布内容) of the accounts in the user's scope, newest first."""

    serializer_class = PostSerializer
    filterset_class = PostFilter
    pagination_class = WalkablePagination
    parser_classes = [StreamJSONParser]
    permission_classes = [IsAuthenticated, MayEnterPosts]

    def get_queryset(self):
        return (
            Post.objects.restrict(self.request.user, "view")
            .select_related("media_account__department")
            .order_by("-published_at", "-pk")
        )

    @extend_schema(
        request=POST_ROWS,
        responses={201: PostResultSerializer, 400: ERROR, 401: ERROR, 403: ERROR},
        description=(
            f"Record one post or a list of up to {MAX_ROWS:,}, upserting by account and platform post "
            "id: a post sent again takes its new words and figures. Every row is checked first; any bad "
            "row answers 400 with each problem named `rows[3].published_at` (or just `published_at` for "
            "a single row) and nothing is written. An account you may not enter posts for reads like one "
            "that does not exist. A new or changed post is checked for wording by the worker within a "
            "minute; its hits are findings (`/api/v1/findings/?post=…`)."
        ),
    )
    def create(self, request):
        with collector_paused():
            return self._create(request)

    def _create(self, request):
        rows, single = bulk_rows(request, max_rows=MAX_ROWS, max_bytes=MAX_BODY_BYTES)
        checked = check_post_rows(request.user, enumerate(rows), row_name=row_name(single))
        if checked.errors:
            raise row_errors(checked.errors, single)
        recorded = services.posts_record(actor=request.user, rows=checked)
        return Response(
            {"rows": recorded.rows, "created": recorded.created, "replaced": recorded.replaced},
            status=status.HTTP_201_CREATED,
        )


class LexiconEntrySerializer(serializers.ModelSerializer):
    severity = serializers.ChoiceField(
        choices=LexiconEntry._meta.get_field("severity").choices,
        required=False,
        help_text=gettext_lazy("Left out: the severity of the lexicon's rule"),
    )

    class Meta:
        model = LexiconEntry
        fields = ["id", *services.LEXICON_FIELDS, "updated_at"]
        read_only_fields = ["id", "updated_at"]
        # The unique (lexicon, term) is the service's to tell, in the one error shape.
        validators = []


class EditsLexicons(BasePermission):
    def has_permission(self, request, view):
        return request.method in SAFE_METHODS or allowed(request.user, "content.edit_lexicons")


class LexiconEntryViewSet(viewsets.ModelViewSet):
    """The office's lexicons (词库): serious wrong forms, misused words, sensitive words."""

    serializer_class = LexiconEntrySerializer
    filterset_class = LexiconEntryFilter
    permission_classes = [IsAuthenticated, EditsLexicons]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return LexiconEntry.objects.order_by("lexicon", "term", "pk")

    def create(self, request):
        fields = valid(self.get_serializer(data=request.data))
        entry = services.lexicon_entry_create(actor=request.user, **fields)
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        entry = self.get_object()
        fields = valid(self.get_serializer(entry, data=request.data, partial=True))
        entry = services.lexicon_entry_update(actor=request.user, entry=entry, **fields)
        return Response(self.get_serializer(entry).data)

    def destroy(self, request, pk=None):
        entry = self.get_object()
        services.lexicon_entry_delete(actor=request.user, entry=entry)
        return Response(status=status.HTTP_204_NO_CONTENT)
