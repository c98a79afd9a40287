"""Tests against real services: a Celery worker consuming from a real broker.

On SQLite the broker is the embedded file-system one (what `make run` uses). With
``TEST_CELERY_BROKER_URL`` set (CI sets it to Redis for the PostgreSQL pass) the same tests
run against that broker, and the worker-loss test runs too.
"""

import os

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app as celery_app
from tests.production import two_machines  # noqa: F401  (the fixture, by name)

REDIS_URL = os.environ.get("TEST_CELERY_BROKER_URL", "")


def _use_broker(url: str, options: dict) -> None:
    celery_app.conf.update(broker_url=url, broker_transport_options=options, task_always_eager=False)
    celery_app._after_fork()  # drop connection pools made for the previous broker


@pytest.fixture
def broker(tmp_path):
    """Point the app at a broker of this test's own; yields its URL and transport options."""
    saved = (celery_app.conf.broker_url, dict(celery_app.conf.broker_transport_options or {}))
    if REDIS_URL:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()
        # Unacknowledged tasks come back after 5 s, and the worker looks for them every second.
        url, options = (
            REDIS_URL,
            {"visibility_timeout": 5, "unacked_restore_interval": 1, "unacked_restore_throttle": 1},
        )
    else:
        folder = tmp_path / "broker"
        (folder / "processed").mkdir(parents=True)
        url = "filesystem://"
        options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "processed_folder": str(folder / "processed"),
            "store_processed": False,
            "control_folder": str(folder / "control"),
        }
    _use_broker(url, options)
    yield url, options
    _use_broker(*saved)


@pytest.fixture
def worker(broker):
    """A real worker, in a thread of this process, consuming the test's broker."""
    with start_worker(
        celery_app,
        pool="solo",
        concurrency=1,
        perform_ping_check=False,
        loglevel="WARNING",
        shutdown_timeout=30,
    ):
        yield celery_app
