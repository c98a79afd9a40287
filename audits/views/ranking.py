"""The weekly ranking in the browser (周榜, DESIGN.md §7a): per platform and overall, and its computation."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions
from audits.selectors.index import (
    WEEK,
    computed_weeks,
    is_calendar_week,
    latest_complete_week,
    ranking,
    ranking_chart,
    week_start_of,
)
from audits.services.index import weekly_index_compute
from registry.choices import Platform

PAGE_SIZE = 50


class RankingQueryForm(forms.Form):
    week = forms.DateField(label=gettext_lazy("Week of"), required=False)
    platform = forms.ChoiceField(label=gettext_lazy("platform"), choices=Platform.choices, required=False)

    def clean_week(self):
        week = self.cleaned_data["week"]
        if week and not is_calendar_week(week):
            raise forms.ValidationError(_("There is no such week in the calendar."))
        return week


def _week_and_platform(data) -> tuple[datetime.date, str]:
    form = RankingQueryForm(data)
    # A bad value in the query string falls back to the default, as the tabs and links never make one.
    cleaned = form.cleaned_data if form.is_valid() else {}
    week = cleaned.get("week")
    return (week_start_of(week) if week else latest_complete_week()), cleaned.get("platform") or ""


def _url(week: datetime.date, platform: str = "") -> str:
    query = {"week": week.isoformat(), **({"platform": platform} if platform else {})}
    return f"{reverse('ranking')}?{urlencode(query)}"


@login_required
def ranking_page(request):
    """One week's ranking, overall or on one platform: a table and a bar chart of the top 20."""
    week, platform = _week_and_platform(request.GET)
    rows = ranking(request.user, week_start=week, platform=platform or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page_rows = list(page.object_list)
    latest = latest_complete_week()
    return render(
        request,
        "audits/ranking.html",
        {
            "week": week,
            "week_end": week + WEEK - datetime.timedelta(days=1),
            "platform": platform,
            "platform_label": dict(Platform.choices).get(platform, ""),
            "tabs": [("", _("Overall"), _url(week))]
            + [(code, label, _url(week, code)) for code, label in Platform.choices],
            "page": page,
            "rows": page_rows,
            # The first page holds the top of the ranking: the chart needs no query of its own.
            "chart": ranking_chart(page_rows) if page.number == 1 and page_rows else None,
            "previous_url": _url(week - WEEK, platform),
            "next_url": _url(week + WEEK, platform) if week < latest else "",
            "weeks": [(day, _url(day, platform)) for day in computed_weeks()],
            "may_compute": permissions.is_office_admin(request.user) and week <= latest,
            "sees_all": permissions.visible_department_ids(request.user) is permissions.ALL,
        },
    )


@require_POST
@login_required
def ranking_compute(request):
    """The office computes (again) one week's index, e.g. after late figures came in."""
    if not permissions.is_office_admin(request.user):
        raise PermissionDenied
    form = RankingQueryForm(request.POST)
    if not form.is_valid() or not form.cleaned_data["week"]:
        # Computing the default week instead of the one asked for would replace figures nobody asked for.
        messages.error(request, _("Nothing was computed: choose the week to compute."))
        return redirect("ranking")
    week, platform = _week_and_platform(request.POST)
    try:
        accounts = weekly_index_compute(week_start=week, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The index of the week of %(week)s is computed for %(count)d accounts.")
            % {"week": week.isoformat(), "count": accounts},
        )
    return redirect(_url(week, platform))
