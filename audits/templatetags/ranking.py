"""The weekly index on an account's page: its trend and, for those who enter figures, the day form."""

import datetime

from django import template
from django.utils import timezone

from accounts.rules import allowed
from audits.ranking.selectors import account_trend
from registry.forms import MetricEntryForm

register = template.Library()


@register.inclusion_tag("audits/ranking_account.html", takes_context=True)
def account_activity(context, account):
    """``{% account_activity account %}``: one query for the trend, none for the form."""
    user = context["request"].user
    may_enter = allowed(user, "registry.enter_account_metrics", account)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    return {
        "account": account,
        "trend": account_trend(account),
        "entry_form": MetricEntryForm(initial={"date": yesterday}, auto_id="metric_%s")
        if may_enter
        else None,
        "csrf_token": context.get("csrf_token"),
        "request": context["request"],
    }
