"""A Celery worker whose inspection runs pause after evaluating, before committing, so a test can
kill it in the middle of a run (tests/integration/test_inspection_worker.py)."""

import os
import time

import django

django.setup()

from audits.inspections import services as inspections  # noqa: E402
from config.celery import app  # noqa: E402

evaluate = inspections._evaluate


def evaluate_then_pause(run):
    result = evaluate(run)
    time.sleep(float(os.environ["INSPECTION_PAUSE_SECONDS"]))
    return result


inspections._evaluate = evaluate_then_pause
app.conf.broker_transport_options = {"visibility_timeout": 5}
app.worker_main(
    [
        "worker",
        "--pool=solo",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
)
