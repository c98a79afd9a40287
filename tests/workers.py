"""What each pytest-xdist worker must have to itself, set before Django reads its settings (the
plugin is loaded with ``-p`` in pyproject.toml, ahead of pytest-django).

pytest-django already gives every worker a test database of its own (``test_…_gw0``). The rest of
what a test run shares lives outside the database, and a worker must not see another's:

- ``VAR_DIR``: the file cache (throttle counts, which every test clears when it starts), uploaded
  files and the file-system broker, in ``var/tests/gw<n>``.
- ``TEST_CELERY_BROKER_URL``: the Redis database the integration tests flush. It names the first
  worker's; worker n takes the one 3n above it, the production-like site of that worker the one below
  that and its two machines the one above (``tests/production.py``), so ``redis://…/2`` with two
  workers uses databases 1 to 6.
"""

import os
from pathlib import Path

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", … in a worker; empty otherwise
REDIS_DATABASES = 16


def _own_var_dir() -> None:
    shared = Path(os.environ.get("VAR_DIR") or Path(__file__).resolve().parent.parent / "var")
    own = shared / "tests" / WORKER
    own.mkdir(parents=True, exist_ok=True)
    os.environ["VAR_DIR"] = str(own)


def _own_redis_database(index: int) -> None:
    url = os.environ.get("TEST_CELERY_BROKER_URL", "")
    if not url:
        return
    base, _, number = url.rpartition("/")
    first = int(number or 0)
    if first < 2:
        # The site takes the database below a worker's, and database 0 is other programs'.
        raise RuntimeError(f"TEST_CELERY_BROKER_URL={url}: with xdist, name database 2 or above")
    own = first + 3 * index
    if own + 1 >= REDIS_DATABASES:
        raise RuntimeError(
            f"TEST_CELERY_BROKER_URL={url} leaves worker {WORKER} no Redis database of its own "
            f"(it would take {own} and {own + 1}): start lower or run fewer workers (-n)"
        )
    os.environ["TEST_CELERY_BROKER_URL"] = f"{base}/{own}"


if WORKER:
    _index = int(WORKER.removeprefix("gw"))
    _own_var_dir()
    _own_redis_database(_index)
