"""The post and lexicon lists' filters, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from audits.inspections.choices import Severity
from content.choices import Lexicon, PostKind
from content.models import LexiconEntry, Post
from registry.filters import visible_departments, visible_media_accounts


class PostFilter(django_filters.FilterSet):
    media_account = django_filters.ModelChoiceFilter(
        label=_("media account"), queryset=visible_media_accounts
    )
    department = django_filters.ModelChoiceFilter(
        label=_("department"), field_name="media_account__department", queryset=visible_departments
    )
    published_after = django_filters.IsoDateTimeFilter(
        label=_("published at or after"), field_name="published_at", lookup_expr="gte"
    )
    published_before = django_filters.IsoDateTimeFilter(
        label=_("published before"), field_name="published_at", lookup_expr="lt"
    )
    kind = django_filters.ChoiceFilter(label=_("kind"), choices=PostKind.choices)

    class Meta:
        model = Post
        fields = ["media_account", "department", "published_after", "published_before", "kind"]


class LexiconEntryFilter(django_filters.FilterSet):
    lexicon = django_filters.ChoiceFilter(label=_("lexicon"), choices=Lexicon.choices)
    severity = django_filters.ChoiceFilter(label=_("severity"), choices=Severity.choices)
    enabled = django_filters.BooleanFilter(label=_("enabled"))
    q = django_filters.CharFilter(label=_("search"), method="search")

    class Meta:
        model = LexiconEntry
        fields = ["lexicon", "severity", "enabled", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(term__icontains=value) | Q(correct_form__icontains=value) | Q(category__icontains=value)
        )
