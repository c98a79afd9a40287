import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("registry")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# audits/ keeps its tasks in its domains' packages (audits/inspections/tasks.py, ...).
app.autodiscover_tasks(
    ["audits.campaigns", "audits.inspections", "audits.ranking", "audits.releases", "audits.trail"]
)
