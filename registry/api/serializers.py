"""Shapes of the registry API: what it answers, and what it accepts before a service acts.

Ids in input are resolved within the requesting user's scope, so an id the user may not see
reads exactly like one that does not exist (docs/design.md §6.1).
"""

from collections.abc import Mapping

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts import permissions
from config.api import ActionsField
from registry.choices import AccountFunction, FilingKind, MediaAccountStatus, Platform
from registry.models import Department, ExportJob, Filing, MediaAccount, Operator
from registry.services import CHANGEABLE_FIELDS


class VisiblePrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """An id looked up only among the objects the requesting user may see."""

    def get_queryset(self):
        return super().get_queryset().restrict(self.context["request"].user, "view")


# Output ------------------------------------------------------------------------------------------


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "parent",
            "sort_order",
            "first_responsible_person",
            "contact_name",
            "contact_phone",
            "is_active",
        ]


class OperatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Operator
        fields = ["name", "phone", "employment"]


class MediaAccountSerializer(serializers.ModelSerializer):
    """An account; its operators' phones are empty for those who may not see them."""

    department_name = serializers.CharField(source="department.name", read_only=True)
    functions = serializers.ListField(child=serializers.ChoiceField(choices=AccountFunction.choices))
    operators = OperatorSerializer(many=True, read_only=True)

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if permissions.can_see_operator_phones(self.context["request"].user, instance.department_id):
            return data
        return permissions.without_operator_phones(data)

    class Meta:
        model = MediaAccount
        fields = [
            "id",
            "department",
            "department_name",
            "name",
            "platform",
            "platform_uid",
            "url",
            "verified",
            "status",
            "filing_number",
            "merged_into",
            "functions",
            "responsible_person",
            "has_interaction",
            "exception_reason",
            "last_confirmed_on",
            "followers",
            "last_post_on",
            "opened_on",
            "activated_on",
            "closed_on",
            "operators",
        ]
        read_only_fields = fields
        # read_only_fields drops allow_blank, and the schema would then promise these are never empty.
        extra_kwargs = {"url": {"allow_blank": True}}


class MediaAccountSummarySerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = MediaAccount
        fields = ["id", "name", "platform", "department", "department_name"]
        read_only_fields = fields


class FilingSerializer(serializers.ModelSerializer):
    """A filing; the operators it proposes have empty phones for those who may not see them."""

    account = MediaAccountSummarySerializer(source="media_account", read_only=True)
    changes = serializers.DictField(read_only=True, help_text=_("The proposed values, for a change filing"))
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    actions = ActionsField()

    class Meta:
        model = Filing
        fields = [
            "id",
            "kind",
            "status",
            "actions",
            "media_account",
            "account",
            "reason",
            "duplicate_reason",
            "changes",
            "successor",
            "notice_url",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = fields
        # read_only_fields drops allow_blank, and the schema would then promise these are never empty.
        extra_kwargs = {"notice_url": {"allow_blank": True}}

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if permissions.can_see_operator_phones(
            self.context["request"].user, instance.media_account.department_id
        ):
            return data
        return permissions.without_operator_phones(data)


class ExportJobSerializer(serializers.ModelSerializer):
    """A long export being built by a worker: its progress, then where to download the file."""

    url = serializers.SerializerMethodField(help_text="This job, to follow its progress.")
    download_url = serializers.SerializerMethodField(
        help_text="Where to download the .xlsx once it is built (`status` is `done`); null before, "
        "and once the file is removed a day later."
    )

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "query",
            "rows_total",
            "rows_done",
            "problem",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def _absolute(self, view_name: str, job: ExportJob) -> str:
        # Django's reverse, not DRF's: DRF's would carry the request's ?format=xlsx into the job's URL.
        url = reverse(view_name, args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.URLField())
    def get_url(self, job: ExportJob) -> str:
        return self._absolute("api-export-detail", job)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, job: ExportJob) -> str | None:
        return self._absolute("api-export-download", job) if job.ready else None


# Filing input: one serializer per kind -------------------------------------------------------


class FilingKindSerializer(serializers.Serializer):
    """Read first, to choose the serializer for the rest of the body."""

    kind = serializers.ChoiceField(choices=FilingKind.choices)


class NewMediaAccountSerializer(serializers.ModelSerializer):
    department = VisiblePrimaryKeyField(queryset=Department.objects.all())
    functions = serializers.ListField(
        child=serializers.ChoiceField(choices=AccountFunction.choices), required=False
    )
    operators = OperatorSerializer(many=True, required=False)

    class Meta:
        model = MediaAccount
        fields = [
            "department",
            "name",
            "platform",
            "platform_uid",
            "url",
            "responsible_person",
            "verified",
            "functions",
            "has_interaction",
            "exception_reason",
            "operators",
        ]
        # The service says whether a platform ID is taken, and by whom, in one message.
        validators = []


class FilingOpenSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[FilingKind.OPEN])
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    duplicate_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=_("Required when the unit already has an account on this platform"),
    )
    account = NewMediaAccountSerializer()


class MediaAccountChangesSerializer(serializers.ModelSerializer):
    """The fields a filing may change; any other key is refused, not silently dropped."""

    functions = serializers.ListField(
        child=serializers.ChoiceField(choices=AccountFunction.choices), required=False
    )
    operators = OperatorSerializer(many=True, required=False)

    class Meta:
        model = MediaAccount
        fields = list(CHANGEABLE_FIELDS)
        extra_kwargs = {name: {"required": False} for name in CHANGEABLE_FIELDS}

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("This field cannot be changed by filing.")] for name in unknown}
                )
        return super().to_internal_value(data)


class FilingChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[FilingKind.CHANGE])
    media_account = VisiblePrimaryKeyField(queryset=MediaAccount.objects.all())
    changes = MediaAccountChangesSerializer()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class FilingCloseSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[FilingKind.CLOSE])
    media_account = VisiblePrimaryKeyField(queryset=MediaAccount.objects.all())
    reason = serializers.CharField()
    # Any live account of the district, not only the user's own: merging into the district's
    # main account is the normal case, and live accounts are public (see the verify endpoint).
    successor = serializers.PrimaryKeyRelatedField(
        queryset=MediaAccount.objects.live(),
        required=False,
        allow_null=True,
        default=None,
        help_text=_("A live account of the district that the audience should follow instead"),
    )
    notice_url = serializers.URLField(required=False, allow_blank=True, default="", max_length=500)


FILING_INPUT = {
    FilingKind.OPEN: FilingOpenSerializer,
    FilingKind.CHANGE: FilingChangeSerializer,
    FilingKind.CLOSE: FilingCloseSerializer,
}


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


# Public verification ----------------------------------------------------------------------------


class VerifyQuerySerializer(serializers.Serializer):
    platform = serializers.ChoiceField(choices=Platform.choices, required=False)
    uid = serializers.CharField(
        required=False, max_length=100, help_text=_("The account's ID on the platform")
    )
    url = serializers.CharField(required=False, max_length=500)
    name = serializers.CharField(required=False, max_length=100, help_text=_("The account's exact name"))

    def validate(self, attrs):
        if "platform" in attrs or "uid" in attrs:
            missing = [name for name in ("platform", "uid") if name not in attrs]
            if missing:
                raise serializers.ValidationError(
                    {name: [_("Give the platform and the account's ID on it together.")] for name in missing}
                )
        elif "url" not in attrs and "name" not in attrs:
            raise serializers.ValidationError(_("Give a platform and uid, a url, or a name."))
        return attrs


class SuccessorSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediaAccount
        fields = ["name", "platform", "url"]
        read_only_fields = fields
        # read_only_fields drops allow_blank, and the schema would then promise these are never empty.
        extra_kwargs = {"url": {"allow_blank": True}}


# Pending and rejected accounts were never registered; closed and merged ones were, and the
# public should learn since when and whom to follow instead.
REGISTERED_STATUSES = [
    (value, label)
    for value, label in MediaAccountStatus.choices
    if value not in (MediaAccountStatus.PENDING, MediaAccountStatus.REJECTED)
]


class VerifiedAccountSerializer(serializers.ModelSerializer):
    """What the public may know of a registered account: nothing about the people behind it."""

    unit = serializers.CharField(source="department.name", read_only=True)
    status = serializers.ChoiceField(choices=REGISTERED_STATUSES, read_only=True)
    successor = SuccessorSerializer(source="merged_into", read_only=True, allow_null=True)

    class Meta:
        model = MediaAccount
        fields = [
            "name",
            "platform",
            "platform_uid",
            "url",
            "unit",
            "filing_number",
            "status",
            "verified",
            "opened_on",
            "closed_on",
            "successor",
        ]
        read_only_fields = fields
        # read_only_fields drops allow_blank, and the schema would then promise these are never empty.
        extra_kwargs = {"url": {"allow_blank": True}}


class VerifyResultSerializer(serializers.Serializer):
    results = VerifiedAccountSerializer(many=True)
