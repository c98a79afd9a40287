"""Step 1 — 单位提出申请: a unit's self-inspections against the three haves."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from audits.models import SelfInspection


@login_required
def self_inspection_list(request):
    inspections = SelfInspection.objects.visible_to(request.user).select_related(
        "campaign", "media_account__department"
    )
    return render(request, "audits/self_inspection_list.html", {"inspections": inspections})
