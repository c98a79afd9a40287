import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts import permissions
from accounts.models import user_field
from config import lookups  # noqa: F401 (``pk__among``, for the ids of an upload)
from registry.choices import (
    LIVE_STATUSES,
    DepartmentKind,
    Employment,
    ExportKind,
    ExportStatus,
    FilingKind,
    FilingStatus,
    ImportKind,
    ImportStatus,
    MediaAccountStatus,
    Platform,
)

# Every model's queryset restricts by user and action (accounts/permissions.py); the name is the
# one the models of every app import.
ScopedQuerySet = permissions.RestrictedQuerySet


class DepartmentQuerySet(ScopedQuerySet):
    department_lookup = "pk"

    def subtree_ids(self, root_id: int) -> set[int]:
        """``root_id`` and every department below it, however deep."""
        # The whole tree in one query: it is small (dozens of units) and shallow.
        children: dict[int | None, list[int]] = {}
        for pk, parent_id in self.values_list("pk", "parent_id"):
            children.setdefault(parent_id, []).append(pk)
        found, stack = set(), [root_id]
        while stack:
            pk = stack.pop()
            if pk not in found:
                found.add(pk)
                stack.extend(children.get(pk, ()))
        return found


class Department(models.Model):
    """A unit that runs media accounts (主办单位): the district government, a department, a township.

    The tree through ``parent`` is who answers for whom: a unit's administrator acts for the unit
    and its own sub-units (a township's 社区, a department's 下属单位). The district's departments
    and townships are not below the government: the propaganda office, not the government,
    oversees their accounts.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.SlugField(_("code"), max_length=20, unique=True, help_text=_("Short code, e.g. edu"))
    kind = models.CharField(_("kind"), max_length=30, choices=DepartmentKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    sort_order = models.PositiveIntegerField(
        _("order"),
        validators=[MinValueValidator(1)],
        help_text=_(
            "The unit's place among the units of its kind at its level, as the office lists them: "
            "1 comes first."
        ),
    )
    # The unit's place in the official order as its path from the top, kept by the services: per
    # level the kind's rank and the sort_order in fixed-width digits (see order_key_part). A plain
    # string sort then puts every unit right after its parent, so every list of units, or of
    # accounts by unit, sorts in the official order in SQL; and a change rewrites only the keys of
    # the units it moves, not of every unit after them.
    order_key = models.CharField(_("place in the official order"), max_length=200, default="", editable=False)
    first_responsible_person = models.CharField(_("first responsible person"), max_length=50, blank=True)
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["order_key", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="department_not_own_parent"),
            models.CheckConstraint(condition=Q(sort_order__gte=1), name="department_sort_order_positive"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.parent_id is None:
            return
        if self.kind == DepartmentKind.DISTRICT_GOVERNMENT:
            raise ValidationError({"parent": _("The district government is not below another unit.")})
        if self.parent.kind == DepartmentKind.DISTRICT_GOVERNMENT and self.kind in (
            DepartmentKind.DISTRICT_DEPARTMENT,
            DepartmentKind.TOWNSHIP,
        ):
            raise ValidationError(
                {
                    "parent": _(
                        "A district department or township is not below the district government: the "
                        "propaganda office oversees its accounts. Leave the parent unit empty."
                    )
                }
            )
        if self.pk is not None:
            parents = dict(Department.objects.order_by().values_list("pk", "parent_id"))
            above, seen = self.parent_id, set()
            while above is not None and above not in seen:
                if above == self.pk:
                    raise ValidationError({"parent": _("A unit cannot be below one of its own sub-units.")})
                seen.add(above)
                above = parents.get(above)


# The blocks of the official order: the government, the departments, the townships, the rest.
KIND_RANKS = {kind: rank for rank, kind in enumerate(DepartmentKind.values)}


def kind_rank(kind: str) -> int:
    return KIND_RANKS.get(kind, len(KIND_RANKS))


def order_key_part(department: Department) -> str:
    """One level of a unit's ``order_key``: digits only, so any collation sorts them as numbers."""
    return f"{kind_rank(department.kind)}{department.sort_order:06d}"


def in_official_order(departments: Iterable[Department]) -> list[tuple[Department, int]]:
    """The departments in the official order, with their depth: each parent followed by its own
    units; siblings by kind (the government first), then the office's order, then registration.

    A unit whose parent is not among ``departments`` heads a tree of its own (a department
    administrator's own unit, on its pages).
    """
    departments = sorted(departments, key=lambda unit: (kind_rank(unit.kind), unit.sort_order or 0, unit.pk))
    present = {department.pk for department in departments}
    children: dict[int | None, list[Department]] = {}
    for department in departments:
        parent_id = department.parent_id if department.parent_id in present else None
        children.setdefault(parent_id, []).append(department)
    ordered: list[tuple[Department, int]] = []
    stack = [(department, 0) for department in reversed(children.get(None, []))]
    while stack:
        department, depth = stack.pop()
        ordered.append((department, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(department.pk, [])))
    return ordered


def live_during(first: datetime.date, last: datetime.date, prefix: str = "") -> Q:
    """The accounts live at some time from ``first`` to ``last``: approved, gone live by ``last``
    (or registered as already running) and not closed or merged before ``first``. ``prefix`` is
    the lookup from another model to the account (``"media_account__"``)."""
    return (
        Q(**{f"{prefix}status__in": (*LIVE_STATUSES, MediaAccountStatus.CLOSED, MediaAccountStatus.MERGED)})
        & (Q(**{f"{prefix}activated_on__isnull": True}) | Q(**{f"{prefix}activated_on__lte": last}))
        & (Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": first}))
    )


class MediaAccountQuerySet(ScopedQuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def live_during(self, first: datetime.date, last: datetime.date):
        return self.filter(live_during(first, last))


class MediaAccount(models.Model):
    """One government account on one platform (政务新媒体账号)."""

    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.PROTECT, related_name="media_accounts"
    )
    name = models.CharField(_("name"), max_length=100)
    platform = models.CharField(_("platform"), max_length=20, choices=Platform.choices)
    platform_uid = models.CharField(
        _("platform ID"), max_length=100, help_text=_("The account's own ID on the platform")
    )
    url = models.URLField(_("URL"), max_length=500, blank=True)
    verified = models.BooleanField(_("verified on the platform"), default=False)
    filing_number = models.CharField(_("filing number"), max_length=30, unique=True, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=MediaAccountStatus.choices, default=MediaAccountStatus.PENDING
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_accounts",
    )
    functions = models.JSONField(_("functions"), default=list, blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=50, blank=True)
    has_interaction = models.BooleanField(_("the public can write to it"), default=True)
    exception_reason = models.TextField(
        _("exception reason"), blank=True, help_text=_("Why a township unit needs this account")
    )
    last_confirmed_on = models.DateField(_("record last confirmed on"), null=True, blank=True)
    followers = models.PositiveIntegerField(_("followers"), default=0)
    last_post_on = models.DateField(_("last post on"), null=True, blank=True)
    opened_on = models.DateField(_("filed on"), null=True, blank=True)
    # The day the account went live: the approval of its open filing. Empty for an account that was
    # registered as already running (a district's first registration), whose start the registry does
    # not know. A new account is judged by the inspection rules from this day, after a grace period
    # (audits/inspections/rules.py), and is ranked from the week it went live.
    activated_on = models.DateField(_("went live on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MediaAccountQuerySet.as_manager()

    class Meta:
        verbose_name = _("media account")
        verbose_name_plural = _("media accounts")
        ordering = ["department__order_key", "platform", "name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["platform", "platform_uid"], name="unique_platform_uid"),
            models.CheckConstraint(
                condition=~Q(status=MediaAccountStatus.MERGED) | Q(merged_into__isnull=False),
                name="merged_account_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=F("pk")), name="media_account_not_merged_into_itself"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[MediaAccountStatus.PENDING, MediaAccountStatus.REJECTED])
                | Q(filing_number__isnull=False),
                name="approved_account_has_filing_number",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "platform"], name="media_account_status_platform"),
            # The inspection's duplicate_platform rule looks up each live account's siblings by unit
            # and platform; with the unit's index alone PostgreSQL walks every account of the unit.
            models.Index(fields=["department", "platform"], name="media_account_unit_platform"),
        ]

    def __str__(self):
        # Not get_platform_display(): Django rebuilds the choices dict on every call, which costs
        # a fifth of a second per thousand accounts where the trail names each one.
        platform = Platform(self.platform).label if self.platform in Platform.values else self.platform
        return f"{self.name}（{platform}）"

    def get_absolute_url(self):
        return reverse("media_account_detail", args=[self.pk])

    def clean(self):
        if self.activated_on and self.activated_on > timezone.localdate():
            raise ValidationError({"activated_on": _("An account cannot have gone live after today.")})

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES


class OperatorQuerySet(ScopedQuerySet):
    department_lookup = "media_account__department"


class Operator(models.Model):
    """A person who runs an account day to day, and on what terms (三有: 有能力运维)."""

    media_account = models.ForeignKey(
        MediaAccount, verbose_name=_("media account"), on_delete=models.CASCADE, related_name="operators"
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    employment = models.CharField(_("employment"), max_length=20, choices=Employment.choices)

    objects = OperatorQuerySet.as_manager()

    class Meta:
        verbose_name = _("operator")
        verbose_name_plural = _("operators")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class FilingQuerySet(ScopedQuerySet):
    department_lookup = "media_account__department"


class Filing(models.Model):
    """A filed request to open, change or close an account, decided by the office (备案)."""

    media_account = models.ForeignKey(
        MediaAccount, verbose_name=_("media account"), on_delete=models.PROTECT, related_name="filings"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=FilingKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=FilingStatus.choices, default=FilingStatus.SUBMITTED
    )
    changes = models.JSONField(_("proposed changes"), default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    duplicate_reason = models.TextField(
        _("reason for a second account on the platform"),
        blank=True,
        help_text=_("Given when the unit already has an account on this platform"),
    )
    successor = models.ForeignKey(
        MediaAccount,
        verbose_name=_("successor account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice_url = models.URLField(_("public notice URL"), max_length=500, blank=True)
    submitted_by = user_field(_("submitted by"))
    submitted_at = models.DateTimeField(_("submitted at"))
    decided_by = user_field(_("decided by"))
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            # One request at a time per account: a second one would race the first.
            models.UniqueConstraint(
                fields=["media_account"],
                condition=Q(status=FilingStatus.SUBMITTED),
                name="one_open_filing_per_account",
            ),
            models.CheckConstraint(
                condition=Q(status=FilingStatus.SUBMITTED, decided_at__isnull=True)
                | (~Q(status=FilingStatus.SUBMITTED) & Q(decided_at__isnull=False)),
                name="filing_decided_at_matches_status",
            ),
        ]

    def __str__(self):
        return _("%(account)s: %(kind)s filing") % {
            "account": self.media_account,
            "kind": self.get_kind_display(),
        }


class FilingSequence(models.Model):
    """The last filing number given in a year (docs/design.md §4.2): every path that numbers
    accounts takes the next ones from this row, under its row lock, so two approvals never
    propose the same number, whatever the number of digits."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last_number = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("filing number sequence")
        verbose_name_plural = _("filing number sequences")

    def __str__(self):
        return f"{self.year}: {self.last_number}"


class AccountMetricQuerySet(ScopedQuerySet):
    department_lookup = "media_account__department"


class AccountMetric(models.Model):
    """One account's figures for one day (运营数据); re-sending a day replaces it."""

    media_account = models.ForeignKey(
        MediaAccount, verbose_name=_("media account"), on_delete=models.CASCADE, related_name="metrics"
    )
    date = models.DateField(_("date"))
    followers = models.PositiveIntegerField(_("followers"), default=0)
    posts = models.PositiveIntegerField(_("posts"), default=0)
    reads = models.PositiveBigIntegerField(_("reads"), default=0)
    likes = models.PositiveBigIntegerField(_("likes"), default=0)
    shares = models.PositiveBigIntegerField(_("shares"), default=0)
    comments = models.PositiveBigIntegerField(_("comments"), default=0)
    messages_received = models.PositiveIntegerField(_("messages received"), default=0)
    messages_replied = models.PositiveIntegerField(_("messages replied"), default=0)
    messages_overdue = models.PositiveIntegerField(
        _("messages overdue"), default=0, help_text=_("Still unanswered past the allowed time on that day")
    )
    # When the day's figures arrived (the upload that last wrote them): the account page lists the
    # arrivals from here, as the upload's one event is not the account's own (docs/design.md §4.4).
    # Empty for figures written before it was kept: their arrival is in the account's events.
    recorded_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    objects = AccountMetricQuerySet.as_manager()

    FIGURES = (
        "followers",
        "posts",
        "reads",
        "likes",
        "shares",
        "comments",
        "messages_received",
        "messages_replied",
        "messages_overdue",
    )

    class Meta:
        verbose_name = _("daily metric")
        verbose_name_plural = _("daily metrics")
        ordering = ["media_account", "date"]
        constraints = [
            models.UniqueConstraint(fields=["media_account", "date"], name="one_metric_per_account_and_day"),
        ]
        indexes = [models.Index(fields=["date"], name="metric_date")]

    def __str__(self):
        return f"{self.media_account.name} {self.date}"


class ImportJob(models.Model):
    """An uploaded spreadsheet on its way in (``registry.imports``): the web process stores it, a
    worker reads and checks it and keeps what the check page shows; the uploader confirms it.

    Reading happens in the worker because a file's cost is what its content says, not what it
    weighs; the page follows the job until it is read. Only its uploader sees a job.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file_name = models.CharField(_("file name"), max_length=255)
    extension = models.CharField(max_length=5)
    language = models.CharField(max_length=16)  # the uploader's, for the messages the worker writes
    data = models.BinaryField(editable=False)  # the file until it is read: nothing to share but the database
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    problem = models.TextField(_("problem"), blank=True)  # why the file as a whole was refused
    result = models.JSONField(default=dict, blank=True)  # the rows and their problems, for the check page
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.file_name

    @property
    def under_way(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)


class ExportJob(models.Model):
    """A spreadsheet too long to build while the browser waits (``registry.exports``): the request
    keeps the list's query string, a worker builds the file row by row into the site's storage
    (shared by every machine) and counts its rows as it goes; a day later the file is removed.

    Only its requester sees a job: the rows are those the requester could see when asking.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=ExportKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    query = models.TextField(_("query"), blank=True)  # the list's filters, as the query string sent
    language = models.CharField(max_length=16)  # the requester's, for the sheet's headers and labels
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", max_length=255, blank=True)
    problem = models.TextField(_("problem"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The hourly clean-up (registry.exports.export_files_remove) looks for built files only.
            models.Index(fields=["finished_at"], condition=~Q(file=""), name="registry_export_files"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def under_way(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def ready(self) -> bool:
        """Built, and not removed yet."""
        return self.status == ExportStatus.DONE and bool(self.file)
