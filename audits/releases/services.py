"""Every write of coordinated releases (集中发声, docs/design.md §4.10, §5.12).

The office creates a task and starts it: each live account in its scope gets its part in one
statement, and each unit is told of its accounts. A unit reports its account's post; where the
registry has the account's posts, a post in the window that links to or carries the original completes
the part on its own (``release_posts_match``, every few minutes and at each start). When the window
ends, the parts not done are missed (``release_parts_close``); the next inspection run finds them
under the rule ``release_missed``, and its notice sends them back to the unit.
"""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import connection, transaction
from django.db.models import CharField, Count, F, IntegerField, Q, Value
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import authorize
from accounts.services import department_admins, notify_each
from audits.releases.choices import AssignmentStatus, ReleaseMode, ReleaseTaskStatus
from audits.releases.models import ReleaseAssignment, ReleaseTask
from audits.releases.states import RELEASE_PART, RELEASE_TASK
from audits.trail.services import record, record_many
from content.models import Post
from registry.choices import LIVE_STATUSES, DepartmentKind, Platform
from registry.models import MediaAccount

# How long after its window a task's posts are still matched to its parts (a late relay still counts, late).
MATCH_AFTER = datetime.timedelta(days=7)
# A task is an order for now: its window opens at the earliest a day back and lasts at most a quarter.
EARLIEST_START = datetime.timedelta(days=1)
LONGEST_WINDOW = datetime.timedelta(days=90)


def _scope(task: ReleaseTask):
    """The live accounts a task asks to act: its units, unit kinds, platforms and named accounts
    narrow the matrix together; none of them chosen is the whole matrix."""
    accounts = MediaAccount.objects.filter(status__in=LIVE_STATUSES)
    departments = list(task.departments.values_list("pk", flat=True))
    if departments:
        accounts = accounts.filter(department__in=departments)
    if task.department_kinds:
        accounts = accounts.filter(department__kind__in=task.department_kinds)
    if task.platforms:
        accounts = accounts.filter(platform__in=task.platforms)
    named = list(task.media_accounts.values_list("pk", flat=True))
    if named:
        accounts = accounts.filter(pk__in=named)
    return accounts


@transaction.atomic
def release_task_create(
    *,
    actor,
    title: str,
    mode: str,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    body: str = "",
    link: str = "",
    image=None,
    departments=(),
    department_kinds=(),
    platforms=(),
    media_accounts=(),
) -> ReleaseTask:
    """A draft task; nothing is sent until it starts."""
    authorize(actor, "audits.manage_release_tasks")
    errors = {}
    if mode not in ReleaseMode.values:
        errors["mode"] = _("Choose whether to publish as an own post or to relay.")
    now = timezone.now()
    if window_start and window_start < now - EARLIEST_START:
        errors["window_start"] = _("The window must start no earlier than yesterday.")
    if window_start and window_end and window_end <= window_start:
        errors["window_end"] = _("The window must end after it starts.")
    elif window_start and window_end and window_end - window_start > LONGEST_WINDOW:
        errors["window_end"] = _("The window may last at most %(days)s days.") % {"days": LONGEST_WINDOW.days}
    unknown_kinds = set(department_kinds) - set(DepartmentKind.values)
    if unknown_kinds:
        errors["department_kinds"] = _("Unknown unit kind: %(kinds)s") % {
            "kinds": ", ".join(sorted(unknown_kinds))
        }
    unknown_platforms = set(platforms) - set(Platform.values)
    if unknown_platforms:
        errors["platforms"] = _("Unknown platform: %(platforms)s") % {
            "platforms": ", ".join(sorted(unknown_platforms))
        }
    not_live = [account for account in media_accounts if account.status not in LIVE_STATUSES]
    if not_live:
        errors["media_accounts"] = _("Only live accounts can act: %(names)s") % {
            "names": "、".join(account.name for account in not_live)
        }
    if errors:
        raise ValidationError(errors)
    task = ReleaseTask(
        title=title.strip(),
        body=body.strip(),
        link=link.strip(),
        image=image or "",
        mode=mode,
        window_start=window_start,
        window_end=window_end,
        department_kinds=sorted(set(department_kinds)),
        platforms=sorted(set(platforms)),
        created_by=actor,
    )
    task.full_clean()
    task.save()
    task.departments.set(departments)
    task.media_accounts.set(media_accounts)
    record(
        "audits.release_task.created",
        actor=actor,
        target=task,
        changes={
            "after": {
                "title": task.title,
                "image": task.image.name or None,
                "mode": task.mode,
                "from": task.window_start,
                "to": task.window_end,
                "departments": sorted(department.pk for department in departments),
                "department_kinds": task.department_kinds,
                "platforms": task.platforms,
                "media_accounts": sorted(account.pk for account in media_accounts),
            }
        },
    )
    return task


@transaction.atomic
def release_task_start(*, actor, task: ReleaseTask) -> ReleaseTask:
    """Give every live account in the task's scope its part, in one statement, and tell each unit
    which of its accounts must act: one notification a unit administrator."""
    authorize(actor, "audits.manage_release_tasks")
    task = ReleaseTask.objects.select_for_update().get(pk=task.pk)
    RELEASE_TASK.check(task, "start")
    accounts = _scope(task)
    select, params = (
        accounts.order_by()
        .annotate(
            new_task=Value(task.pk, output_field=IntegerField()),
            new_account=F("pk"),
            new_department=F("department_id"),
            new_status=Value(AssignmentStatus.PENDING.value, output_field=CharField()),
            new_empty=Value("", output_field=CharField()),
        )
        .values("new_task", "new_account", "new_department", "new_status", "new_empty")
        .query.sql_with_params()
    )
    quote = connection.ops.quote_name
    columns = ("task_id", "media_account_id", "department_id", "status", "post_url", "excuse_reason")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(ReleaseAssignment._meta.db_table)} ({', '.join(map(quote, columns))}) "
            "SELECT new_task, new_account, new_department, new_status, new_empty, new_empty "
            f"FROM ({select}) AS parts",
            params,
        )
        count = cursor.rowcount
    if not count:
        raise ValidationError(_("No live account is in the task's scope."))
    task.status, task.started_by, task.started_at = ReleaseTaskStatus.STARTED, actor, timezone.now()
    task.save(update_fields=["status", "started_by", "started_at"])
    parts = dict(
        task.assignments.order_by()
        .values("department")
        .annotate(count=Count("pk"))
        .values_list("department", "count")
    )
    record(
        "audits.release_task.started",
        actor=actor,
        target=task,
        changes={"after": {"accounts": count, "units": len(parts)}},
    )
    admins = {}
    for admin in department_admins(parts):
        admins.setdefault(admin.department_id, []).append(admin)
    url = reverse("release_task_detail", args=[task.pk])
    subject = _("Release task: %(title)s") % {"title": task.title}
    window_end = timezone.localtime(task.window_end).strftime("%Y-%m-%d %H:%M")
    notify_each(
        (
            admins.get(department_id, []),
            subject,
            _("%(count)s of your unit's accounts must act by %(end)s.")
            % {"count": number, "end": window_end},
            url,
        )
        for department_id, number in parts.items()
    )
    release_posts_match(task=task)
    return task


@transaction.atomic
def release_assignment_report(
    *, actor, assignment: ReleaseAssignment, post_url: str = "", post: Post | None = None
):
    """The unit reports its account's post (its address, or one of the account's posts): done if within
    the window, else late."""
    authorize(actor, "audits.report_release", assignment)
    assignment = ReleaseAssignment.objects.select_for_update().select_related("task").get(pk=assignment.pk)
    RELEASE_PART.check(assignment, "report")
    if post is not None and post.media_account_id != assignment.media_account_id:
        raise ValidationError({"post": _("Choose a post of this account.")})
    if post is None:
        post_url = post_url.strip()
        if not post_url:
            raise ValidationError(
                {"post_url": _("Give the address of the account's post, or choose the post.")}
            )
        try:
            URLValidator(schemes=["http", "https"])(post_url)
        except ValidationError:
            raise ValidationError(
                {"post_url": _("Must be a web address starting with http:// or https://.")}
            ) from None
    done_at = post.published_at if post is not None else timezone.now()
    before = assignment.status
    assignment.status = (
        AssignmentStatus.DONE if done_at <= assignment.task.window_end else AssignmentStatus.LATE
    )
    assignment.post, assignment.post_url = post, post.url if post is not None and post.url else post_url
    assignment.done_at, assignment.reported_by, assignment.reported_at = done_at, actor, timezone.now()
    assignment.save(update_fields=["status", "post", "post_url", "done_at", "reported_by", "reported_at"])
    record(
        "audits.release_part.reported",
        actor=actor,
        target=assignment,
        changes={
            "before": {"status": before},
            "after": {"status": assignment.status, "post_url": assignment.post_url},
        },
    )
    return assignment


@transaction.atomic
def release_assignment_excuse(*, actor, assignment: ReleaseAssignment, reason: str) -> ReleaseAssignment:
    """The office excuses an account's part, with the reason: it no longer counts as required."""
    authorize(actor, "audits.excuse_release", assignment)
    assignment = ReleaseAssignment.objects.select_for_update().get(pk=assignment.pk)
    RELEASE_PART.check(assignment, "excuse")
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the excuse.")})
    before = assignment.status
    assignment.status = AssignmentStatus.EXCUSED
    assignment.excused_by, assignment.excused_at, assignment.excuse_reason = (
        actor,
        timezone.now(),
        reason.strip(),
    )
    assignment.save(update_fields=["status", "excused_by", "excused_at", "excuse_reason"])
    record(
        "audits.release_part.excused",
        actor=actor,
        target=assignment,
        changes={
            "before": {"status": before},
            "after": {"status": assignment.status, "reason": assignment.excuse_reason},
        },
    )
    return assignment


def _carries(task: ReleaseTask) -> Q:
    """A post that links to or carries the original: its address, a link in its text, or the title."""
    carries = Q()
    if task.link:
        carries |= Q(url=task.link) | Q(text__contains=task.link)
    if len(task.title) >= 6:  # a short title would match what it did not carry
        carries |= Q(title__contains=task.title) | Q(text__contains=task.title)
    return carries


@transaction.atomic
def release_posts_match(*, task: ReleaseTask | None = None) -> int:
    """Complete the parts whose account has a post from the window's start that carries the task's
    original (done in the window, late after it); returns how many. Two statements per task."""
    now = timezone.now()
    tasks = (
        [task]
        if task is not None
        else ReleaseTask.objects.filter(
            status=ReleaseTaskStatus.STARTED, window_start__lte=now, window_end__gte=now - MATCH_AFTER
        )
    )
    completed = 0
    for each in tasks:
        carries = _carries(each)
        if not carries:
            continue
        waiting = each.assignments.filter(status__in=(AssignmentStatus.PENDING, AssignmentStatus.MISSED))
        posts = (
            Post.objects.filter(
                carries,
                media_account__in=waiting.values("media_account"),
                published_at__gte=each.window_start,
                published_at__lte=min(now, each.window_end + MATCH_AFTER),
            )
            .order_by("media_account_id", "published_at")
            .values_list("media_account_id", "pk", "url", "published_at")
        )
        first = {}
        for account_id, pk, url, published in posts:
            first.setdefault(account_id, (pk, url, published))
        if not first:
            continue
        parts = list(waiting.filter(media_account__in=first))
        for part in parts:
            pk, url, published = first[part.media_account_id]
            part.post_id, part.post_url, part.done_at = pk, url, published
            part.status = AssignmentStatus.DONE if published <= each.window_end else AssignmentStatus.LATE
        ReleaseAssignment.objects.bulk_update(
            parts, ["post", "post_url", "done_at", "status"], batch_size=500
        )
        completed += len(parts)
        record(
            "audits.release_task.matched",
            target=each,
            changes={"after": {"completed": len(parts)}},
        )
    return completed


@transaction.atomic
def release_parts_close(*, now: datetime.datetime | None = None) -> int:
    """Mark missed the parts still not done of the tasks whose window has ended; one event per task."""
    now = now or timezone.now()
    ended = ReleaseTask.objects.filter(
        status=ReleaseTaskStatus.STARTED,
        window_end__lt=now,
        assignments__status=AssignmentStatus.PENDING,
    ).distinct()
    tasks = list(ended)
    if not tasks:
        return 0
    missed = ReleaseAssignment.objects.filter(task__in=tasks, status=AssignmentStatus.PENDING).update(
        status=AssignmentStatus.MISSED
    )
    counts = dict(
        ReleaseAssignment.objects.filter(task__in=tasks, status=AssignmentStatus.MISSED)
        .order_by()
        .values("task")
        .annotate(count=Count("pk"))
        .values_list("task", "count")
    )
    record_many(
        "audits.release_task.closed",
        items=[(task, {"after": {"missed": counts.get(task.pk, 0)}}) for task in tasks],
    )
    return missed
