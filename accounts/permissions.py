"""The one place that says who sees what (docs/design.md §6.1).

Office administrators and auditors see every department; a department administrator sees
its own department and every department below it; anyone else sees nothing. Every list in
the project is narrowed with ``Model.objects.restrict(user, action)`` (:func:`scope` underneath;
who may take which action is accounts/rules.py), and a single object outside the scope is a 404
(its existence must not leak): ``get_object_or_404(Model.objects.restrict(user, "view"), ...)``.
"""

from typing import Any

from django.db import models
from django.db.models import QuerySet

from accounts import rules
from accounts.rules import ALL, visible_department_ids

# The role checks are the predicates of accounts/rules.py, under the names the code reads here.
is_office_admin = rules.is_office_admin
sees_everything = rules.sees_everything
can_see_department = rules.sees_department_id
# May ``user`` file and answer on behalf of this department? Auditors only read.
can_act_for_department = rules.acts_for_department_id


def may_file(user) -> bool:
    """Office admins file for any unit; a department admin for its own units; auditors only read."""
    return rules.allowed(user, "registry.file")


# What each action narrows a list to: the departments seen, or the departments acted for.
VIEW = "view"
CHANGE = "change"
_DEPARTMENTS = {VIEW: visible_department_ids, CHANGE: rules.acting_department_ids}


def scope(queryset: QuerySet, user, *, via: str = "department", action: str = VIEW) -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may see (``action="view"``) or act on (``"change"``).

    ``via`` is the lookup from the queryset's model to its department: ``"pk"`` for
    departments themselves, ``"media_account__department"`` for a filing, and so on.
    """
    ids = _DEPARTMENTS[action](user)
    if ids is ALL:
        return queryset
    return queryset.filter(**{f"{via}__in": ids})


class RestrictedQuerySet(models.QuerySet):
    """Every project model's queryset: it knows the lookup from its model to the owning
    department, and ``restrict(user, action)`` narrows it to the rows ``user`` may take
    ``action`` on ("view" to read; "change" to file, answer or enter figures for)."""

    department_lookup = "department"

    def restrict(self, user, action: str = VIEW):
        return scope(self, user, via=self.department_lookup, action=action)


def operator_phone_department_ids(user) -> set[int] | None:
    """The units whose operators' phones ``user`` sees, or ``ALL``. Phone numbers are personal data:
    only the office and the unit's own administrators (those who may act for it, which includes its
    parent's) see them. An export the database writes asks for the units at once; pages, the API, the
    trail and the other exports ask ``can_see_operator_phones``."""
    return rules.acting_department_ids(user)


def can_see_operator_phones(user, department_id: int | None) -> bool:
    ids = operator_phone_department_ids(user)
    return ids is ALL or department_id in ids


def without_operator_phones(data: Any) -> Any:
    """``data`` (an event's or a filing's recorded values) with every operator's phone blanked, at
    any depth: operators are the dicts listed under an ``operators`` key."""
    if isinstance(data, list):
        return [without_operator_phones(item) for item in data]
    if not isinstance(data, dict):
        return data
    redacted = {}
    for key, value in data.items():
        if key == "operators" and isinstance(value, list):
            value = [
                {**item, "phone": ""} if isinstance(item, dict) and "phone" in item else item
                for item in value
            ]
        redacted[key] = without_operator_phones(value)
    return redacted
