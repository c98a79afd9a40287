"""Every filter offers one empty choice, and it reads 全部 ("all"): never django-filter's "---------",
never both."""

import importlib
import re

import django_filters
import pytest
from django.test import RequestFactory
from django.urls import reverse

pytestmark = pytest.mark.django_db

FILTER_MODULES = (
    "registry.filters",
    "registry.api.metrics",
    "audits.campaigns.filters",
    "audits.inspections.filters",
    "audits.todo.filters",
    "audits.trail.filters",
)
# The lists whose pages carry a filter form, for an office admin and a department admin.
FILTERED_PAGES = (
    "media_account_list",
    "filing_list",
    "self_inspection_list",
    "closure_order_list",
    "finding_list",
    "notice_list",
    "audit_event_list",
)
SELECT = re.compile(r'<select name="(\w+)"[^>]*>(.*?)</select>', re.S)
EMPTY_OPTION = re.compile(r'<option value=""[^>]*>(.*?)</option>')


def _filtersets() -> list[type[django_filters.FilterSet]]:
    found = []
    for name in FILTER_MODULES:
        module = importlib.import_module(name)
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, django_filters.FilterSet)
            and value.__module__ == module.__name__
        ]
    return found


def _empty_choices(html: str) -> dict[str, list[str]]:
    return {name: EMPTY_OPTION.findall(options) for name, options in SELECT.findall(html)}


def test_it_offers_all_as_the_one_empty_choice_of_every_filterset(office_admin):
    request = RequestFactory().get("/")
    request.user = office_admin
    filtersets = _filtersets()
    assert len(filtersets) == 13
    for filterset in filtersets:
        selects = _empty_choices(str(filterset(request=request).form))
        for name, empties in selects.items():
            assert empties == ["全部"], (filterset.__name__, name, empties)


@pytest.mark.parametrize("persona", ["office_admin", "admin_a"])
def test_it_offers_all_as_the_one_empty_choice_on_every_filtered_list(
    client_for, request, persona, department_a, file_account
):
    file_account(department_a)
    client = client_for(request.getfixturevalue(persona))
    for name in FILTERED_PAGES:
        html = client.get(reverse(name)).content.decode()
        form = re.search(r'<form class="card filters.*?</form>', html, re.S).group(0)
        selects = _empty_choices(form)
        assert selects, name
        for select, empties in selects.items():
            assert empties == ["全部"], (name, select, empties)
        assert "---------" not in html, name
