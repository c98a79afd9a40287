"""Browsing the registry: the dashboard, departments, media accounts and the matrix.

Read-only pages; every read goes through ``registry.selectors`` within the user's scope,
and whatever is out of scope answers 404.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.rules import allowed
from audits.campaigns.selectors import running_campaigns_progress
from audits.inspections.selectors import dashboard as inspection_dashboard
from audits.releases.selectors import dashboard as release_dashboard
from audits.releases.selectors import rate_by_unit as release_rates
from content import selectors as content_selectors
from registry import selectors
from registry.filters import MediaAccountFilter

PAGE_SIZE = 50
UNIT_RATE_DAYS = 90  # a unit's relay rate on its page
POSTS_SHOWN = 10  # on the account's page; the rest on its posts' page


@login_required
def home(request):
    overview = selectors.registry_overview(request.user)
    return render(
        request,
        "registry/home.html",
        {
            "overview": overview,
            "charts": selectors.overview_charts(overview),
            "inspection": inspection_dashboard(request.user, grades=overview.grades),
            "campaigns": running_campaigns_progress(request.user),
            "releases": release_dashboard(request.user),
        },
    )


@login_required
def department_list(request):
    return render(
        request,
        "registry/department_list.html",
        {
            "groups": selectors.department_tree(request.user),
            "may_order": request.user.has_perm("registry.manage_departments"),
        },
    )


@login_required
def department_detail(request, pk: int):
    now = timezone.now()
    rates = release_rates(request.user, since=now - datetime.timedelta(days=UNIT_RATE_DAYS), until=now)
    return render(
        request,
        "registry/department_detail.html",
        {
            "detail": selectors.department_detail(request.user, pk),
            # The unit's relay rate of the release tasks ended in the period (audits/releases/).
            "release_rate": next((row for row in rates if row["department"] == pk), None),
            "release_days": UNIT_RATE_DAYS,
        },
    )


@dataclass(frozen=True)
class SortColumn:
    """A column header of the list: its label and the ``ordering`` value a click asks for."""

    label: str
    key: str | None = None  # the filter's ordering name; None for a column that does not sort
    direction: str = ""  # "ascending", "descending" or "" (the value of aria-sort)
    next_ordering: str = ""
    numeric: bool = False


LIST_COLUMNS = (
    # (label, ordering key, sorts descending first, numeric)
    (_("Name"), "name", False, False),
    (_("Department"), "department", False, False),
    (_("Platform"), "platform", False, False),
    (_("Platform ID"), None, False, False),
    (_("Status"), "status", False, False),
    (_("Grade"), None, False, False),
    (_("Filing number"), "filing_number", False, False),
    (_("Followers"), "followers", True, True),
    (_("Last post"), "last_post_on", True, False),
)


def _sort_columns(ordering: str) -> list[SortColumn]:
    current = ordering.split(",")[0].strip()
    columns = []
    for label, key, descending_first, numeric in LIST_COLUMNS:
        if key is None:
            columns.append(SortColumn(label=label, numeric=numeric))
        elif current == key:
            columns.append(SortColumn(label, key, "ascending", f"-{key}", numeric))
        elif current == f"-{key}":
            columns.append(SortColumn(label, key, "descending", key, numeric))
        else:
            columns.append(SortColumn(label, key, "", f"-{key}" if descending_first else key, numeric))
    return columns


def _dress_filter_form(form) -> None:
    form.fields["q"].widget.input_type = "search"


@login_required
def media_account_list(request):
    filterset = MediaAccountFilter(
        request.GET or None, queryset=selectors.media_account_list(request.user), request=request
    )
    _dress_filter_form(filterset.form)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/media_account_list.html",
        {
            "filter": filterset,
            "page": page,
            "columns": _sort_columns(request.GET.get("ordering", "")),
            "filtered": any(value for key, value in request.GET.items() if key not in ("page", "ordering")),
        },
    )


@login_required
def media_account_detail(request, pk: int):
    detail = selectors.media_account_detail(request.user, pk)
    account = detail.media_account
    return render(
        request,
        "registry/media_account_detail.html",
        {
            "detail": detail,
            # Its posts, from the posts' room (content/).
            "posts": list(content_selectors.account_posts(account)[:POSTS_SHOWN]),
            "calendar": content_selectors.posting_calendar(account),
            "updates": content_selectors.updates(account),
            "may_add_post": allowed(request.user, "content.enter_account_posts", account),
        },
    )


@login_required
def matrix(request, unit: int | None = None):
    """The matrix of the user's scope, or opened at one ``unit`` and the units below it."""
    include_closed = request.GET.get("closed") == "1"
    return render(
        request,
        "registry/matrix.html",
        {"matrix": selectors.matrix(request.user, include_closed=include_closed, unit=unit)},
    )
