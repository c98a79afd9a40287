"""Every action of the trail is declared once (audits/trail/actions.py), with its Chinese label and the kind
of object it concerns, before anything may record it."""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.utils import translation

from audits.trail import actions
from audits.trail.models import AuditEvent
from audits.trail.services import record, record_many

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def _project_sources():
    """The project's own Python files: every package at the top of the repository but the tests."""
    for package in sorted(path.parent for path in ROOT.glob("*/__init__.py")):
        if package.name in ("tests",):
            continue
        for path in sorted(package.rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _recorded_actions() -> dict[str, list[str]]:
    """Every action string passed to ``record()`` or ``record_many()``, with where it is passed.
    A call whose action is not written out (a variable, an f-string) is itself a finding."""
    found: dict[str, list[str]] = {}
    for path in _project_sources():
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in ("record", "record_many"):
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            argument = node.args[0] if node.args else None
            # One action, or a choice of two written out: ``"a.b.c" if … else "a.b.d"``.
            options = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    found.setdefault(option.value, []).append(where)
                else:
                    found.setdefault(f"<not a literal action at {where}>", []).append(where)
    return found


def test_it_finds_the_services_record_calls():
    # The walk itself must see the call sites, or the two tests below would pass on nothing.
    recorded = _recorded_actions()
    assert "registry.filing.approved" in recorded
    assert len(recorded) > 40


def test_every_recorded_action_is_declared():
    undeclared = {
        action: places for action, places in _recorded_actions().items() if action not in actions.ACTIONS
    }
    assert undeclared == {}


def test_every_declared_action_is_recorded_somewhere():
    assert set(actions.ACTIONS) - set(_recorded_actions()) == set()


def test_every_action_has_a_chinese_label_and_a_kind_of_object_that_exists():
    with translation.override("zh-hans"):
        for action in actions.ACTIONS.values():
            label = str(action.label)
            assert CHINESE.search(label) and label != action.code, action.code
            assert "," not in label and ":" not in label, action.code  # full-width punctuation
            model = apps.get_model(action.kind)
            assert str(actions.kind_label(action.kind)) == str(model._meta.verbose_name)


def test_it_refuses_to_record_an_undeclared_action(office_admin, department_a):
    before = AuditEvent.objects.count()
    with pytest.raises(actions.UndeclaredAction, match="registry.department.renamed"):
        record("registry.department.renamed", actor=office_admin, target=department_a)
    with pytest.raises(actions.UndeclaredAction):
        record_many("registry.department.renamed", actor=office_admin, items=[(department_a, {})])
    assert AuditEvent.objects.count() == before


def test_it_refuses_an_object_of_another_kind_than_declared(office_admin, department_a):
    before = AuditEvent.objects.count()
    with pytest.raises(actions.WrongKind, match="registry.filing"):
        record("registry.filing.approved", actor=office_admin, target=department_a)
    assert AuditEvent.objects.count() == before


def test_an_event_without_an_object_still_says_what_kind_it_concerns(db):
    # A failed sign-in names no user that exists; the trail can still be filtered to users' events.
    event = record("accounts.user.sign_in_failed", changes={"after": {"username": "nobody"}})
    assert (event.object_type, event.object_id) == ("accounts.user", "")


def test_the_filters_offer_the_declared_actions_grouped_by_kind_in_chinese():
    with translation.override("zh-hans"):
        groups = {
            str(group): [(code, str(label)) for code, label in options]
            for group, options in actions.action_choices()
        }
        assert ("registry.filing.approved", "备案批准") in groups["备案"]
        assert ("accounts.user.signed_in", "登录") in groups["用户"]
        assert sum(len(options) for options in groups.values()) == len(actions.ACTIONS)
        kinds = dict(actions.kind_choices())
        assert str(kinds["registry.mediaaccount"]) == "政务新媒体账号"
        assert set(kinds) == {action.kind for action in actions.ACTIONS.values()}
