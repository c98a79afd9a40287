"""The release tasks' state machines (docs/design.md §5.12): a task is started once; an account's part is
reported by its unit, completed by its post, missed when the window ends, or excused by the office."""

from django.utils import timezone
from django.utils.translation import gettext_lazy

from audits.releases.choices import AssignmentStatus, ReleaseTaskStatus
from config.states import StateMachine, Transition

RELEASE_TASK = StateMachine(
    "audits.ReleaseTask",
    Transition(
        "start",
        (ReleaseTaskStatus.DRAFT,),
        ReleaseTaskStatus.STARTED,
        "audits.manage_release_tasks",
        gettext_lazy("Only a draft whose window has not ended can be started."),
        guard=lambda task: task.window_end > timezone.now(),
    ),
)

RELEASE_PART = StateMachine(
    "audits.ReleaseAssignment",
    Transition(
        "report",
        (AssignmentStatus.PENDING, AssignmentStatus.MISSED),
        None,  # done or late, by when it was done
        "audits.report_release",
        gettext_lazy("This part is done or excused already."),
    ),
    Transition(
        "excuse",
        (AssignmentStatus.PENDING, AssignmentStatus.MISSED, AssignmentStatus.LATE),
        AssignmentStatus.EXCUSED,
        "audits.excuse_release",
        gettext_lazy("Only a part not done in time can be excused."),
    ),
)
