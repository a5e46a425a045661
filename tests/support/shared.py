"""Build an expensive thing once per test run, however many pytest-xdist workers need it.

A session fixture runs once per worker; the graded cohort or a student environment takes
minutes, so the workers share one: the first to ask builds it under a lock, in a folder of
the run's temporary root, and the others wait and reuse it. Only for things the tests read.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

WORKER_VARIABLE = "PYTEST_XDIST_WORKER"


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name``, made by ``build(folder)`` once for this test run."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get(WORKER_VARIABLE):
        root = root.parent  # every worker's base folder lies in the run's own
    folder = root / f"shared-{name}"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".built"
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            build(folder)
            done.write_text("")
    return folder
