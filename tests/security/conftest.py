"""The security suite: one module per class of attack, each reproducing the attack. Where a single
process would hide the fault, the test attacks the production-like site (tests/production.py)."""

import pytest

from tests.production import production_site  # noqa: F401  (the fixture, by name)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(items):
    # One production-like site per run, not one per xdist worker: its start (a database migrated,
    # static files collected, gunicorn's workers and a Celery worker booted) costs more than most
    # modules. With `--dist loadgroup` (the Makefile's) its tests go to one worker. The marker lets
    # CI run them where production's engines are (.ci/run).
    for item in items:
        if "production_site" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.production_site)
            item.add_marker(pytest.mark.xdist_group("production_site"))
