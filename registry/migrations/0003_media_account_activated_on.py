from collections import defaultdict

from django.db import migrations, models
from django.utils import timezone


def activation_days_from_the_trail(apps, schema_editor):
    # The trail records each approval of an open filing as the account's activation; accounts
    # imported by a first registration have no such event: they ran before the registry knew them.
    AuditEvent = apps.get_model("audits", "AuditEvent")
    MediaAccount = apps.get_model("registry", "MediaAccount")
    activated = AuditEvent.objects.filter(
        action="registry.media_account.activated", object_type="registry.mediaaccount"
    ).values_list("object_id", "at")
    by_day = defaultdict(list)
    for object_id, at in activated.iterator():
        by_day[timezone.localdate(at)].append(int(object_id))
    for day, ids in by_day.items():
        for start in range(0, len(ids), 500):  # within any database's limit of query parameters
            MediaAccount.objects.filter(pk__in=ids[start : start + 500]).update(activated_on=day)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0002_mediaaccount_media_account_unit_platform"),
        ("audits", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="mediaaccount",
            name="activated_on",
            field=models.DateField(blank=True, null=True, verbose_name="went live on"),
        ),
        migrations.RunPython(activation_days_from_the_trail, migrations.RunPython.noop),
    ]
