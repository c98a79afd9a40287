from django.db import migrations, models


def waived_at_from_the_trail(apps, schema_editor):
    """Findings waived before the field existed take the time of their waiver's audit event."""
    Finding = apps.get_model("audits", "Finding")
    AuditEvent = apps.get_model("audits", "AuditEvent")
    waived = Finding.objects.filter(status="waived", waived_at__isnull=True)
    for finding in waived.iterator():
        event = (
            AuditEvent.objects.filter(action="audits.finding.waived", object_id=str(finding.pk))
            .order_by("-at")
            .first()
        )
        if event is not None:
            Finding.objects.filter(pk=finding.pk).update(waived_at=event.at)


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0007_finding_status_label"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="waived_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="waived at"),
        ),
        migrations.RunPython(waived_at_from_the_trail, migrations.RunPython.noop),
    ]
