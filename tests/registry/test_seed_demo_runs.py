"""A run of `seed_demo` on an empty database: what it says as it goes, and that it keeps off
production. (What it loads is tests/registry/test_seed_demo.py's.)"""

import io

import pytest
from django.core.management import CommandError, call_command

from registry.models import Department, MediaAccount

PASSWORD = "Seed-Demo-Pass-7"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def demo_settings(settings):
    # pytest-django runs with DEBUG off; the seed is meant for a development site.
    settings.DEBUG = True


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out, **options)
    return out.getvalue()


class Progress(io.StringIO):
    """Output that notes, with each line, how many accounts existed when it was written."""

    def __init__(self):
        super().__init__()
        self.lines: list[tuple[str, int]] = []

    def write(self, text):
        self.lines.extend((line, MediaAccount.objects.count()) for line in text.splitlines() if line.strip())
        return super().write(text)


def test_it_says_what_it_is_doing_as_it_goes():
    out = Progress()
    call_command("seed_demo", password=PASSWORD, stdout=out)
    said = [line for line, _accounts in out.lines]
    steps = [
        "Units:",
        "Users:",
        "Media accounts:",
        "Daily figures:",
        "Weekly activity index:",
        "Inspection:",
    ]
    first = [next(index for index, line in enumerate(said) if line.startswith(step)) for step in steps]
    assert first == sorted(first), said
    # Written while the work went on, not all at the end: the users before any account existed.
    assert dict(out.lines)["Units: 46 created."] == 0
    assert any(line.startswith("Users: 20 of 48") and accounts == 0 for line, accounts in out.lines)
    assert any(
        line.startswith("Media accounts: 40 of 112") and 0 < accounts < 112 for line, accounts in out.lines
    )
    assert said[-2].startswith("Created 46 departments, 48 users, 112 media accounts")


def test_it_says_nothing_with_verbosity_0():
    out = io.StringIO()
    call_command("seed_demo", password=PASSWORD, stdout=out, verbosity=0)
    assert out.getvalue() == "" and MediaAccount.objects.count() == 112


def test_it_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not Department.objects.exists()


def test_it_runs_with_debug_off_when_forced(settings):
    settings.DEBUG = False
    seed(force=True)
    assert MediaAccount.objects.count() >= 100
