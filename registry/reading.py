"""Reading an uploaded spreadsheet within a budget of CPU time and memory, in a child process of
the worker.

A workbook is XML in a zip, and reading one costs what its content says, not what it weighs. The
limits of ``registry.spreadsheets`` bound a sheet's rows and bytes, but within them one row of a
million empty cells still costs seconds and hundreds of MB. So the reading is forked and the kernel
stops the child at its budget (``RLIMIT_CPU``, and ``RLIMIT_AS`` for its memory): a Celery time
limit needs the prefork pool, and a check between rows never runs while openpyxl parses one long
row, while the kernel needs no Python code to run. The worker that waits for the child stays free
to record the outcome.

The child touches nothing but the file's bytes (no database, no files), and tells the parent each
``progress`` and then its sheet or its refusal, one JSON line each, through a pipe.
"""

import json
import os
import resource
import select
import signal
import time
from collections.abc import Callable
from dataclasses import asdict

from django.utils.translation import gettext as _

from registry.services import RowError
from registry.spreadsheets import ImportSheet, SpreadsheetRejected

# A child that sleeps instead of working (a lock inherited from another thread of the worker) is
# stopped by the clock: this many times its CPU budget, plus a margin.
WALL_FACTOR = 3


def read_within_budget(
    read: Callable, *, seconds: int, memory: int, progress: Callable[[int], None]
) -> ImportSheet:
    """``read(progress=…)`` in a forked child allowed ``seconds`` of CPU time and ``memory`` bytes
    more than the worker holds; the sheet it read.

    Raises ``SpreadsheetRejected`` with the reader's own message, or with one saying the file took
    too long or too much memory when the budget ran out.
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reader)
        _child(read, writer, seconds, memory)
    os.close(writer)
    outcome = None
    try:
        for line in _lines(reader, deadline=time.monotonic() + WALL_FACTOR * seconds + 10):
            message = json.loads(line)
            if "rows_read" in message:
                progress(message["rows_read"])
            else:
                outcome = message
    except TimeoutError:
        os.kill(pid, signal.SIGKILL)
    finally:
        os.close(reader)
        _pid, status = os.waitpid(pid, 0)
    if outcome is not None and "problem" in outcome:
        raise SpreadsheetRejected(outcome["problem"])
    if outcome is not None:
        sheet = outcome["sheet"]
        errors = [RowError(**error) for error in sheet["errors"]]
        return ImportSheet(columns=sheet["columns"], rows=sheet["rows"], errors=errors)
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
        raise SpreadsheetRejected(_too_costly())
    raise SpreadsheetRejected(_("The workbook cannot be read; save it again as .xlsx."))


def _too_costly() -> str:
    return _(
        "Reading the file took more time or memory than a registration form or a sheet of figures "
        "needs; nothing was read. Save it again as a plain .xlsx or .csv from the template."
    )


def _lines(fd: int, *, deadline: float):
    buffer = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            raise TimeoutError
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return
        *complete, buffer = (buffer + chunk).split(b"\n")
        yield from complete


def _address_space() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the CPU time alone bounds the reading
        return None


def _child(read: Callable, fd: int, seconds: int, memory: int) -> None:
    """Read and report, then leave at once: the parent's connections, files and handlers (Celery's,
    pytest's) belong to the parent."""
    status = 1
    try:
        signal.signal(signal.SIGXCPU, signal.SIG_DFL)  # the kernel's answer to the budget: stop
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))  # then SIGKILL
        # One long row is a list of a million cells: the memory it may take beyond the worker's own.
        if (size := _address_space()) is not None:
            resource.setrlimit(resource.RLIMIT_AS, (size + memory, size + memory))
        with os.fdopen(fd, "w", encoding="utf-8") as out:

            def tell(message: dict) -> None:
                out.write(json.dumps(message, ensure_ascii=False) + "\n")
                out.flush()

            try:
                sheet = read(progress=lambda count: tell({"rows_read": count}))
            except SpreadsheetRejected as rejected:
                tell({"problem": str(rejected.message)})
            except MemoryError:
                tell({"problem": _too_costly()})
            else:
                errors = [asdict(error) for error in sheet.errors]
                tell({"sheet": {"columns": sheet.columns, "rows": sheet.rows, "errors": errors}})
        status = 0
    finally:
        os._exit(status)
