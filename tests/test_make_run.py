"""`make run` as a developer uses it: another address with ADDR, and Ctrl-C (or a SIGTERM) stops the
web server and the worker and ends cleanly, without make's "*** Error".

The real Makefile and bin/run-dev run in a copy of the project whose .venv holds stand-ins for
Python and Celery: they record how they were started and stopped, so no Django starts.
"""

import os
import pty
import select
import shutil
import signal
import stat
import time
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")

# A stand-in for .venv/bin/python and .venv/bin/celery: manage.py migrate and seed_demo return at once;
# runserver and the worker run until they get SIGTERM, as the real ones do.
STAND_IN = """#!/bin/sh
name=$(basename "$0")
case "$*" in *migrate*|*seed_demo*) exit 0 ;; esac
trap 'echo "$name stopped" >> "$LOG"; exit 0' TERM
echo "$name started: $*" >> "$LOG"
while :; do sleep 0.05; done
"""


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "project"
    (root / "bin").mkdir(parents=True)
    shutil.copy(settings.BASE_DIR / "bin" / "run-dev", root / "bin" / "run-dev")
    shutil.copy(settings.BASE_DIR / "requirements.txt", root / "requirements.txt")
    venv = root / ".venv" / "bin"
    venv.mkdir(parents=True)
    for name in ("python", "celery"):
        (venv / name).write_text(STAND_IN)
        (venv / name).chmod(stat.S_IRWXU)
    os.utime(root / "requirements.txt", (time.time() - 60, time.time() - 60))
    (root / ".venv" / ".requirements-installed").touch()  # newer than requirements.txt: no install
    return root


def _make_run(project: Path, *args: str, stop) -> tuple[int, str]:
    """Start `make run` in a terminal of its own, wait until both children run, stop it with ``stop``."""
    log = project / "children.log"
    env = {**os.environ, "LOG": str(log)}
    for name in (
        "ADDR",
        "MAKEFLAGS",
        "MAKELEVEL",
        "MFLAGS",
        "MAKEOVERRIDES",
    ):  # not a sub-make of `make test`
        env.pop(name, None)
    pid, terminal = pty.fork()
    if pid == 0:  # the child: make in the copy, with the real Makefile
        # As from a developer's terminal: Ctrl-C's default action, which a test runner's worker
        # (pytest-xdist's) may have set to be ignored, and an ignored signal stays ignored over exec.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.chdir(project)
        os.execvpe("make", ["make", "-f", str(settings.BASE_DIR / "Makefile"), "run", *args], env)
    output = b""

    def read_for(seconds: float, until=lambda: False) -> None:
        nonlocal output
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not until():
            ready, _w, _x = select.select([terminal], [], [], 0.1)
            if ready:
                try:
                    chunk = os.read(terminal, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                output += chunk

    def both_started() -> bool:
        return log.exists() and log.read_text().count("started") == 2

    read_for(20, both_started)
    assert both_started(), output.decode(errors="replace")
    stop(pid, terminal)
    read_for(20)
    _pid, status = os.waitpid(pid, 0)
    os.close(terminal)
    return status, output.decode(errors="replace")


def _ctrl_c(pid, terminal):
    os.write(terminal, b"\x03")  # the terminal sends SIGINT to the foreground process group


def _sigterm(pid, terminal):
    os.kill(pid, signal.SIGTERM)  # make passes a SIGTERM on to its recipe


@pytest.mark.parametrize("stop", [_ctrl_c, _sigterm], ids=["ctrl-c", "sigterm"])
def test_it_stops_both_children_and_ends_without_an_error(project, stop):
    status, output = _make_run(project, stop=stop)
    log = (project / "children.log").read_text()
    assert "python stopped" in log and "celery stopped" in log
    assert "***" not in output and "Error" not in output, output[-500:]
    # make ends as the signal tells it to (its own handler re-raises it), not with an error code.
    assert os.WIFSIGNALED(status) or os.waitstatus_to_exitcode(status) == 0, status


def test_it_serves_on_the_address_given_as_addr(project):
    _status, _output = _make_run(project, "ADDR=0.0.0.0:8080", stop=_ctrl_c)
    assert "python started: manage.py runserver 0.0.0.0:8080" in (project / "children.log").read_text()
