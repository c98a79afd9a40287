"""The release pages: the office's tasks (create, start, follow), each task's progress by unit and
account, where a unit reports its accounts' posts and the office excuses a part."""

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.rules import allowed, authorize
from audits.releases import selectors, services, spreadsheets
from audits.releases.forms import ExcuseForm, ReleaseTaskForm, ReportForm
from audits.releases.models import ReleaseAssignment
from config.downloads import download, xlsx_response
from config.errors import InvalidTransition
from config.forms import IMAGE_CONTENT_TYPES, add_service_errors
from config.states import available
from content.models import Post

PAGE_SIZE = 100


@login_required
def command_view(request):
    """The command view (指挥中心): one page to leave open on a large screen; it reloads itself."""
    return render(
        request, "audits/command_view.html", {"view": selectors.command_view(request.user), "refresh": 60}
    )


@login_required
def release_task_list(request):
    tasks = selectors.task_list(request.user).order_by("-window_start", "-pk")
    page = Paginator(tasks, 50).get_page(request.GET.get("page"))
    rows = [(task, selectors.progress(request.user, task)) for task in page.object_list]
    return render(
        request,
        "audits/release_task_list.html",
        {"page": page, "rows": rows, "may_create": allowed(request.user, "audits.manage_release_tasks")},
    )


@login_required
def release_task_create(request):
    authorize(request.user, "audits.manage_release_tasks")
    form = ReleaseTaskForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            task = services.release_task_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Release task saved as a draft: check its scope, then start it."))
            return redirect("release_task_detail", pk=task.pk)
    return render(
        request, "audits/release_task_form.html", {"form": form}, status=200 if not form.errors else 400
    )


def _task_or_404(request, pk):
    return get_object_or_404(selectors.task_list(request.user), pk=pk)


@login_required
def release_task_detail(request, pk: int):
    task = _task_or_404(request, pk)
    parts = (
        selectors.part_list(request.user)
        .filter(task=task)
        .order_by("department__order_key", "media_account__name", "pk")
    )
    page = Paginator(parts, PAGE_SIZE).get_page(request.GET.get("page"))
    parts = [(part, available(part, request.user)) for part in page.object_list]
    reportable = [part.media_account_id for part, actions in parts if "report" in actions]
    posts = selectors.window_posts(task, reportable)
    rows = [(part, actions, posts.get(part.media_account_id, [])) for part, actions in parts]
    return render(
        request,
        "audits/release_task_detail.html",
        {
            "task": task,
            "progress": selectors.progress(request.user, task),
            "page": page,
            "rows": rows,
            "may_start": "start" in available(task, request.user),
            "scope": {
                "departments": list(task.departments.all()),
                "kinds": [
                    label
                    for value, label in ReleaseTaskForm.base_fields["department_kinds"].choices
                    if value in task.department_kinds
                ],
                "platforms": [
                    label
                    for value, label in ReleaseTaskForm.base_fields["platforms"].choices
                    if value in task.platforms
                ],
                "accounts": list(task.media_accounts.all()),
            },
        },
    )


@login_required
@download
def release_task_export(request, pk: int):
    """The task's report as a workbook: its progress per unit and each account's part, in the user's scope."""
    task = _task_or_404(request, pk)
    parts = (
        selectors.part_list(request.user)
        .filter(task=task)
        .order_by("department__order_key", "media_account__name", "pk")
    )
    name = _("Release task report")  # outside the f-string, where makemessages finds it
    return xlsx_response(
        spreadsheets.release_task_xlsx(task, selectors.progress(request.user, task), parts.iterator()),
        f"{name} {task.pk}.xlsx",
    )


@login_required
@download
def release_task_image(request, pk: int):
    """The task's image, to those who see the task, and only as the image it was checked to be."""
    task = _task_or_404(request, pk)
    content_type = mimetypes.guess_type(task.image.name)[0] if task.image else None
    if content_type not in IMAGE_CONTENT_TYPES:
        raise Http404
    try:
        handle = task.image.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, content_type=content_type)
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def release_task_start(request, pk: int):
    task = _task_or_404(request, pk)
    authorize(request.user, "audits.manage_release_tasks")
    try:
        task = services.release_task_start(actor=request.user, task=task)
    except (ValidationError, InvalidTransition) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            _("Release task started: %(count)s accounts must act.") % {"count": task.assignments.count()},
        )
    return redirect("release_task_detail", pk=task.pk)


def _part_or_404(request, pk):
    return get_object_or_404(selectors.part_list(request.user), pk=pk)


@require_POST
@login_required
def release_part_report(request, pk: int):
    part = _part_or_404(request, pk)
    authorize(request.user, "audits.report_release", part)
    form = ReportForm(request.POST)
    if form.is_valid():
        post = None
        if form.cleaned_data["post"]:
            post = Post.objects.filter(
                pk=form.cleaned_data["post"], media_account=part.media_account_id
            ).first()
        try:
            services.release_assignment_report(
                actor=request.user, assignment=part, post_url=form.cleaned_data["post_url"] or "", post=post
            )
        except (ValidationError, InvalidTransition) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Reported for %(account)s.") % {"account": part.media_account.name})
    else:
        messages.error(
            request, _("Give the address of the account's post, starting with http:// or https://.")
        )
    return redirect(f"{_detail(part)}#part-{part.pk}")


@require_POST
@login_required
def release_part_excuse(request, pk: int):
    part = _part_or_404(request, pk)
    authorize(request.user, "audits.excuse_release", part)
    form = ExcuseForm(request.POST)
    if form.is_valid():
        try:
            services.release_assignment_excuse(
                actor=request.user, assignment=part, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, InvalidTransition) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, _("Excused: %(account)s.") % {"account": part.media_account.name})
    else:
        messages.error(request, _("Give the reason for the excuse."))
    return redirect(f"{_detail(part)}#part-{part.pk}")


def _detail(part: ReleaseAssignment) -> str:
    return reverse("release_task_detail", args=[part.task_id])
