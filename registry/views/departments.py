"""The office's changes to the unit list in the browser: a unit's place in the official order.

(A unit's record is kept in the administration pages; browsing the units is in ``browse``.)
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import authorize
from registry import services
from registry.models import Department

STEPS = {"up": -1, "down": 1}


@require_POST
@login_required
def department_move(request, pk: int):
    """Move a unit one place up or down among the units of its kind at its level."""
    department = get_object_or_404(Department.objects.restrict(request.user, "view"), pk=pk)
    authorize(request.user, "registry.manage_departments", department)
    step = STEPS.get(request.POST.get("direction", ""))
    if step is None:
        return HttpResponseBadRequest(_("Say whether to move the unit up or down."))
    try:
        services.department_move(actor=request.user, department=department, step=step)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = _("Moved up: %(name)s.") if step < 0 else _("Moved down: %(name)s.")
        messages.success(request, done % {"name": department.name})
    return redirect(f"{reverse('department_list')}#unit-{department.pk}")
