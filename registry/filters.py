"""One FilterSet per model, shared by the HTML lists and the API (``filterset_class``)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.choices import DepartmentKind, FilingKind, FilingStatus, MediaAccountStatus, Platform
from registry.models import Department, Filing, MediaAccount


class YesNoFilter(django_filters.ChoiceFilter):
    """A yes-or-no question: a choice rather than a BooleanFilter, which would read "=maybe" as no
    filter at all."""

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, choices=choices or [("true", _("Yes")), ("false", _("No"))], **kwargs)


class OverdueFilter(YesNoFilter):
    """Late or not by the model's own rule, its queryset's ``overdue()``: the rule its daily job uses."""

    def __init__(self, *, help_text, choices=None):
        super().__init__(label=_("overdue"), help_text=help_text, choices=choices)

    def filter(self, queryset, value):
        if value == "true":
            return queryset.overdue()
        if value == "false":
            return queryset.exclude(pk__in=queryset.overdue().values("pk"))
        return queryset


def visible_departments(request):
    if request is None:
        return Department.objects.none()
    return Department.objects.restrict(request.user, "view")


def visible_media_accounts(request):
    if request is None:
        return MediaAccount.objects.none()
    return MediaAccount.objects.restrict(request.user, "view")


class DepartmentFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=DepartmentKind.choices)
    parent = django_filters.ModelChoiceFilter(label=_("parent unit"), queryset=visible_departments)
    is_active = YesNoFilter(label=_("active"), method="filter_active")
    q = django_filters.CharFilter(label=_("Search"), method="search")

    class Meta:
        model = Department
        fields = ["kind", "parent", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")


class MediaAccountFilter(django_filters.FilterSet):
    department = django_filters.ModelChoiceFilter(label=_("department"), queryset=visible_departments)
    department_kind = django_filters.ChoiceFilter(
        label=_("department kind"), field_name="department__kind", choices=DepartmentKind.choices
    )
    platform = django_filters.ChoiceFilter(label=_("platform"), choices=Platform.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=MediaAccountStatus.choices)
    q = django_filters.CharFilter(label=_("Search"), method="search")
    ordering = django_filters.OrderingFilter(
        label=_("Sort by"),
        fields=(
            ("name", "name"),
            ("platform", "platform"),
            ("status", "status"),
            ("department__order_key", "department"),
            ("filing_number", "filing_number"),
            ("followers", "followers"),
            ("last_post_on", "last_post_on"),
        ),
        field_labels={
            "name": _("name"),
            "platform": _("platform"),
            "status": _("status"),
            "department__order_key": _("department"),
            "filing_number": _("filing number"),
            "followers": _("followers"),
            "last_post_on": _("last post on"),
        },
    )

    class Meta:
        model = MediaAccount
        fields = ["department", "department_kind", "platform", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(platform_uid__icontains=value) | Q(filing_number__icontains=value)
        )

    @property
    def qs(self):
        # A stable order for pagination: the chosen sort, then the primary key.
        queryset = super().qs
        return queryset.order_by(*queryset.query.order_by, "pk") if queryset.query.order_by else queryset


class FilingFilter(django_filters.FilterSet):
    media_account = django_filters.ModelChoiceFilter(
        label=_("media account"), queryset=visible_media_accounts
    )
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=FilingKind.choices)
    status = django_filters.ChoiceFilter(label=_("status"), choices=FilingStatus.choices)
    department = django_filters.ModelChoiceFilter(
        label=_("department"), field_name="media_account__department", queryset=visible_departments
    )

    class Meta:
        model = Filing
        fields = ["media_account", "kind", "status", "department"]
