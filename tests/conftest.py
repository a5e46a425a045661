"""Shared test builders: the lab's data, a throwaway nbgrader course, nbgrader commands."""

from __future__ import annotations

import json
import time
from pathlib import Path

import nbformat
import pytest

from helpers.checks import answer_record
from helpers.data import load_lab_data
from labgrader.course import BIN_DIR, REPO_ROOT, nbgrader_env, new_course, run_nbgrader  # noqa: F401
from labgrader.reference import lab_reference
from labgrader.report import gradebook_snapshot  # noqa: F401
from labgrader.submissions import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers

SOURCE_DIR = REPO_ROOT / "source" / ASSIGNMENT
RELEASE_DIR = REPO_ROOT / "release" / ASSIGNMENT


@pytest.fixture(scope="session")
def lab():
    return load_lab_data()


@pytest.fixture(scope="session")
def reference():
    return lab_reference()


@pytest.fixture(scope="session")
def generated_course(tmp_path_factory) -> Path:
    """One course with a fresh release, shared by tests that only read it."""
    return new_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def solutions() -> dict:
    """Instructor answers by notebook, then by answer cell ``grade_id``."""
    return {nb: solution_answers(read_notebook(SOURCE_DIR / f"{nb}.ipynb")) for nb in NOTEBOOKS}


@pytest.fixture(scope="session")
def release_notebooks() -> dict:
    return {nb: read_notebook(RELEASE_DIR / f"{nb}.ipynb") for nb in NOTEBOOKS}


def annotations(*rows):
    """A small Int64 annotation frame; None is a missing label."""
    import pandas as pd

    columns = [f"A{i:04d}" for i in range(1, len(rows[0]) + 1)]
    return pd.DataFrame(list(rows), columns=columns).astype("Int64")


def recorded_payload(part: str, *values) -> dict:
    """What the test cell of ``part`` publishes for these answers, through JSON as in a notebook."""
    return json.loads(json.dumps(answer_record(part, *values)))


def gradebook_scores(course_root: Path, student: str) -> dict:
    """``{(notebook, grade_id): (score, needs_manual_grade)}`` from the course's gradebook."""
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course_root / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {
            (notebook.name, grade.name): (grade.score, grade.needs_manual_grade)
            for notebook in submission.notebooks
            for grade in notebook.grades
        }


def graded_parts() -> dict:
    """``{part: (notebook, points)}`` of every autograded part, as the source notebooks define them."""
    parts = {}
    for name in NOTEBOOKS:
        for cell in read_notebook(SOURCE_DIR / f"{name}.ipynb").cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade") and cell.cell_type == "code":
                parts[meta["grade_id"].removeprefix("test_")] = (name, meta["points"])
    return parts


def expected_points(lost=()) -> dict:
    """``{(notebook, grade_id): points}`` of the autograded parts when the ``lost`` parts score 0."""
    return {
        (nb, f"test_{part}"): 0 if part in lost else points
        for part, (nb, points) in graded_parts().items()
    }


# The sample class of the README's main job (labgrader.sample_class).
MANUAL = {(NOTEBOOKS[0], "explain_tie_break"), (NOTEBOOKS[1], "explain_pred_probs")}
FULL = expected_points()
PARTIAL = expected_points(lost=("worst_annotators_majority_vote", "tie_breaker", "crowdlab_labels"))


# The configured per-cell timeout is 60 s; the cohort's two looping students need not wait that long.
COHORT_CELL_TIMEOUT = 15
AUTOGRADE_OUTPUT = "autograde-output.txt"  # what nbgrader printed, kept beside the graded cohort


@pytest.fixture(scope="session")
def sequential_cohort(tmp_path_factory) -> Path:
    """The synthetic class of tests/cohort.py, graded by one plain ``nbgrader autograde`` run
    with ordinary kernels: the baseline every faster way of grading must reproduce."""
    from tests.cohort import STUDENTS, write_cohort

    root = new_course(tmp_path_factory.mktemp("cohort"))
    write_cohort(root)
    started = time.monotonic()
    graded = run_nbgrader(
        root,
        "autograde",
        ASSIGNMENT,
        f"--Execute.timeout={COHORT_CELL_TIMEOUT}",
        "--GradingExecute.warm_kernels=False",
    )
    seconds = time.monotonic() - started
    (root / AUTOGRADE_OUTPUT).write_text(graded.stdout + graded.stderr)
    print(f"\nsequential nbgrader autograde of {len(STUDENTS)} students: {seconds:.0f} s")
    return root


@pytest.fixture(scope="session")
def student_environment(tmp_path_factory) -> Path:
    """The student environment, built as ``make student-env`` builds it, in a folder of its own."""
    import subprocess

    venv = tmp_path_factory.mktemp("student-env") / "venv"
    built = subprocess.run(
        ["make", "--no-print-directory", "student-env", f"STUDENT_VENV={venv}"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    return venv


def write_notebook(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
