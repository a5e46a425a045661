"""Autograde a whole class on every core of this machine (``multiannotator-autograde``'s default).

nbgrader grades one submission after another (its issue #174). :class:`Grader`
starts N long-lived worker processes (default: one per core); each runs
nbgrader's own ``Autograde`` converter, configured by the course's
``nbgrader_config.py``, on one student at a time, so the gradebook ends up as a
sequential ``nbgrader autograde`` would leave it. Each worker keeps its own warm
fork server (:mod:`labgrader.kernels.warm`) for its whole life.

A worker that dies (killed, out of memory, or killed by a student's code) loses
nobody: the student it was grading is graded again by a fresh worker, and
reported as failed if that worker dies too. A progress line shows students
graded, failed and left.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import queue
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from labgrader.autograde.failures import record_failed_submission
from labgrader.course.config import course_config
from labgrader.fleet.outcome import ATTEMPTS, Outcome, print_progress
from labgrader.kernels.warm import ForkServer

START_FAILURES = 3
"""Workers in a row that die before they are ready: then the run stops instead of respawning forever."""


def find_students(course_root: Path, assignment: str) -> list[str]:
    """Students with a submission folder for ``assignment``, as ``nbgrader autograde`` finds them."""
    submitted = Path(course_root) / "submitted"
    return sorted(p.parent.name for p in submitted.glob(f"*/{assignment}") if p.is_dir())


def _wants_warm_kernels(course_root: Path, options: list) -> bool:
    """Whether the course grades with warm kernels; ``False`` if its configuration cannot be
    read here (nbgrader then reports why, and the fork server starts on first use if at all)."""
    try:
        config = course_config(course_root, options)
    except Exception:
        return False
    return config.get("GradingExecute", {}).get("warm_kernels", True)


def _worker(course_root: str, assignment: str, options: list, log: str, tasks, results) -> None:
    """Grade the students sent on ``tasks`` until told to stop (``None``)."""
    os.chdir(course_root)
    # Everything the worker and its kernels print goes to the log, not over the progress line.
    descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(descriptor, 1)
    os.dup2(descriptor, 2)
    if _wants_warm_kernels(Path(course_root), options):
        ForkServer.start_early()  # it imports the stack while this process imports nbgrader
    # Imported here, after the fork server started, not at the top: nbgrader takes more than a
    # second to import, and that second overlaps the server's own imports.
    from nbgrader.apps import AutogradeApp
    from nbgrader.converters import Autograde
    from nbgrader.converters.base import NbGraderException

    from labgrader.sandbox.readiness import adopt

    app = AutogradeApp.instance()
    app.initialize([assignment, *options])
    app.coursedir.assignment_id = assignment
    results.put(("ready", os.getpid(), None, 0.0, ""))
    while (task := tasks.get()) is not None:
        student, force, sandbox = task
        if sandbox:
            adopt(sandbox["answer"])
        started = time.monotonic()
        app.coursedir.student_id = student
        try:
            converter = Autograde(coursedir=app.coursedir, parent=app)
            converter.force = converter.force or force
            converter.start()
            results.put(("graded", os.getpid(), student, time.monotonic() - started, ""))
        except NbGraderException:
            results.put(
                ("failed", os.getpid(), student, time.monotonic() - started, "see the log above")
            )
        except Exception as error:  # report, and keep the worker for the next student
            results.put(("failed", os.getpid(), student, time.monotonic() - started, repr(error)))
    results.close()
    results.join_thread()  # every result is sent
    leave(0)


def leave(code: int):
    """End this process now, without the interpreter's teardown of nbgrader's and the stack's
    modules (about a second, which the instructor would wait for): the exit handlers still run
    (the fork server stops, logs are flushed)."""
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


@dataclass
class _Worker:
    process: multiprocessing.Process
    tasks: object
    student: str | None = None
    ready: bool = False


@dataclass
class Grader:
    """The coordinator: hands students to workers, replaces dead ones, reports progress."""

    course_root: Path
    assignment: str
    workers: int
    options: list = field(default_factory=list)
    stream: object = sys.stderr
    preflight: Callable[[], str | None] | None = None
    """Checks the sandbox once, while the workers start, and returns what it found (as
    :func:`check_the_sandbox`), which the workers then take instead of each probing again.
    May raise ``SystemExit``: then the workers are stopped and no student is graded."""

    @property
    def log(self) -> Path:
        """Where the workers' nbgrader logs go."""
        return self.course_root / "reports" / "autograde.log"

    def run(self, students: list[str]) -> list[Outcome]:
        context = multiprocessing.get_context("spawn")  # never fork a process with threads
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self._results = context.Queue()
        self._context = context
        pending = list(students)
        attempts = dict.fromkeys(students, 0)
        outcomes: dict[str, Outcome] = {}
        pool: dict[int, _Worker] = {}
        self._started = time.monotonic()
        self._start_failures = 0
        for _ in range(min(self.workers, len(students))):
            self._start_worker(pool)
        sandbox = self._check_the_sandbox(pool)
        while len(outcomes) < len(students):
            self._replace_dead(pool, pending, attempts, outcomes)
            for worker in pool.values():
                if worker.ready and worker.student is None and pending:
                    worker.student = pending.pop(0)
                    attempts[worker.student] += 1
                    # A retry must regrade: the dead worker may have left a partial autograded folder.
                    worker.tasks.put((worker.student, attempts[worker.student] > 1, sandbox))
            try:
                kind, pid, student, seconds, detail = self._results.get(timeout=0.5)
            except queue.Empty:
                continue
            worker = pool.get(pid)
            if kind == "ready" and worker:
                worker.ready = True
                self._start_failures = 0
            elif worker and student == worker.student:
                worker.student = None
                outcomes[student] = Outcome(student, kind, seconds, detail, attempts[student])
            self._progress(outcomes, len(students))
        for worker in pool.values():
            worker.tasks.put(None)
        for worker in pool.values():
            worker.process.join(timeout=60)
        self._progress(outcomes, len(students), final=True)
        return [outcomes[s] for s in students]

    def _check_the_sandbox(self, pool) -> dict:
        """Run the preflight while the workers import; ``{"answer": ...}``, or ``{}`` if none."""
        if self.preflight is None:
            return {}
        try:
            return {"answer": self.preflight()}
        except BaseException:
            for worker in pool.values():
                worker.process.terminate()
            for worker in pool.values():
                worker.process.join(timeout=10)
            raise

    def _start_worker(self, pool) -> None:
        tasks = self._context.Queue()
        process = self._context.Process(
            target=_worker,
            args=(
                str(self.course_root),
                self.assignment,
                self.options,
                str(self.log),
                tasks,
                self._results,
            ),
            daemon=False,
        )
        process.start()
        pool[process.pid] = _Worker(process, tasks)

    def _replace_dead(self, pool, pending, attempts, outcomes) -> None:
        for pid, worker in list(pool.items()):
            if worker.process.is_alive():
                continue
            del pool[pid]
            if not worker.ready:
                self._start_failures += 1
                self._last_exit = worker.process.exitcode
            lost = worker.student
            if lost is not None:
                code = worker.process.exitcode
                if attempts[lost] < ATTEMPTS:
                    print(
                        f"\nworker {pid} died (exit {code}) grading {lost}: grading it again",
                        file=self.stream,
                    )
                    pending.insert(0, lost)
                else:
                    detail = f"the grading process died (exit {code}) on each of {attempts[lost]} attempts"
                    record_failed_submission(
                        self.course_root / "autograded" / lost / self.assignment, detail
                    )
                    outcomes[lost] = Outcome(lost, "failed", 0.0, detail, attempts[lost])
            if self._start_failures < START_FAILURES and (
                pending or any(w.student for w in pool.values())
            ):
                self._start_worker(pool)
        if not pool and pending:
            self._give_up(pending, outcomes)

    def _give_up(self, pending, outcomes) -> None:
        """No worker could start: report every student left, with the reason."""
        detail = (
            f"{self._start_failures} grading workers in a row died while starting "
            f"(last exit {self._last_exit}), so this student was not graded: see {self.log}"
        )
        print(f"\n{detail}", file=self.stream)
        for student in pending:
            outcomes[student] = Outcome(student, "failed", 0.0, detail)
        pending.clear()

    def _progress(self, outcomes, total, final=False) -> None:
        print_progress(self.stream, outcomes, total, self._started, final)


def check_the_sandbox(course_root: Path, options: list) -> str | None:
    """Before any student is graded: stop if the sandbox should work and does not (as nbgrader
    would before its first student), or say once that student code runs unconfined.

    Returns why student code runs unconfined, or ``None`` if it is sandboxed.
    """
    # Imported when called, while the workers start: it imports nbgrader (more than a second).
    from labgrader.autograde.execute import GradingExecute

    executor = GradingExecute(config=course_config(course_root, options))
    executor.log = logging.getLogger("multiannotator-autograde")
    if not executor.log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        executor.log.addHandler(handler)
    return executor.preflight()
