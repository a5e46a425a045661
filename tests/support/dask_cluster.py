"""A real Dask cluster on loopback: ``dask scheduler`` and ``dask worker`` processes.

Each worker gets a course folder of its own (a copy of the course files, no submissions)
and runs in it. An *isolated* worker also runs as a user of its own (a numeric id no
account uses, so nothing is added to the machine) in a mount namespace of its own in which
the instructor's course and the other workers' folders are hidden under an empty tmpfs
(``unshare --mount`` as root, then ``setpriv`` to that user). Used by the test of grading on
Dask and by the benchmark.
"""

from __future__ import annotations

import grp
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from labgrader.course.config import BIN_DIR, nbgrader_env
from tests.support.postgres import free_port, tail

COURSE_FILES = ("source", "release", "nbgrader_config.py")
FIRST_WORKER_ID = 61000  # isolated workers' user ids are the first free ones from here

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


def unused_ids(count: int, first: int = FIRST_WORKER_ID) -> list[int]:
    """``count`` ids that are neither a user's nor a group's on this machine."""
    found, candidate = [], first
    while len(found) < count:
        try:
            pwd.getpwuid(candidate)
        except KeyError:
            try:
                grp.getgrgid(candidate)
            except KeyError:
                found.append(candidate)
        candidate += 1
    return found


def as_user(uid: int) -> list[str]:
    """The command prefix that runs what follows as ``uid``, with no group and no capability."""
    return [
        shutil.which("setpriv") or "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--inh-caps=-all",
    ]


def why_workers_cannot_be_isolated() -> str | None:
    """Why isolated workers cannot run here (a separate user must read the venv), or ``None``."""
    if os.geteuid() != 0:
        return "needs root to give each worker a mount namespace and a user of its own"
    for tool in ("unshare", "setpriv"):
        if shutil.which(tool) is None:
            return f"needs {tool} (util-linux) for the workers' namespaces and users"
    uid = unused_ids(1)[0]
    tried = subprocess.run(
        [*as_user(uid), str(BIN_DIR / "python"), "-c", "import labgrader, distributed"],
        capture_output=True, text=True, timeout=120, cwd="/",
    )  # fmt: skip
    if tried.returncode != 0:
        return (
            f"a user other than root cannot run the grader from {BIN_DIR} (is the checkout in a "
            f"folder only root may enter?): {tried.stderr.strip()[-300:]}"
        )
    return None


def _own_recursively(folder: Path, uid: int) -> None:
    for path in (folder, *folder.rglob("*")):
        os.chown(path, uid, uid, follow_symlinks=False)


class LocalCluster:
    """A scheduler and workers on 127.0.0.1.

    Parameters
    ----------
    base : Path
        Folder for the logs, and for each worker's own folder (``base/<name>``) unless isolated.
    course : Path
        The course whose files each worker gets a copy of.
    db_url : str
        The shared gradebook, given to the workers as ``MULTIANNOTATOR_DB_URL``.
    names : iterable of str
        The workers' names.
    edit : callable, optional
        ``edit(name, course_copy)`` may change a worker's copy (another commit).
    isolated : bool
        Each worker as a user of its own, in a mount namespace that hides ``course`` and the
        other workers' folders (see :func:`why_workers_cannot_be_isolated`). Their folders are
        then in a folder of their own that others may enter, removed by :meth:`stop`.
    """

    def __init__(self, base: Path, course: Path, db_url: str, names, edit=None, isolated=False):
        self.base, self.processes, self.folders, self.users = Path(base), {}, {}, {}
        self.base.mkdir(parents=True, exist_ok=True)
        self.shared = None
        if isolated:  # pytest's folders are root's alone: a worker's must be reachable by it
            self.shared = Path(tempfile.mkdtemp(prefix="dask-workers-"))
            self.shared.chmod(0o711)
        self.address = f"tcp://127.0.0.1:{free_port()}"
        dashboard = f"127.0.0.1:{free_port()}"
        port = self.address.rsplit(":", 1)[1]
        self.processes["scheduler"] = start_logged(
            [str(BIN_DIR / "dask"), "scheduler", "--host", "127.0.0.1", "--port", port,
             "--dashboard-address", dashboard],
            self.base / "scheduler.log", env=nbgrader_env(),
        )  # fmt: skip
        names = list(names)
        ids = unused_ids(len(names)) if isolated else [None] * len(names)
        for name, uid in zip(names, ids, strict=True):
            folder = (self.shared or self.base) / name
            copy = course_copy(course, folder / "course")
            (folder / "scratch").mkdir()
            (folder / "home").mkdir()
            if edit is not None:
                edit(name, copy)
            if uid is not None:
                _own_recursively(folder, uid)
                folder.chmod(0o700)
                self.users[name] = uid
            self.folders[name] = folder
        for name in names:
            self._start_worker(name, course, db_url)

    def _start_worker(self, name: str, course: Path, db_url: str) -> None:
        folder = self.folders[name]
        worker = [
            str(BIN_DIR / "dask"), "worker", self.address, "--name", name, "--nthreads", "1",
            "--local-directory", str(folder / "scratch"), "--no-dashboard",
            "--death-timeout", "120",
        ]  # fmt: skip
        env = {"MULTIANNOTATOR_DB_URL": db_url}
        if name in self.users:
            hidden = [course, *(f for other, f in self.folders.items() if other != name)]
            hide = [sys.executable, "-c", HIDE_THEN_RUN, *map(str, hidden), "--"]
            worker = ["unshare", "--mount", "--propagation", "private", "--", *hide,
                      *as_user(self.users[name]), "--", *worker]  # fmt: skip
            env.update(HOME=str(folder / "home"), USER=name, LOGNAME=name)
        self.processes[name] = start_logged(
            worker, self.base / f"{name}.log", cwd=folder / "course", env=nbgrader_env(env)
        )

    def log(self, name: str) -> str:
        return tail(self.base / f"{name}.log")

    def stop(self) -> None:
        for process in self.processes.values():
            stop(process)
        if self.shared is not None:
            shutil.rmtree(self.shared, ignore_errors=True)
