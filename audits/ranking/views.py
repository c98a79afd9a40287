"""The weekly ranking in the browser (周榜, docs/design.md §8): per platform and overall, its export and
its computation."""

import datetime

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts import permissions
from accounts.rules import authorize
from audits.inspections.selectors import wording_by_unit
from audits.ranking import spreadsheets
from audits.ranking.selectors import (
    WEEK,
    computed_weeks,
    gone_since,
    is_calendar_week,
    latest_complete_week,
    ranked_week,
    ranking,
    ranking_chart,
    ranking_rows,
    week_start_of,
)
from audits.ranking.services import weekly_index_compute
from audits.releases.selectors import rate_by_unit
from config.downloads import bad_query, download, xlsx_response
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


def _query(week: datetime.date, platform: str = "") -> str:
    return urlencode({"week": week.isoformat(), **({"platform": platform} if platform else {})})


def _url(week: datetime.date, platform: str = "") -> str:
    return f"{reverse('ranking')}?{_query(week, platform)}"


def _week_name(week: datetime.date) -> str:
    """Which week the page shows, in the words users read "本周" and "上周" in: the week under way is
    not over, so the ranking's usual week is the last complete one."""
    this_week = week_start_of(timezone.localdate())
    if week == this_week:
        return _("this week, not over yet")
    if week == this_week - WEEK:
        return _("last week, the latest complete week")
    return ""


def _scope_label(platform: str) -> str:
    return str(Platform(platform).label) if platform else _("All platforms")


@login_required
def ranking_page(request):
    """One week's ranking, overall or on one platform: a table, and a bar chart of its top 20."""
    week, platform = _week_and_platform(request.GET)
    rows = ranking(request.user, week_start=week, platform=platform or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page_rows = list(page.object_list)
    for row in page_rows:
        row.gone_since = gone_since(row.media_account)
    latest = latest_complete_week()
    week_end = week + WEEK - datetime.timedelta(days=1)
    return render(
        request,
        "audits/ranking.html",
        {
            "week": week,
            "week_end": week_end,
            "week_name": _week_name(week),
            "week_over": week <= latest,
            # The morning the weekly task computes a week that has not ended yet.
            "computed_on": week_end + datetime.timedelta(days=1),
            "platform": platform,
            "scope": _scope_label(platform),
            "tabs": [("", _("Overall"), _url(week))]
            + [(code, label, _url(week, code)) for code, label in Platform.choices],
            "page": page,
            "rows": page_rows,
            # The first page holds the top of the ranking: the chart needs no query of its own.
            "chart": ranking_chart(page_rows) if page.number == 1 and page_rows else None,
            "previous_url": _url(week - WEEK, platform),
            "next_url": _url(week + WEEK, platform) if week < latest else "",
            "export_url": f"{reverse('ranking_export')}?{_query(week, platform)}",
            "weeks": [(day, _url(day, platform)) for day in computed_weeks()],
            "may_compute": request.user.has_perm("audits.compute_ranking") and week <= latest,
            "sees_all": permissions.visible_department_ids(request.user) is permissions.ALL,
            # The week's wording hits per unit, in the posts published that week.
            "wording": wording_by_unit(request.user, since=_start_of(week), until=_start_of(week + WEEK)),
            # The relay rate per unit of the release tasks whose window ended that week.
            "releases": rate_by_unit(request.user, since=_start_of(week), until=_start_of(week + WEEK)),
        },
    )


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@login_required
@download
def ranking_export(request):
    """The week's ranking as the page shows it, every row the user may see, as an .xlsx workbook."""
    form = RankingQueryForm(request.GET)
    if not form.is_valid():
        # A file of another week than the one asked for would pass for it.
        return bad_query(form.errors)
    week, platform = _week_and_platform(request.GET)
    week_end = week + WEEK - datetime.timedelta(days=1)
    scope = _scope_label(platform)
    ranked = ranked_week(week, platform or None).count()
    if permissions.visible_department_ids(request.user) is permissions.ALL:
        counted = _("%(count)s accounts ranked: those live during the week") % {"count": ranked}
    else:
        own = ranking(request.user, week_start=week, platform=platform or None).count()
        counted = _(
            "Your units' %(count)s accounts, each with its rank among the %(total)s accounts ranked "
            "in the district"
        ) % {"count": own, "total": ranked}
    heading = [
        _("Weekly ranking (%(scope)s): %(start)s to %(end)s")
        % {"scope": scope, "start": week.isoformat(), "end": week_end.isoformat()},
        counted,
        _("Index = (0.7 O + 0.2 A + 0.1 P)² × 12; an account that did not post in the week scores 0.")
        + " "
        + _(
            "O per day: reads and interactions per day of the week; A per post: the same per post; "
            "P peak: the same on the week's best day."
        ),
    ]
    rows = ranking_rows(request.user, week_start=week, platform=platform or None)
    name = "-".join(part for part in (_("Weekly ranking"), platform and scope, f"{week:%Y%m%d}") if part)
    return xlsx_response(spreadsheets.ranking_xlsx(heading, rows), f"{name}.xlsx")


@require_POST
@login_required
def ranking_compute(request):
    """The office computes (again) one week's index, e.g. after late figures came in."""
    authorize(request.user, "audits.compute_ranking")
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
