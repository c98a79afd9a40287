"""What every campaign page needs: who may see a campaign, and how a refused action is told."""

from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404

from audits.campaigns.choices import SelfInspectionStatus
from audits.campaigns.models import ReviewCampaign, SelfInspection
from audits.campaigns.selectors import visible_campaigns

PAGE_SIZE = 50


def get_campaign_or_404(user, pk: int) -> ReviewCampaign:
    return get_object_or_404(visible_campaigns(user), pk=pk)


def step_counts(user) -> dict[int, dict]:
    """Per campaign, the user's accounts in it and how many were submitted and decided (one query)."""
    rows = (
        SelfInspection.objects.restrict(user, "view")
        .values("campaign")
        .annotate(
            in_scope=Count("pk"),
            submitted=Count(
                "pk", filter=Q(status__in=[SelfInspectionStatus.SUBMITTED, SelfInspectionStatus.DECIDED])
            ),
            decided=Count("pk", filter=Q(status=SelfInspectionStatus.DECIDED)),
        )
        .order_by()
    )
    return {row.pop("campaign"): row for row in rows}


def refuse(request, error) -> int:
    """Tell the user why the action was refused (another user acted first, or the state moved on);
    the caller re-renders the page with this status: 409, as the API answers."""
    messages.error(request, error.message)
    return 409
