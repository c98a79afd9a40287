"""The day an account went live (issue 10): the approval of its open filing, which the inspection
rules' grace and the weekly ranking count from; none for an account registered as already running."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from audits.trail.models import AuditEvent
from registry import services
from registry.choices import Platform
from registry.models import MediaAccount


def row(uid: str) -> dict:
    """One row of a first registration's sheet: an account that has run for years."""
    return {"row": 2, "department_code": "edu", "name": "教育老号", "platform": "weibo", "platform_uid": uid}


def test_it_marks_the_day_the_office_approves_an_open_filing(file_account, department_a):
    pending = file_account(department_a, approve=False)
    assert pending.activated_on is None
    approved = file_account(department_a, platform=Platform.WEIBO)
    assert approved.activated_on == timezone.localdate()


def test_it_leaves_an_account_imported_by_a_first_registration_without_one(office_admin, department_a):
    (account,) = services.media_accounts_import(
        actor=office_admin,
        rows=[row("o1")],
    )
    account.refresh_from_db()
    assert account.opened_on == timezone.localdate() and account.activated_on is None


def test_the_office_corrects_the_day_an_account_went_live(office_admin, file_account, department_a):
    account = file_account(department_a)
    services.media_account_update(
        actor=office_admin, media_account=account, activated_on=datetime.date(2019, 5, 6)
    )
    account.refresh_from_db()
    assert account.activated_on == datetime.date(2019, 5, 6)
    event = AuditEvent.objects.get(action="registry.media_account.updated")
    assert event.changes["after"] == {"activated_on": "2019-05-06"}


def test_it_refuses_a_day_after_today_and_changes_nothing(office_admin, file_account, department_a):
    account = file_account(department_a)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.media_account_update(actor=office_admin, media_account=account, activated_on=tomorrow)
    assert "activated_on" in error.value.message_dict
    account.refresh_from_db()
    assert account.activated_on == timezone.localdate()
    assert not AuditEvent.objects.filter(action="registry.media_account.updated").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("database_owner")  # migrations are the owner's
def test_the_migration_reads_each_activation_from_the_trail(file_account, office_admin, department_a):
    """Existing accounts get the day the trail recorded their activation (Asia/Shanghai); imported
    ones none."""
    approved = file_account(department_a)
    (imported,) = services.media_accounts_import(
        actor=office_admin,
        rows=[row("o2")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate([("registry", "0002_mediaaccount_media_account_unit_platform")])
    executor.loader.build_graph()
    executor.migrate([("registry", "0003_media_account_activated_on")])
    activated = AuditEvent.objects.get(action="registry.media_account.activated", object_id=str(approved.pk))
    assert dict(MediaAccount.objects.order_by().values_list("pk", "activated_on")) == {
        approved.pk: timezone.localdate(activated.at),
        imported.pk: None,
    }
