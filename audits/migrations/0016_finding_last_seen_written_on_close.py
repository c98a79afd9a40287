"""An open finding's last day seen is no longer written by every run (issue 13): it is the latest
run's, read by ``FindingQuerySet.with_last_seen``; a finding keeps its own once it stops being open.
The veto and serious findings not yet under a notice get an index of their own."""

from django.db import migrations, models


def forget_open_last_seen(apps, schema_editor):
    apps.get_model("audits", "Finding").objects.filter(status="open").update(last_seen=None)


def write_open_last_seen(apps, schema_editor):
    InspectionRun = apps.get_model("audits", "InspectionRun")
    Finding = apps.get_model("audits", "Finding")
    latest = InspectionRun.objects.filter(status="finished").order_by("-finished_at", "-pk").first()
    open_findings = Finding.objects.filter(status="open", last_seen__isnull=True)
    if latest is not None:
        open_findings.update(last_seen=latest.inspection_date)
    open_findings.update(last_seen=models.F("first_seen"))


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0015_stale_weeks"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="finding",
            options={
                "ordering": [models.OrderBy(models.F("last_seen"), descending=True, nulls_first=True), "pk"],
                "verbose_name": "finding",
                "verbose_name_plural": "findings",
            },
        ),
        migrations.AlterField(
            model_name="finding",
            name="last_seen",
            field=models.DateField(blank=True, null=True, verbose_name="last seen"),
        ),
        migrations.RunPython(forget_open_last_seen, write_open_last_seen),
        migrations.AddIndex(
            model_name="finding",
            index=models.Index(
                condition=models.Q(("notice__isnull", True), ("severity__in", ["veto", "serious"]), ("status", "open")),
                fields=["media_account"],
                name="finding_unsent",
            ),
        ),
    ]
