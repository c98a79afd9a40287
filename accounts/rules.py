"""Who may do what: every role predicate and every named permission (docs/design.md §6).

This is the one place a role rule is written. Services ask :func:`authorize`, pages and templates
``user.has_perm`` / ``{% has_perm %}`` (django-rules' backend answers them from here), querysets
``restrict(user, action)`` (accounts/permissions.py) and the state tables name the permission each
transition needs. A permission is ``app.verb_object``, named after its service.

Predicates take ``(user, obj)``. ``user`` is ``None`` for the system itself (a scheduled job or
a management command): :data:`is_system` lets it through where the service allows it, and only
there. ``obj`` is whatever the action is about; :func:`department_id_of` finds its unit.
"""

import rules
from django.apps import apps
from django.core.exceptions import PermissionDenied

from accounts.choices import Role

ALL = None  # the departments of a user who sees every one


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# Roles -------------------------------------------------------------------------------------------


@rules.predicate
def is_system(user) -> bool:
    return user is None


@rules.predicate
def is_office_admin(user) -> bool:
    return _active(user) and user.role == Role.OFFICE_ADMIN


@rules.predicate
def is_auditor(user) -> bool:
    return _active(user) and user.role == Role.AUDITOR


@rules.predicate
def is_dept_admin(user) -> bool:
    return _active(user) and user.role == Role.DEPT_ADMIN


# Office administrators and auditors: the district-wide pages (review, meetings, runs) are theirs.
sees_everything = is_office_admin | is_auditor


@rules.predicate
def has_department(user) -> bool:
    return user is not None and user.department_id is not None


# Units -------------------------------------------------------------------------------------------


def visible_department_ids(user) -> set[int] | None:
    """The ids of the departments ``user`` may see, or ``ALL``: every department for the office
    and auditors, a department administrator's own and every one below it, none for anyone else."""
    if not _active(user):
        return set()
    if user.role in (Role.OFFICE_ADMIN, Role.AUDITOR):
        return ALL
    if user.department_id is None:
        return set()
    # One query per user and request.
    cached = getattr(user, "_visible_department_ids", None)
    if cached is None:
        # Looked up, not imported: registry.models builds every queryset's scope on this module.
        cached = apps.get_model("registry", "Department").objects.subtree_ids(user.department_id)
        user._visible_department_ids = cached
    return cached


def acting_department_ids(user) -> set[int] | None:
    """The ids of the departments ``user`` acts for (files and answers for), or ``ALL``: every one
    for the office, a department administrator's visible ones; auditors only read."""
    if is_office_admin(user):
        return ALL
    if is_dept_admin(user):
        return visible_department_ids(user)
    return set()


def department_id_of(obj) -> int | None:
    """The unit an object belongs to: a department itself, or the unit of its account."""
    if obj is None:
        return None
    if obj._meta.label == "registry.Department":
        return obj.pk
    if hasattr(obj, "department_id"):
        return obj.department_id
    if hasattr(obj, "media_account"):
        return obj.media_account.department_id
    if hasattr(obj, "self_inspection"):
        return obj.self_inspection.media_account.department_id
    raise TypeError(f"{obj!r} belongs to no department")


def sees_department_id(user, department_id: int | None) -> bool:
    ids = visible_department_ids(user)
    return ids is ALL or department_id in ids


def acts_for_department_id(user, department_id: int | None) -> bool:
    ids = acting_department_ids(user)
    return ids is ALL or department_id in ids


@rules.predicate
def sees_department(user, obj) -> bool:
    return sees_department_id(user, department_id_of(obj))


@rules.predicate
def acts_for_department(user, obj) -> bool:
    return acts_for_department_id(user, department_id_of(obj))


@rules.predicate
def acts_for_own_department(user) -> bool:
    return has_department(user) and acts_for_department_id(user, user.department_id)


@rules.predicate
def submitted_it(user, filing) -> bool:
    return user is not None and filing.submitted_by_id == user.pk


@rules.predicate
def is_that_user(user, other) -> bool:
    return user is not None and other is not None and user.pk == other.pk


@rules.predicate
def owns_token(user, token) -> bool:
    return user is not None and token.user_id == user.pk


office = is_system | is_office_admin
unit = is_system | acts_for_department

# Permissions -------------------------------------------------------------------------------------
# Who may take each action. ``obj`` is named where the rule reads it.

PERMISSIONS = {
    # Users (accounts/services.py)
    "accounts.manage_users": office,
    "accounts.set_password": is_system | is_that_user | is_office_admin,  # obj: the user
    "accounts.create_api_token": is_system | is_that_user | is_office_admin,  # obj: the token's user
    "accounts.revoke_api_token": owns_token | is_office_admin,  # obj: the token
    "accounts.unlock_sign_in": office,
    # The registry (registry/services.py)
    "registry.manage_departments": office,
    "registry.file": is_office_admin | acts_for_own_department,  # any filing at all
    "registry.submit_filing": unit,  # obj: the department or the account
    "registry.reconfirm_account": unit,  # obj: the account
    "registry.approve_filing": office,
    "registry.reject_filing": office,
    "registry.withdraw_filing": office | (submitted_it & acts_for_department),  # obj: the filing
    "registry.view_filing_queue": sees_everything,
    "registry.import_accounts": office,
    "registry.change_account": office,
    "registry.export_accounts": is_office_admin,
    # Daily figures: office and department administrators, for the accounts they act for.
    "registry.enter_metrics": is_system | is_office_admin | is_dept_admin,
    "registry.enter_account_metrics": unit,  # obj: the account
    # Posts (content/services.py): who enters figures enters posts; the office keeps the lexicons.
    "content.enter_posts": is_system | is_office_admin | is_dept_admin,
    "content.enter_account_posts": unit,  # obj: the account or its department
    "content.edit_lexicons": office,
    # Campaigns (audits/services/campaigns.py)
    "audits.create_campaign": office,
    "audits.start_campaign": office,
    "audits.answer_self_inspection": unit,  # obj: the self-inspection
    "audits.record_meeting": office,
    "audits.decide_application": office,
    "audits.review_applications": sees_everything,
    "audits.name_merge_target": is_office_admin | is_dept_admin,
    "audits.confirm_closure_order": unit,  # obj: the order
    "audits.verify_closure_order": office,
    "audits.reject_closure_order": office,
    "audits.remind_unit": is_office_admin,
    "audits.manage_schedule": is_office_admin,
    # Inspections (audits/services/inspections.py); a finding and a notice are people's work.
    "audits.edit_inspection_rule": office,
    "audits.request_inspection_run": office,
    "audits.view_inspection_runs": sees_everything,
    "audits.waive_finding": is_office_admin,
    "audits.review_wording_hit": is_office_admin,
    "audits.respond_notice": acts_for_department,  # obj: the notice
    "audits.decide_notice": is_office_admin,
    # The weekly index
    "audits.compute_ranking": office,
    # Coordinated releases (audits/releases/services.py)
    "audits.manage_release_tasks": office,
    "audits.report_release": unit,  # obj: the account's part
    "audits.excuse_release": is_office_admin,
}

for _name, _predicate in PERMISSIONS.items():
    rules.set_perm(_name, _predicate)


def allowed(user, permission: str, obj=None) -> bool:
    """Is ``user`` (``None``: the system) allowed ``permission`` on ``obj``? Unlike
    ``user.has_perm`` it asks the rules alone: a superuser's flag grants nothing here."""
    if permission not in PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return rules.has_perm(permission, user, obj)


def authorize(user, permission: str, obj=None) -> None:
    """The one check a service makes before it acts: ``PermissionDenied`` unless allowed."""
    if not allowed(user, permission, obj):
        raise PermissionDenied
