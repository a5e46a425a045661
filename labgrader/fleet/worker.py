"""A Dask worker's side of grading: a worker plugin that keeps a private course, and the task.

A course team starts workers on any machine that has a checkout of the course at the
instructor's commit, the pinned environment and the shared gradebook's address, in the
checkout (or with ``MULTIANNOTATOR_COURSE_ROOT`` naming it)::

    MULTIANNOTATOR_DB_URL=postgresql+psycopg2://... dask worker tcp://scheduler:8786 --nthreads 1

``multiannotator-autograde --scheduler tcp://scheduler:8786`` registers
:class:`GradingWorker` with the instructor's :class:`~labgrader.course.version.CourseVersion`
and gradebook. On each worker, now and whenever one joins later, the plugin compares them
with the worker's own: a worker on another version, or writing to another gradebook,
refuses with the reason and is given nobody. Otherwise it builds a private course folder
(a copy of its own ``source/``, ``release/`` and ``nbgrader_config.py``), checks the
sandbox, starts the warm-kernel fork server it keeps for all its tasks, and advertises one
grading slot (a Dask resource named after the version), so that only workers on this very
version get students, one at a time. :func:`grade_student` grades one student there with
nbgrader's own ``Autograde``, into the shared gradebook, and returns the autograded files.
The instructor's course folder is never read: everything comes with the task.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import shutil
import threading
import time
from pathlib import Path

from distributed import WorkerPlugin, get_worker
from sqlalchemy.engine import make_url
from traitlets.config import Config

from labgrader.autograde import timings
from labgrader.course.config import course_db_url
from labgrader.course.version import CourseVersion, course_version, differences
from labgrader.sandbox.readiness import SandboxSetupError, sandbox_readiness

PLUGIN_NAME = "multiannotator-grading"
COURSE_ROOT_VARIABLE = "MULTIANNOTATOR_COURSE_ROOT"
COURSE_COPY = ("source", "release", "nbgrader_config.py")
# Where the worker was started (its checkout, unless MULTIANNOTATOR_COURSE_ROOT says otherwise),
# taken when this module is first imported: the plugin then works in its private course folder.
STARTED_IN = os.getcwd()


class Refusal(Exception):
    """This worker must not grade for this instructor; the message says why."""


def gradebook_identity(db_url: str) -> str:
    """The gradebook a URL points to, without its password (an absolute path for SQLite)."""
    url = make_url(db_url)
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{Path(url.database or '').resolve()}"
    return url._replace(password=None).render_as_string(hide_password=False)


def safe_relative(name: str) -> Path:
    """A file name sent with a submission, as a path that stays inside the folder."""
    path = Path(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError(f"refusing the file name {name!r}: it leaves the submission folder")
    return path


def read_files(folder: Path) -> dict:
    """``{relative name: (bytes, mode)}`` of the regular files under ``folder`` (no links)."""
    return {
        path.relative_to(folder).as_posix(): (path.read_bytes(), path.stat().st_mode & 0o777)
        for path in sorted(Path(folder).rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def write_files(folder: Path, files: dict) -> None:
    """Write what :func:`read_files` read into ``folder``."""
    for name, (content, mode) in files.items():
        path = Path(folder) / safe_relative(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        path.chmod(mode)


class GradingWorker(WorkerPlugin):
    """Grade students of the instructor's course on this worker, or refuse and say why.

    Parameters
    ----------
    expected : ~labgrader.course.version.CourseVersion
        The instructor's course, grader and stack.
    gradebook : str
        :func:`gradebook_identity` of the instructor's gradebook.
    assignment : str
    options : list of str
        nbgrader options of the run (``--Execute.timeout=15``, ...).
    """

    idempotent = False

    def __init__(self, expected: CourseVersion, gradebook: str, assignment: str, options: list):
        self.expected, self.gradebook = expected, gradebook
        self.assignment, self.options = assignment, list(options)
        self.resource = f"multiannotator-{expected.digest[:16]}"

    async def setup(self, worker) -> None:
        self.address, self.refusal = worker.address, None
        self.private = Path(worker.local_directory) / "multiannotator-course"
        self._lock = threading.Lock()
        try:
            await asyncio.to_thread(self._prepare)
        except Exception as error:  # a refusal, or a set-up that failed: this worker grades nobody
            reason = str(error)
            if not isinstance(error, Refusal):
                reason = f"it could not set up the course ({type(error).__name__}: {error})"
            self.refusal, self.confinement = reason, ""
            logging.getLogger(__name__).error("Not grading for this instructor: %s", reason)
            return
        await worker.set_resources(**{self.resource: 1})

    def teardown(self, worker) -> None:
        os.chdir(STARTED_IN)
        shutil.rmtree(getattr(self, "private", ""), ignore_errors=True)

    def _prepare(self) -> None:
        root = Path(os.environ.get(COURSE_ROOT_VARIABLE) or STARTED_IN).resolve()
        if not (root / "nbgrader_config.py").is_file():
            raise Refusal(
                f"there is no course at {root} (no nbgrader_config.py): start the worker in its "
                f"checkout of the course, or set {COURSE_ROOT_VARIABLE}"
            )
        mine = course_version(root)
        different = differences(self.expected, mine)
        if different:
            raise Refusal(
                f"its course at {root} (commit {mine.commit}) is not the instructor's (commit "
                f"{self.expected.commit}): {different}. Check out the instructor's commit there, "
                "run make setup, and restart the worker"
            )
        shutil.rmtree(self.private, ignore_errors=True)
        self.private.mkdir(parents=True)
        for name in COURSE_COPY:
            source = root / name
            if source.is_dir():
                shutil.copytree(source, self.private / name, symlinks=False)
            elif source.is_file():
                shutil.copy(source, self.private / name)
        writes_to = gradebook_identity(course_db_url(self.private))
        if writes_to != self.gradebook:
            shared = (
                ""
                if not self.gradebook.startswith("sqlite")
                else (
                    " (a SQLite gradebook can only be shared on one machine: use PostgreSQL, "
                    "see the README)"
                )
            )
            raise Refusal(
                f"it would write grades to {writes_to}, not to the instructor's gradebook "
                f"{self.gradebook}{shared}: set MULTIANNOTATOR_DB_URL for the worker"
            )
        self._start_nbgrader(root)

    def _start_nbgrader(self, root: Path) -> None:
        # Imported in the set-up thread, not when the plugin arrives: nbgrader and the grader's
        # judging take seconds to import, and the worker must keep answering the scheduler.
        from nbgrader.apps import AutogradeApp

        from labgrader.judging.reference import lab_reference
        from labgrader.kernels.warm import warm_kernels_unavailable

        os.chdir(self.private)
        AutogradeApp.clear_instance()
        self.app = AutogradeApp.instance()
        self.app.initialize([self.assignment, *self.options])
        self.app.coursedir.assignment_id = self.assignment
        # The worker's own checkout holds the solutions too: hidden from student code.
        self.app.update_config(Config({"GradingExecute": {"hidden_folders": [str(root)]}}))
        if "--GradingExecute.sandbox=False" in self.options:
            confinement = "not sandboxed: switched off (--no-sandbox)"
        else:
            try:
                why_not = sandbox_readiness(self.private)
            except SandboxSetupError as error:
                raise Refusal(f"student code cannot be sandboxed here: {error}") from None
            confinement = f"not sandboxed: {why_not}" if why_not else "sandboxed"
        if "--GradingExecute.warm_kernels=False" not in self.options:
            why_not = warm_kernels_unavailable()  # starts the fork server, kept for every task
            if why_not:
                confinement += f"; ordinary kernels ({why_not})"
        lab_reference()  # what the grader judges against, built once
        self.confinement = confinement  # last: from now on the worker counts as set up

    def state(self) -> dict:
        """What the instructor's side is told about this worker."""
        return {"ready": True, "refusal": self.refusal, "confinement": self.confinement}

    def grade(self, student: str, files: dict) -> dict:
        """Grade one student from the files of their submission; return the autograded files."""
        from nbgrader.converters import Autograde  # imported by the set-up: costs nothing here
        from nbgrader.converters.base import NbGraderException

        with self._lock:  # one student at a time, whatever the worker's threads
            submitted = self.private / "submitted" / student / self.assignment
            autograded = self.private / "autograded" / student / self.assignment
            for folder in (submitted.parent, autograded.parent):
                shutil.rmtree(folder, ignore_errors=True)
            submitted.mkdir(parents=True)
            write_files(submitted, files)
            log = io.StringIO()
            handler = logging.StreamHandler(log)
            handler.setFormatter(logging.Formatter("[%(name)s | %(levelname)s] %(message)s"))
            self.app.log.addHandler(handler)
            started = time.monotonic()
            status, detail = "graded", ""
            try:
                self.app.coursedir.student_id = student
                converter = Autograde(coursedir=self.app.coursedir, parent=self.app)
                converter.force = True  # a fresh folder: a rerun after a lost worker is clean
                converter.start()
            except NbGraderException:
                status, detail = "failed", "see the log above"
            finally:
                self.app.log.removeHandler(handler)
            result = {
                "student": student,
                "status": status,
                "detail": detail,
                "seconds": time.monotonic() - started,
                "files": read_files(autograded) if autograded.is_dir() else {},
                "log": log.getvalue(),
                "timings": timings.drain(),
                "worker": self.address,
            }
            for folder in (submitted.parent, autograded.parent):
                shutil.rmtree(folder, ignore_errors=True)
            return result


def grade_student(student: str, files: dict, resource: str) -> dict:
    """The Dask task: grade ``student`` on this worker's :class:`GradingWorker`."""
    plugin = get_worker().plugins.get(PLUGIN_NAME)
    if plugin is None or getattr(plugin, "resource", None) != resource or plugin.refusal:
        reason = getattr(plugin, "refusal", None) or "it is not set up for this course version"
        raise Refusal(f"worker {get_worker().address} cannot grade {student}: {reason}")
    return plugin.grade(student, files)


def worker_state(dask_worker) -> dict:
    """For ``Client.run``: this worker's :meth:`GradingWorker.state` and the keys it runs."""
    plugin = dask_worker.plugins.get(PLUGIN_NAME)
    if plugin is None or not hasattr(plugin, "confinement"):
        state = {"ready": False, "refusal": None, "confinement": ""}  # still setting up
    else:
        state = plugin.state()
    # What it is running now, not what waits in its queue: a student lost with this worker.
    state["executing"] = [task.key for task in dask_worker.state.executing]
    return state
