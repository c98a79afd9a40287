"""Template helpers for the filing buttons.

They ask the permissions of ``accounts/rules.py``, so templates never repeat a role rule.
"""

from django import template

from accounts import permissions
from accounts.rules import allowed
from registry.choices import FilingStatus

register = template.Library()


@register.filter
def may_file(user) -> bool:
    """May the user file accounts (open, change, close, re-confirm)?"""
    return user.is_authenticated and allowed(user, "registry.file")


@register.filter
def may_act_for(user, media_account) -> bool:
    return allowed(user, "registry.submit_filing", media_account)


@register.filter
def is_office(user) -> bool:
    return permissions.is_office_admin(user)


@register.filter
def submitted_filing(filings):
    """The filing awaiting approval among an account's filings, if any (at most one exists)."""
    return next((filing for filing in filings if filing.status == FilingStatus.SUBMITTED), None)
