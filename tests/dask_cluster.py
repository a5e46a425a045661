"""A real Dask cluster on loopback: ``dask scheduler`` and ``dask worker`` processes.

Each worker gets a course folder of its own (a copy of the course files, no submissions),
runs in it, and may run in a mount namespace of its own in which given folders are hidden
under an empty tmpfs (``unshare --mount``, as root). Used by the test of grading on Dask
and by the benchmark.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from labgrader.course import BIN_DIR, nbgrader_env
from tests.postgres_server import free_port, tail

COURSE_FILES = ("source", "release", "nbgrader_config.py")

# A worker's first process inside ``unshare --mount``: hide folders, then exec the worker.
HIDE_THEN_RUN = """
import os, subprocess, sys
separator = sys.argv.index("--")
for folder in sys.argv[1:separator]:
    subprocess.run(["mount", "-t", "tmpfs", "-o", "mode=700", "tmpfs", folder], check=True)
os.execv(sys.argv[separator + 1], sys.argv[separator + 1:])
"""


def start_logged(command, log: Path, **kwargs) -> subprocess.Popen:
    """Start ``command`` in a session of its own, its output into ``log``."""
    with Path(log).open("w") as out:
        return subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
        )


def stop(process: subprocess.Popen) -> None:
    """Stop a process started by :func:`start_logged` and everything in its session."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def course_copy(course: Path, folder: Path) -> Path:
    """A worker's own copy of the course: the course files, no submissions, no gradebook."""
    folder.mkdir(parents=True)
    for name in COURSE_FILES:
        copy = shutil.copytree if (course / name).is_dir() else shutil.copy
        copy(course / name, folder / name)
    return folder


class LocalCluster:
    """A scheduler and workers on 127.0.0.1.

    Parameters
    ----------
    base : Path
        Folder for the logs and for each worker's own folder (``base/<name>``).
    course : Path
        The course whose files each worker gets a copy of.
    db_url : str
        The shared gradebook, given to the workers as ``MULTIANNOTATOR_DB_URL``.
    workers : dict
        ``{name: folders to hide from it}``; hiding needs root and ``unshare``.
    edit : callable, optional
        ``edit(name, course_copy)`` may change a worker's copy (another commit).
    """

    def __init__(self, base: Path, course: Path, db_url: str, workers: dict, edit=None):
        self.base, self.processes, self.folders = Path(base), {}, {}
        self.base.mkdir(parents=True, exist_ok=True)
        self.address = f"tcp://127.0.0.1:{free_port()}"
        dashboard = f"127.0.0.1:{free_port()}"
        port = self.address.rsplit(":", 1)[1]
        self.processes["scheduler"] = start_logged(
            [str(BIN_DIR / "dask"), "scheduler", "--host", "127.0.0.1", "--port", port,
             "--dashboard-address", dashboard],
            self.base / "scheduler.log", env=nbgrader_env(),
        )  # fmt: skip
        for name, hidden in workers.items():
            folder = self.base / name
            copy = course_copy(course, folder / "course")
            if edit is not None:
                edit(name, copy)
            self.folders[name] = folder
            worker = [
                str(BIN_DIR / "dask"), "worker", self.address, "--name", name, "--nthreads", "1",
                "--local-directory", str(folder / "scratch"), "--no-dashboard",
                "--death-timeout", "120",
            ]  # fmt: skip
            if hidden:
                hide = [sys.executable, "-c", HIDE_THEN_RUN, *map(str, hidden), "--"]
                worker = ["unshare", "--mount", "--propagation", "private", "--", *hide, *worker]
            self.processes[name] = start_logged(
                worker,
                folder / "worker.log",
                cwd=copy,
                env=nbgrader_env({"MULTIANNOTATOR_DB_URL": db_url}),
            )

    def log(self, name: str) -> str:
        return tail(self.base / ("scheduler.log" if name == "scheduler" else f"{name}/worker.log"))

    def stop(self) -> None:
        for process in self.processes.values():
            stop(process)
