import pytest

from audits.trail.models import AppendOnlyError, AuditEvent
from audits.trail.services import record


def test_it_never_changes_or_deletes_an_event(test_actions, office_admin):
    event = record("test.something.done", actor=office_admin)
    event.action = "test.something.else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.something.done"


def test_it_records_the_system_as_an_empty_actor(test_actions, db):
    event = record("test.job.ran", actor=None)
    assert (event.actor, event.actor_name, event.request_id) == (None, "", "")


def test_it_takes_the_department_from_the_target(department_a):
    assert record("registry.department.updated", target=department_a).department_id == department_a.pk
