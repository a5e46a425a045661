"""Grading the cohort on a real Dask cluster, with no shared filesystem and a worker killed.

A ``dask scheduler`` and three ``dask worker`` processes run on loopback. Each worker runs
as a user of its own, in a mount namespace of its own (``unshare --mount``) in which the
instructor's course folder and the other workers' folders are hidden under an empty tmpfs,
and has its own copy of the course: two are at the instructor's version, one has another
``nbgrader_config.py`` (a worker on another commit). Not being root, the workers sandbox
each student in a user namespace, as grading from a hub's grading account does. The
gradebook is a real PostgreSQL server. The instructor runs ``multiannotator-autograde
--scheduler ...`` on the 43-student cohort; once a few students are graded, one worker
process is killed with SIGKILL (its nanny starts a new one). The gradebook must equal a
sequential ``nbgrader autograde`` field by field, and every student must be graded exactly
once.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from labgrader.autograde.failures import STATE_KEY
from labgrader.course.assignment import ASSIGNMENT
from labgrader.course.config import BIN_DIR, REPO_ROOT, nbgrader_env
from labgrader.fleet.cluster import POLL_SECONDS
from labgrader.fleet.worker import worker_state
from labgrader.reporting.report import NOT_GRADABLE, grade_report, gradebook_snapshot
from labgrader.sample.cohort import STUDENTS, killer_class, write_cohort
from tests.support.builders import COHORT_CELL_TIMEOUT, FULL, MANUAL
from tests.support.dask_cluster import (
    COURSE_FILES,
    LocalCluster,
    start_logged,
    stop,
    why_workers_cannot_be_isolated,
)
from tests.support.postgres import running_postgres, why_no_postgres

pytestmark = pytest.mark.slow

WORKERS = ("worker-a", "worker-b")
OLD_WORKER = "worker-old"
KILL_AFTER = 6  # students graded before a worker is killed
GRADING_TIMEOUT = 1500


def _instructor_course(root: Path, db_url: str) -> Path:
    root.mkdir(parents=True)
    for name in COURSE_FILES:
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    write_cohort(root)
    made = subprocess.run(
        [str(BIN_DIR / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"],
        cwd=root,
        env=nbgrader_env({"MULTIANNOTATOR_DB_URL": db_url}),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return root


def _another_commit(name: str, course: Path) -> None:
    if name == OLD_WORKER:
        with (course / "nbgrader_config.py").open("a") as config:
            config.write("\n# a setting changed in a later commit\n")


@pytest.fixture(scope="module")
def dask_run(tmp_path_factory):
    why_not = why_no_postgres() or why_workers_cannot_be_isolated()
    if why_not:
        pytest.skip(why_not)
    from distributed import Client

    base = tmp_path_factory.mktemp("dask")
    with running_postgres() as postgres:
        instructor = _instructor_course(base / "instructor", postgres.url)
        everyone = (*WORKERS, OLD_WORKER)
        cluster = LocalCluster(
            base, instructor, postgres.url, everyone, edit=_another_commit, isolated=True
        )
        try:
            with Client(cluster.address, timeout=120) as client:
                client.wait_for_workers(3, timeout=180)
                names = {w["name"]: a for a, w in client.scheduler_info()["workers"].items()}
                seen_by_workers = client.run(_what_this_process_sees, str(instructor))
                output = base / "autograde.txt"
                began = time.monotonic()
                run = start_logged(
                    [str(BIN_DIR / "multiannotator-autograde"), "--scheduler", cluster.address,
                     "--timeout", str(COHORT_CELL_TIMEOUT)],
                    output, cwd=instructor, env=nbgrader_env({"MULTIANNOTATOR_DB_URL": postgres.url}),
                )  # fmt: skip
                try:
                    killed = _kill_a_worker_mid_run(client, names[WORKERS[0]], run, output)
                    run.wait(timeout=GRADING_TIMEOUT)
                finally:
                    stop(run)
                print(
                    f"\n{len(STUDENTS)} students graded on Dask in {time.monotonic() - began:.0f} s"
                )
            result = {
                "instructor": instructor,
                "returncode": run.returncode,
                "output": output.read_text(),
                "log": (instructor / "reports" / "autograde.log").read_text(),
                "gradebook": gradebook_snapshot(postgres.url),
                "workers": names,
                "seen_by_workers": seen_by_workers,
                "users": cluster.users,
                "killed": killed,
            }
        finally:
            cluster.stop()
        result["worker_logs"] = {name: cluster.log(name) for name in cluster.processes}
    yield result


def _what_this_process_sees(folder: str) -> dict:
    """Run on each worker: who it is, and what it finds at ``folder``."""
    import os

    mounted = {}
    with open("/proc/self/mountinfo") as mountinfo:
        for line in mountinfo:
            fields, _, after = line.partition(" - ")
            mounted[fields.split()[4]] = after.split()[0]
    try:
        listing = os.listdir(folder)
    except PermissionError:
        listing = "permission denied"
    return {"uid": os.getuid(), "mounted as": mounted.get(folder), "listing": listing}


# Sent to the workers by value: they have the grader installed, not this test module.
_what_this_process_sees.__module__ = "__main__"


def _kill_a_worker_mid_run(client, address: str, run: subprocess.Popen, output: Path) -> int:
    """SIGKILL the worker process at ``address`` in the middle of a student, once KILL_AFTER
    students are graded: when it has run the same task for a while (so that the instructor's
    side, which looks every second, has seen what it was grading)."""
    deadline = time.monotonic() + GRADING_TIMEOUT
    running_since: dict = {}  # key -> when first seen running
    while run.poll() is None and time.monotonic() < deadline:
        graded = re.findall(r"graded (\d+), failed", output.read_text())
        if graded and int(graded[-1]) >= KILL_AFTER:
            executing = client.run(worker_state, workers=[address])[address]["executing"]
            now = time.monotonic()
            running_since = {key: running_since.get(key, now) for key in executing}
            if any(now - since >= 2 * POLL_SECONDS for since in running_since.values()):
                pid = client.run(os.getpid, workers=[address])[address]
                os.kill(pid, signal.SIGKILL)
                return pid
        time.sleep(0.25)
    raise AssertionError(f"the run ended before {KILL_AFTER} students were graded")


def test_the_whole_cohort_is_graded_and_the_dashboard_is_named(dask_run):
    assert dask_run["returncode"] == 0, dask_run["output"][-4000:] + str(dask_run["worker_logs"])
    assert f"graded {len(STUDENTS)}, failed 0, left 0" in dask_run["output"]
    assert re.search(r"Dask dashboard: http://127\.0\.0\.1:\d+/status", dask_run["output"])
    assert "STUDENT CODE IS" not in dask_run["output"]  # every worker sandboxes


def test_no_worker_could_see_the_instructors_course(dask_run):
    # Each worker, asked before grading began, finds an empty tmpfs where the course is.
    seen = dask_run["seen_by_workers"]
    assert len(seen) == 3, seen
    for state in seen.values():
        assert state["mounted as"] == "tmpfs" and state["listing"] in ([], "permission denied")
    assert (dask_run["instructor"] / "submitted").is_dir()  # while the instructor sees it


def test_each_worker_is_a_user_of_its_own_and_sandboxes_in_a_user_namespace(dask_run):
    by_address = {address: state["uid"] for address, state in dask_run["seen_by_workers"].items()}
    names = {address: name for name, address in dask_run["workers"].items()}
    assert {names[a]: uid for a, uid in by_address.items()} == dask_run["users"]
    assert 0 not in by_address.values() and len(set(by_address.values())) == 3
    notebook = (
        dask_run["instructor"] / "autograded" / STUDENTS[0].name / ASSIGNMENT
        / "exercise1_majority_vote.ipynb"
    )  # fmt: skip
    recorded = json.loads(notebook.read_text())["metadata"][STATE_KEY]["confinement"]
    assert recorded == "sandboxed in a user namespace"


def test_the_gradebook_equals_a_sequential_run_field_by_field(dask_run, sequential_cohort):
    sequential = gradebook_snapshot(f"sqlite:///{sequential_cohort / 'gradebook.db'}")
    on_dask = dask_run["gradebook"]
    assert len(on_dask) == len(sequential) == 24 * len(STUDENTS) - 7
    differing = {
        key: (sequential.get(key), on_dask.get(key))
        for key in sequential.keys() | on_dask.keys()
        if sequential.get(key) != on_dask.get(key)
    }
    assert not differing


def test_every_student_is_graded_once_and_written_back(dask_run, sequential_cohort):
    graded = re.findall(r"^--- (\S+) \(graded on (tcp://\S+)\)$", dask_run["log"], re.M)
    assert sorted(student for student, _ in graded) == sorted(s.name for s in STUDENTS)
    for student in STUDENTS:
        written = dask_run["instructor"] / "autograded" / student.name / ASSIGNMENT
        expected = sequential_cohort / "autograded" / student.name / ASSIGNMENT
        assert sorted(p.name for p in written.iterdir()) == sorted(
            p.name for p in expected.iterdir()
        ), student.name


def test_the_killed_workers_student_was_graded_again_elsewhere(dask_run):
    lost = re.findall(
        r"worker (tcp://\S+) left while grading (\S+): grading it again", dask_run["output"]
    )
    assert lost, dask_run["output"][-3000:]
    address, student = lost[0]
    assert address == dask_run["workers"][WORKERS[0]]
    graded_on = dict(re.findall(r"^--- (\S+) \(graded on (tcp://\S+)\)$", dask_run["log"], re.M))
    assert graded_on[student] != address


def test_a_worker_on_another_commit_refuses_with_the_reason_and_grades_nobody(dask_run):
    old = dask_run["workers"][OLD_WORKER]
    refusal = re.search(rf"worker {re.escape(old)} refuses: (.*)", dask_run["output"])
    assert refusal, dask_run["output"][-3000:]
    assert "is not the instructor's" in refusal[1] and "nbgrader_config.py changed" in refusal[1]
    assert f"(graded on {old})" not in dask_run["log"]


@pytest.fixture(scope="module")
def killer_run(tmp_path_factory):
    """A student whose code kills the worker grading it, on two plain workers, unsandboxed.

    With ordinary kernels and no sandbox, a kernel's parent is the Dask worker process.
    """
    why_not = why_no_postgres()
    if why_not:
        pytest.skip(why_not)
    from distributed import Client

    base = tmp_path_factory.mktemp("dask-killer")
    with running_postgres() as postgres:
        course = base / "instructor"
        course.mkdir()
        for name in COURSE_FILES:
            source = REPO_ROOT / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, course / name)
        write_cohort(course, killer_class())
        env = nbgrader_env({"MULTIANNOTATOR_DB_URL": postgres.url})
        made = subprocess.run(
            [str(BIN_DIR / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"],
            cwd=course, env=env, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert made.returncode == 0, made.stdout + made.stderr
        cluster = LocalCluster(base, course, postgres.url, WORKERS)
        try:
            with Client(cluster.address, timeout=120) as client:
                client.wait_for_workers(2, timeout=180)
            run = subprocess.run(
                [str(BIN_DIR / "multiannotator-autograde"), "--scheduler", cluster.address,
                 "--no-warm", "--no-sandbox"],
                cwd=course, env=env, capture_output=True, text=True, timeout=GRADING_TIMEOUT,
            )  # fmt: skip
            os.environ["MULTIANNOTATOR_DB_URL"] = postgres.url  # the report reads the gradebook
            try:
                rows = [row for row in grade_report(course) if row.student == "kills_its_grader"]
            finally:
                del os.environ["MULTIANNOTATOR_DB_URL"]
            scores = {
                student: {
                    key: score
                    for key, score in gradebook_snapshot(postgres.url).items()
                    if key[0] == student and key[3] == "grade"
                }
                for student in ("instructor_solution", "answers_as_lists")
            }
        finally:
            cluster.stop()
    return run, rows, scores


def test_a_student_whose_task_fails_twice_is_reported_with_the_reason(killer_run):
    run, rows, scores = killer_run
    assert run.returncode == 1, run.stderr[-3000:]
    assert "left while grading kills_its_grader: grading it again" in run.stderr
    assert (
        "FAILED kills_its_grader after 2 attempt(s): the grading worker died on each of 2 attempts"
        in run.stderr
    )
    assert "graded 2, failed 1, left 0" in run.stderr
    assert "STUDENT CODE IS NOT SANDBOXED: SWITCHED OFF" in run.stderr
    assert [row.status for row in rows] == [NOT_GRADABLE, NOT_GRADABLE]
    assert all("the grading worker died on each of 2 attempts" in row.reason for row in rows)
    for student, grades in scores.items():  # the others lose nothing
        autograded = {
            (notebook, cell): auto for (_, notebook, cell, _), (auto, *_) in grades.items()
        }
        assert {k: v for k, v in autograded.items() if k not in MANUAL} == FULL, student
