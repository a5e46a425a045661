"""Grade a class on a Dask cluster: ``multiannotator-autograde --scheduler tcp://HOST:PORT``.

The instructor's side of :mod:`labgrader.fleet.worker`. No filesystem is shared: each task
carries one student's submitted files to a worker, which grades them in a private course
folder built from its own checkout, writes the grades into the shared gradebook
(PostgreSQL), and sends the autograded files back; they are written here into
``autograded/``. Workers may come and go: a student whose worker dies is graded again on
another one by Dask (nbgrader's ``--force`` makes the rerun clean), and reported with the
reason if that happens twice. The progress line and ``reports/autograde.log`` are those of
grading on one machine; Dask's dashboard address is printed first.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
import uuid
from pathlib import Path

from distributed import Client, KilledWorker, wait
from nbgrader.utils import parse_utc

from labgrader.autograde import timings
from labgrader.autograde.failures import record_failed_submission
from labgrader.course.config import course_db_url
from labgrader.course.version import course_version
from labgrader.fleet.outcome import ATTEMPTS, Outcome, print_progress
from labgrader.fleet.worker import (
    PLUGIN_NAME,
    GradingWorker,
    grade_student,
    gradebook_identity,
    read_files,
    worker_state,
    write_files,
)

POLL_SECONDS = 1.0


def needs_grading(course_root: Path, student: str, assignment: str) -> bool:
    """Whether nbgrader, without ``--force``, would grade this submission (again)."""
    autograded = course_root / "autograded" / student / assignment
    if not autograded.is_dir():
        return True
    submitted = _timestamp(course_root / "submitted" / student / assignment)
    graded = _timestamp(autograded)
    return submitted is not None and graded is not None and submitted > graded


def _timestamp(folder: Path):
    path = folder / "timestamp.txt"
    return parse_utc(path.read_text().strip()) if path.is_file() else None


def _allowed_failures(client, count: int | None = None) -> int:
    """The scheduler's ``allowed_failures`` (dead workers a task survives), set to ``count``.

    The function is sent by value: the scheduler's machine need not have the grader.
    """

    def swap(dask_scheduler=None):
        previous = dask_scheduler.allowed_failures
        if count is not None:
            dask_scheduler.allowed_failures = count
        return previous

    return client.run_on_scheduler(swap)


class ClusterGrader:
    """Hands a class to a Dask cluster and writes back what it grades.

    Parameters
    ----------
    course_root : Path
        The instructor's course: ``submitted/`` is read, ``autograded/`` and ``reports/``
        are written, nothing else is needed from it on the workers.
    assignment : str
    scheduler : str
        The scheduler's address, ``tcp://HOST:PORT``.
    options : list of str
        nbgrader options passed to every worker.
    stream : file
        Where the progress line and the messages go.
    wait_for_workers : float
        Seconds to wait for a first worker that accepts the course.
    """

    def __init__(self, course_root, assignment, scheduler, options=(), stream=sys.stderr,
                 wait_for_workers=120.0):  # fmt: skip
        self.course_root, self.assignment = Path(course_root), assignment
        self.scheduler, self.options, self.stream = scheduler, list(options), stream
        self.wait_for_workers = wait_for_workers
        self.log = self.course_root / "reports" / "autograde.log"

    def run(self, students: list[str], force: bool = False) -> list[Outcome]:
        outcomes: dict[str, Outcome] = {}
        to_grade = [
            s for s in students if force or needs_grading(self.course_root, s, self.assignment)
        ]
        for student in set(students) - set(to_grade):
            outcomes[student] = Outcome(
                student, "graded", 0.0, "already autograded (--force regrades)"
            )
        self.log.parent.mkdir(parents=True, exist_ok=True)
        version = course_version(self.course_root)
        gradebook = gradebook_identity(course_db_url(self.course_root))
        self._started = time.monotonic()
        with Client(self.scheduler, timeout=60) as client:
            print(f"Dask dashboard: {client.dashboard_link}", file=self.stream, flush=True)
            plugin = GradingWorker(version, gradebook, self.assignment, self.options)
            client.register_plugin(plugin, name=PLUGIN_NAME)
            previous = _allowed_failures(client, ATTEMPTS - 1)
            try:
                self._told: dict[str, str] = {}
                self._lost: set = set()
                self._grade(client, plugin.resource, to_grade, outcomes, len(students))
            finally:
                _allowed_failures(client, previous)
        print_progress(self.stream, outcomes, len(students), self._started, final=True)
        return [outcomes[s] for s in students]

    def _grade(self, client, resource, students, outcomes, total) -> None:
        pending, running = list(students), {}  # running: future -> student
        attempts = dict.fromkeys(students, 1)
        deadline = time.monotonic() + self.wait_for_workers
        executing: dict = {}  # worker -> keys it ran at the last look
        while pending or running:
            states = client.run(worker_state, on_error="ignore")  # a worker just gone: skipped
            accepted = self._accepted(states)
            executing = self._note_lost_workers(states, executing, running, attempts)
            if not accepted and not running and time.monotonic() > deadline:
                self._give_up(pending, outcomes)
                break
            # One student per worker at a time: one waiting in a worker's queue would be
            # counted by Dask as lost, too, if that worker died.
            while pending and accepted and len(running) < len(accepted):
                student = pending.pop(0)
                files = read_files(self.course_root / "submitted" / student / self.assignment)
                future = client.submit(
                    grade_student, student, files, resource,
                    key=f"autograde-{student}-{uuid.uuid4().hex[:8]}",
                    resources={resource: 1}, retries=ATTEMPTS - 1, pure=False,
                )  # fmt: skip
                running[future] = student
            done = set()
            try:
                if running:
                    done = wait(list(running), POLL_SECONDS, return_when="FIRST_COMPLETED").done
                else:
                    time.sleep(POLL_SECONDS)
            except TimeoutError:
                pass
            for future in done:
                student = running.pop(future)
                outcomes[student] = self._collect(future, student, attempts[student])
            if done:
                print_progress(self.stream, outcomes, total, self._started)

    def _accepted(self, states: dict) -> list[str]:
        """Workers set up for this course; say once why each other one refuses."""
        for address, state in states.items():
            said = self._told.get(address)
            if state["refusal"] and said != "refused":
                self._told[address] = "refused"
                print(f"\nworker {address} refuses: {state['refusal']}", file=self.stream)
            elif state["ready"] and not state["refusal"] and said != "ready":
                self._told[address] = "ready"
                if state["confinement"] != "sandboxed":
                    print(f"\nworker {address}: STUDENT CODE IS {state['confinement'].upper()}",
                          file=self.stream)  # fmt: skip
        return [a for a, s in states.items() if s["ready"] and not s["refusal"]]

    def _note_lost_workers(self, states: dict, before: dict, running: dict, attempts: dict) -> dict:
        """Say which students a vanished worker was grading; Dask gives them to another."""
        now = {address: state["executing"] for address, state in states.items()}
        by_key = {future.key: student for future, student in running.items()}
        for address, keys in before.items():
            if address in now:
                continue
            for key in keys:
                if key in by_key and (address, key) not in self._lost:
                    self._lost.add((address, key))  # a worker may drop out of sight twice
                    attempts[by_key[key]] += 1
                    print(f"\nworker {address} left while grading {by_key[key]}: grading it "
                          "again on another worker", file=self.stream)  # fmt: skip
        return now

    def _collect(self, future, student: str, attempts: int) -> Outcome:
        destination = self.course_root / "autograded" / student / self.assignment
        if future.status == "finished":
            result = future.result()
            shutil.rmtree(destination, ignore_errors=True)
            if result["files"]:
                destination.mkdir(parents=True)
                write_files(destination, result["files"])
            self._append_log(f"{student} (graded on {result['worker']})", result["log"])
            self._keep_timings(result["timings"])
            return Outcome(student, result["status"], result["seconds"], result["detail"], attempts)
        error = future.exception()
        if isinstance(error, KilledWorker):
            detail = f"the grading worker died on each of {ATTEMPTS} attempts (last {error.last_worker.address})"
        else:
            detail = (
                f"grading failed on each of {ATTEMPTS} attempts: {type(error).__name__}: {error}"
            )
        self._append_log(student, detail)
        record_failed_submission(destination, detail)
        return Outcome(student, "failed", 0.0, detail, ATTEMPTS)

    def _append_log(self, title: str, text: str) -> None:
        with self.log.open("a") as handle:
            handle.write(f"--- {title}\n{text}" + ("" if text.endswith("\n") else "\n"))

    def _keep_timings(self, entries: list) -> None:
        path = os.environ.get(timings.TIMINGS_FILE_VARIABLE)
        if path and entries:
            timings.append_to_file(entries, path)

    def _give_up(self, pending: list, outcomes: dict) -> None:
        detail = (
            f"no worker of {self.scheduler} accepted the course within {self.wait_for_workers:.0f} s"
            " (see the refusals above), so this student was not graded"
        )
        print(f"\n{detail}", file=self.stream)
        for student in pending:
            outcomes[student] = Outcome(student, "failed", 0.0, detail)
        pending.clear()
