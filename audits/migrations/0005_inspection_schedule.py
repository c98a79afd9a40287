from django.db import migrations

# The same values as audits.inspections.schedule (a migration must not import the live code's models).
TASK_NAME = "Daily inspection run"
TASK = "audits.tasks.scheduled_inspection_run"


def install_schedule(apps, schema_editor):
    # The daily inspection at 02:00 Asia/Shanghai (issue 5); the office may change it in the browser.
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=TASK_NAME).exists():
        return
    fields = {
        "minute": "0",
        "hour": "2",
        "day_of_week": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "timezone": "Asia/Shanghai",
    }
    crontab = CrontabSchedule.objects.filter(**fields).first() or CrontabSchedule.objects.create(**fields)
    PeriodicTask.objects.create(name=TASK_NAME, task=TASK, crontab=crontab, enabled=True)


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("audits", "0004_install_inspection_rules"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(install_schedule, remove_schedule)]
