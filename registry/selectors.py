"""Reads of the registry that are more than one line."""

from dataclasses import dataclass

from django.db.models import Count

from registry.choices import LIVE_STATUSES, FilingStatus, MediaAccountStatus, Platform
from registry.models import Department, Filing, MediaAccount


@dataclass(frozen=True)
class CountRow:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class RegistryOverview:
    departments: int
    media_accounts: int
    live_media_accounts: int
    pending_filings: int
    by_status: list[CountRow]
    by_platform: list[CountRow]


def _counted(queryset, field: str, choices) -> list[CountRow]:
    counts = dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
    return [CountRow(code=value, label=label, count=counts.get(value, 0)) for value, label in choices]


def registry_overview(user) -> RegistryOverview:
    """The home page's figures, within what ``user`` may see: four queries whatever the volume."""
    accounts = MediaAccount.objects.visible_to(user)
    by_status = _counted(accounts, "status", MediaAccountStatus.choices)
    return RegistryOverview(
        departments=Department.objects.visible_to(user).filter(is_active=True).count(),
        media_accounts=sum(row.count for row in by_status),
        live_media_accounts=sum(row.count for row in by_status if row.code in LIVE_STATUSES),
        pending_filings=Filing.objects.visible_to(user).filter(status=FilingStatus.SUBMITTED).count(),
        by_status=by_status,
        by_platform=[row for row in _counted(accounts, "platform", Platform.choices) if row.count],
    )
