"""Race plumbing for the concurrency tests (docs/design.md §5.11: two people acting on the same object at
once: one wins, the other is told, nothing is lost).

Real threads on real connections, released together: on SQLite the settings' IMMEDIATE
transactions make the writers queue; on PostgreSQL the services' row locks do. A test module
uses it with::

    from tests.concurrency import at_once, race_database  # noqa: F401  (the fixture, by name)

    pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("race_database")]
"""

import contextlib
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, transaction

# Long enough for a slow shared machine, short enough that a deadlock fails the test rather than
# hanging it: a race itself takes well under a second.
WAIT_SECONDS = 30


@pytest.fixture
def race_database(transactional_db, tmp_path):
    """On SQLite, race on a file, as the site runs: Django's test database is in memory, shared
    between connections, where a writer locks whole tables and the others fail at once instead
    of waiting their turn. The threads and the test work on a file copy of it; PostgreSQL as is."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    connection.ensure_connection()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    path = str(tmp_path / "race.sqlite3")
    with contextlib.closing(sqlite3.connect(path)) as copy:
        memory.backup(copy)
    # Every thread's connection reads this same settings dict; closing the in-memory database
    # would destroy it, so it stays open, set aside, until the test is over.
    connection.settings_dict["NAME"] = path
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run each call in its own thread, all released together; their results in call order.

    An exception in a thread (a 500 that the test client raises, a deadlock) is raised here.
    """
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index, call):
        try:
            barrier.wait(timeout=WAIT_SECONDS)
            results[index] = call()
        except BaseException as error:  # noqa: BLE001  (handed to the test's thread below)
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection; leave none open

    threads = [threading.Thread(target=run, args=(index, call)) for index, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    if errors:
        raise errors[0]
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a racing call did not finish: a deadlock?")
    return results


def _waiting_for_locks() -> int:
    with connection.cursor() as cursor:
        # Only this database's sessions: other xdist workers race in databases of their own. (A row
        # lock's waiter waits on a transaction id, a lock of no database: hence the sessions' view.)
        cursor.execute(
            "SELECT count(DISTINCT lock.pid) FROM pg_locks lock"
            " JOIN pg_stat_activity session ON session.pid = lock.pid"
            " WHERE NOT lock.granted AND session.datname = current_database()"
        )
        return cursor.fetchone()[0]


def queued_behind(hold: Callable[[], Any], *calls: Callable[[], Any]) -> list[Any]:
    """Run ``hold`` (which takes row locks) in a transaction kept open, start each call in its own
    thread once the one before it waits on a lock, then let ``hold`` commit; the calls' results
    in call order (PostgreSQL only: it shows who waits in ``pg_locks``).

    A lock-order race depends on where each side stands when the other reaches its next lock;
    queued here, a race that can deadlock does so every time rather than now and then.
    """
    held, release = threading.Event(), threading.Event()
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index, call):
        try:
            result = call()
            if index is not None:
                results[index] = result
        except BaseException as error:  # noqa: BLE001  (handed to the test's thread below)
            errors.append(error)
        finally:
            connection.close()

    def holder():
        with transaction.atomic():
            hold()
            held.set()
            release.wait(WAIT_SECONDS)

    threads = [threading.Thread(target=run, args=(None, holder))]
    threads[0].start()
    held.wait(WAIT_SECONDS)
    for index, call in enumerate(calls):
        threads.append(threading.Thread(target=run, args=(index, call)))
        threads[-1].start()
        deadline = time.monotonic() + WAIT_SECONDS
        while _waiting_for_locks() <= index and not errors and time.monotonic() < deadline:
            time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join(timeout=WAIT_SECONDS)
    if errors:
        raise errors[0]
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a queued call did not finish: a deadlock?")
    return results
