"""The to-do page (待办): what awaits the user's action, and the office's reminders (催办) to late units."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import authorize
from audits.campaigns.views.common import refuse
from audits.todo.forms import ReminderForm
from audits.todo.selectors import todo_page
from audits.todo.services import reminder_send
from config.errors import InvalidTransition
from config.forms import add_service_errors
from registry.models import Department


def _page(request, *, failed=None, form=None, status=200):
    page = todo_page(request.user)
    return render(
        request,
        "audits/todo.html",
        {
            "page": page,
            # The navigation's count is the page's own: not counted twice.
            "todo": page.counts,
            "may_remind": request.user.has_perm("audits.remind_unit"),
            "failed_department": failed,
            "failed_form": form,
        },
        status=status,
    )


@login_required
def todo(request):
    """The user's to-do: the office's queues and the late units, or a unit's own queues."""
    return _page(request)


@require_POST
@login_required
def reminder_send_view(request, pk: int):
    """The office reminds a late unit (催办), with an optional message."""
    department = get_object_or_404(Department.objects.restrict(request.user, "view"), pk=pk)
    authorize(request.user, "audits.remind_unit", department)
    form = ReminderForm(request.POST)
    if form.is_valid():
        try:
            reminder = reminder_send(
                actor=request.user, department=department, message=form.cleaned_data["message"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except InvalidTransition as error:
            return _page(request, status=refuse(request, error))
        else:
            if reminder.recipients:
                messages.success(
                    request,
                    _("Reminder sent to %(unit)s: %(count)d administrators notified.")
                    % {"unit": department.name, "count": reminder.recipients},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Reminder recorded, but %(unit)s has no administrator account to notify: "
                        "contact the unit directly."
                    )
                    % {"unit": department.name},
                )
            return redirect("todo")
    messages.error(request, _("Nothing was sent. Please correct the problems marked below."))
    return _page(request, failed=department.pk, form=form, status=400)
