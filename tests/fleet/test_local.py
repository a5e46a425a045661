"""multiannotator-autograde: every core, warm kernels, the same gradebook, no student lost."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from labgrader.autograde.failures import STATE_KEY
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS
from labgrader.course.config import BIN_DIR, nbgrader_env, new_course
from labgrader.fleet.local import START_FAILURES, Grader, find_students
from labgrader.reporting.report import NOT_GRADABLE, grade_report, gradebook_snapshot
from labgrader.sample.cohort import STUDENTS, killer_class, write_cohort
from tests.support.builders import COHORT_CELL_TIMEOUT, FULL, MANUAL, gradebook_scores

pytestmark = pytest.mark.slow


def autograde(course: Path, *options: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN_DIR / "multiannotator-autograde"), *options],
        cwd=course,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=1800,
    )


@pytest.fixture(scope="module")
def parallel_cohort(tmp_path_factory):
    course = new_course(tmp_path_factory.mktemp("parallel_cohort"))
    write_cohort(course)
    return course, autograde(course, "--workers", "2", "--timeout", str(COHORT_CELL_TIMEOUT))


def test_finds_every_submission(parallel_cohort):
    course, _ = parallel_cohort
    assert find_students(course, ASSIGNMENT) == sorted(s.name for s in STUDENTS)


def test_two_warm_workers_grade_the_whole_cohort(parallel_cohort):
    _, run = parallel_cohort
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"graded {len(STUDENTS)}, failed 0, left 0" in run.stderr


def test_the_gradebook_equals_a_sequential_plain_run_field_by_field(
    parallel_cohort, sequential_cohort
):
    course, _ = parallel_cohort
    parallel = gradebook_snapshot(f"sqlite:///{course / 'gradebook.db'}")
    sequential = gradebook_snapshot(f"sqlite:///{sequential_cohort / 'gradebook.db'}")
    # 9 grades, 8 answer-cell and 7 test-cell comments per student; no test-cell comments where a
    # notebook was never handed in under its name (missing_ex2: 3, renamed_ex1: 4).
    assert len(parallel) == 24 * len(STUDENTS) - 7
    differing = {
        key: (sequential.get(key), parallel.get(key))
        for key in sequential.keys() | parallel.keys()
        if sequential.get(key) != parallel.get(key)
    }
    assert not differing


def test_with_no_option_it_grades_on_this_machine_as_before(tmp_path):
    """No option: this machine's workers, the course's own SQLite gradebook, the sandbox; no Dask."""
    course = new_course(tmp_path / "course")
    survivors = [s for s in STUDENTS if s.name in ("instructor_solution", "answers_as_lists")]
    write_cohort(course, survivors)
    run = autograde(course)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "graded 2, failed 0, left 0" in run.stderr and "Dask" not in run.stderr
    for student in survivors:
        scores = gradebook_scores(course, student.name)  # from course/gradebook.db
        assert {key: score for key, (score, _) in scores.items() if key not in MANUAL} == FULL
        graded = course / "autograded" / student.name / ASSIGNMENT / f"{NOTEBOOKS[0]}.ipynb"
        confinement = json.loads(graded.read_text())["metadata"][STATE_KEY]["confinement"]
        if os.geteuid() == 0:  # root: kernels run as the sandbox user, as they always did
            assert confinement == "sandboxed"


def test_a_worker_that_dies_loses_no_student(tmp_path):
    # Unsandboxed, an ordinary kernel's parent is the worker: this student kills it, twice.
    course = new_course(tmp_path / "course")
    write_cohort(course, killer_class())
    run = autograde(course, "--workers", "2", "--no-warm", "--no-sandbox")
    assert run.returncode == 1
    assert "died (exit -9) grading kills_its_grader: grading it again" in run.stderr
    assert "FAILED kills_its_grader after 2 attempt(s): the grading process died" in run.stderr
    assert "graded 2, failed 1, left 0" in run.stderr
    for survivor in ("instructor_solution", "answers_as_lists"):
        scores = gradebook_scores(course, survivor)
        assert {key: score for key, (score, _) in scores.items() if key not in MANUAL} == FULL
    rows = [r for r in grade_report(course) if r.student == "kills_its_grader"]
    assert [r.status for r in rows] == [NOT_GRADABLE, NOT_GRADABLE]
    assert all("the grading process died (exit -9) on each of 2 attempts" in r.reason for r in rows)


def test_a_student_that_kills_the_fork_server_costs_only_its_notebook(tmp_path):
    # Unsandboxed, a warm kernel's parent is the fork server: it is replaced, grading goes on.
    course = new_course(tmp_path / "course")
    write_cohort(course, killer_class())
    run = autograde(course, "--workers", "1", "--no-sandbox")
    assert run.returncode == 0, run.stderr[-3000:]
    (row,) = [
        r
        for r in grade_report(course)
        if (r.student, r.notebook) == ("kills_its_grader", NOTEBOOKS[0])
    ]
    assert row.status == NOT_GRADABLE and "kernel died" in row.reason
    for survivor in ("instructor_solution", "answers_as_lists"):
        scores = gradebook_scores(course, survivor)
        assert {key: score for key, (score, _) in scores.items() if key not in MANUAL} == FULL


def test_workers_that_cannot_start_end_the_run_with_every_student_reported(tmp_path):
    """Workers dying at start-up are not respawned forever; every student is reported failed."""
    progress = io.StringIO()
    grader = Grader(tmp_path, ASSIGNMENT, workers=2, options=["--no-such-option"], stream=progress)
    outcomes = grader.run(["alice", "bob", "carol"])

    assert [o.status for o in outcomes] == ["failed"] * 3
    started = [
        re.match(r"(\d+) grading workers in a row died while starting", o.detail) for o in outcomes
    ]
    assert all(started), outcomes
    # Two die at once, one replacement dies: at most START_FAILURES + workers - 1 were started.
    assert START_FAILURES <= int(started[0].group(1)) <= START_FAILURES + 1
    assert "graded 0, failed 3, left 0" in progress.getvalue()
    assert "--no-such-option" in (tmp_path / "reports" / "autograde.log").read_text()


def test_workers_grade_by_the_coordinators_sandbox_check_without_probing_again(tmp_path):
    """What the coordinator's one check found is what each worker grades by."""
    course = new_course(tmp_path / "course")
    write_cohort(course, [s for s in STUDENTS if s.name == "instructor_solution"])
    reason = "the coordinator found that this machine cannot sandbox (told so by this test)"
    grader = Grader(course, ASSIGNMENT, workers=1, stream=io.StringIO(), preflight=lambda: reason)

    outcomes = grader.run(["instructor_solution"])

    assert [o.status for o in outcomes] == ["graded"], outcomes
    rows = [r for r in grade_report(course) if r.student == "instructor_solution"]
    # A worker that probed for itself would have found the sandbox working, as root here.
    assert len(rows) == len(NOTEBOOKS) and all(reason in row.notes for row in rows), rows
