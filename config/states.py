"""State machines as plain tables (docs/design.md §5).

Each machine is declared once, next to its owner's services (registry/states.py,
audits/campaigns/states.py, audits/inspections/states.py): for every transition its name, the
states it leaves, the state it reaches, the permission (accounts/rules.py) it takes and, where the
state alone does not say, a guard.
Services ask :meth:`StateMachine.check` under their row lock, which raises ``InvalidTransition``
with the transition's own message; pages, templates and the API ask :func:`available` which
actions a user may take on an object now.

A table and not a library (django-fsm-2, viewflow.fsm): the services already lock the row, decide
and record in one transaction and some move many rows in bulk; a decorator that sets the field
itself fights both, while a table is read by the code that already does the work.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accounts.rules import allowed
from config.errors import InvalidTransition


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (an edit, a meeting recorded)
    permission: str
    refused: Any  # the message (or a function of the object giving it) when the state is wrong
    guard: Callable[[Any], bool] | None = None  # beyond the state; refused with the same message

    def allows(self, obj, state: str) -> bool:
        return state in self.sources and (self.guard is None or self.guard(obj))


class StateMachine:
    def __init__(self, model: str, *transitions: Transition, field: str = "status"):
        self.model = model  # "app_label.Model"
        self.field = field
        self.transitions = {transition.name: transition for transition in transitions}
        _MACHINES[model] = self

    def __getitem__(self, name: str) -> Transition:
        return self.transitions[name]

    def state(self, obj) -> str:
        return getattr(obj, self.field)

    def allows(self, obj, name: str) -> bool:
        return self[name].allows(obj, self.state(obj))

    def check(self, obj, name: str) -> Transition:
        """``InvalidTransition`` unless ``obj``'s state lets ``name`` be taken; the transition."""
        transition = self[name]
        if not transition.allows(obj, self.state(obj)):
            refused = transition.refused
            raise InvalidTransition(refused(obj) if callable(refused) else refused)
        return transition

    def available(self, obj, user) -> set[str]:
        """The transitions ``user`` may take on ``obj`` now: its state allows them and so does
        the transition's permission."""
        return {
            name
            for name, transition in self.transitions.items()
            if transition.allows(obj, self.state(obj)) and allowed(user, transition.permission, obj)
        }


_MACHINES: dict[str, StateMachine] = {}


def machine_of(obj) -> StateMachine:
    return _MACHINES[obj._meta.label]


def available(obj, user) -> set[str]:
    """The actions ``user`` may take on ``obj`` now, from its model's table."""
    return machine_of(obj).available(obj, user)
