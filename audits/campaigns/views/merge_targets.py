"""The search behind the merge-target picker (static/js/merge-picker.js) of the self-inspection
form, the decision sheet and a merger's confirmation: a few live accounts at a time, as JSON, so no
page carries a list of every account of the district."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404

from accounts.rules import authorize
from audits.campaigns.selectors import merge_targets
from config.ids import parse_id
from registry.models import MediaAccount

QUERY_MAX_LENGTH = 100


@login_required
def merge_target_search(request):
    """``?q=`` words to match, ``&account=`` the account being merged (left out, its unit first).

    For those who name merge targets: the office and the units' administrators. The account must
    be one the user may see; its successor may be any live account of the district.
    """
    authorize(request.user, "audits.name_merge_target")
    account = None
    if request.GET.get("account"):
        pk = parse_id(request.GET["account"])
        if pk is None:
            raise Http404
        account = get_object_or_404(MediaAccount.objects.restrict(request.user, "view"), pk=pk)
    groups, more = merge_targets(request.GET.get("q", "")[:QUERY_MAX_LENGTH], account=account)
    return JsonResponse(
        {
            "results": [
                {
                    "unit": department.name,
                    "accounts": [
                        {"filing_number": target.filing_number, "name": target.name, "label": str(target)}
                        for target in targets
                    ],
                }
                for department, targets in groups
            ],
            "more": more,
        },
        json_dumps_params={"ensure_ascii": False},
    )
