"""The one place that says who sees what (docs/design.md §6.1).

Office administrators and auditors see every department; a department administrator sees
its own department and every department below it; anyone else sees nothing. Every list in
the project is narrowed with :func:`scope`, and a single object outside the scope is a 404
(its existence must not leak), which :func:`get_visible_or_404` gives.
"""

from typing import Any

from django.apps import apps
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.choices import Role

ALL = None  # the scope of a user who sees every department


def visible_department_ids(user) -> set[int] | None:
    """The ids of the departments ``user`` may see, or ``ALL``."""
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    if user.role in (Role.OFFICE_ADMIN, Role.AUDITOR):
        return ALL
    if user.department_id is None:
        return set()
    # One query per user and request.
    cached = getattr(user, "_visible_department_ids", None)
    if cached is None:
        # Looked up, not imported: registry.models builds every queryset's scope on this module.
        departments = apps.get_model("registry", "Department").objects
        cached = departments.subtree_ids(user.department_id)
        user._visible_department_ids = cached
    return cached


def scope(queryset: QuerySet, user, *, via: str = "department") -> QuerySet:
    """Narrow ``queryset`` to what ``user`` may see.

    ``via`` is the lookup from the queryset's model to its department: ``"pk"`` for
    departments themselves, ``"media_account__department"`` for a filing, and so on.
    """
    ids = visible_department_ids(user)
    if ids is ALL:
        return queryset
    return queryset.filter(**{f"{via}__in": ids})


def get_visible_or_404(queryset: QuerySet, user, *, via: str = "department", **lookup):
    return get_object_or_404(scope(queryset, user, via=via), **lookup)


def can_see_department(user, department_id: int | None) -> bool:
    ids = visible_department_ids(user)
    return ids is ALL or department_id in ids


def is_office_admin(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.role == Role.OFFICE_ADMIN)


def can_act_for_department(user, department_id: int | None) -> bool:
    """May ``user`` file and answer on behalf of this department? Auditors only read."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if user.role == Role.OFFICE_ADMIN:
        return True
    return user.role == Role.DEPT_ADMIN and can_see_department(user, department_id)


def may_file(user) -> bool:
    """Office admins file for any unit; a department admin for its own units; auditors only read."""
    return is_office_admin(user) or (
        user.department_id is not None and can_act_for_department(user, user.department_id)
    )


def can_see_operator_phones(user, department_id: int | None) -> bool:
    """Operators' phone numbers are personal data: only the office and the unit's own
    administrators (those who may act for it, which includes its parent's) see them. Pages, the
    API, the trail and every export ask here."""
    return can_act_for_department(user, department_id)


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


def sees_everything(user) -> bool:
    """Office admins and auditors: the district-wide pages (review, meetings, runs) are theirs."""
    return visible_department_ids(user) is ALL


def may_enter_metrics(user) -> bool:
    """Office administrators and department administrators enter figures; auditors only read."""
    return is_office_admin(user) or (
        bool(user and user.is_authenticated and user.is_active) and user.role == Role.DEPT_ADMIN
    )


def writable_accounts(user):
    """The accounts ``user`` may enter figures for: every one for the office, the unit's own for
    its administrators (the same scope as what they see), none for auditors."""
    accounts = apps.get_model("registry", "MediaAccount").objects  # looked up: see above
    if is_office_admin(user):
        return accounts.all()
    if may_enter_metrics(user):
        return accounts.visible_to(user)
    return accounts.none()
