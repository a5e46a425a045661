"""Builders the tests share: paths, recorded answers, gradebook reads, the points parts are worth.

Plain functions and constants, imported by test modules; pytest fixtures are in ``conftest.py``.
The classes that tests grade (the sample class, the synthetic cohort) are built by
:mod:`labgrader.sample`, which the benchmarks use too.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import nbformat
import pandas as pd
from nbgrader.api import Gradebook

from helpers.checks import answer_record
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook
from labgrader.course.config import REPO_ROOT

SOURCE_DIR = REPO_ROOT / "source" / ASSIGNMENT
RELEASE_DIR = REPO_ROOT / "release" / ASSIGNMENT

# The configured per-cell timeout is 60 s; the cohort's two looping students need not wait that long.
COHORT_CELL_TIMEOUT = 15
AUTOGRADE_OUTPUT = "autograde-output.txt"  # what nbgrader printed, kept beside the graded cohort


def annotations(*rows):
    """A small Int64 annotation frame; None is a missing label."""
    columns = [f"A{i:04d}" for i in range(1, len(rows[0]) + 1)]
    return pd.DataFrame(list(rows), columns=columns).astype("Int64")


def recorded_payload(part: str, *values) -> dict:
    """What the test cell of ``part`` publishes for these answers, through JSON as in a notebook."""
    return json.loads(json.dumps(answer_record(part, *values)))


def gradebook_scores(course_root: Path, student: str) -> dict:
    """``{(notebook, grade_id): (score, needs_manual_grade)}`` from the course's gradebook."""
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


# The sample class of the README's main job (labgrader.sample.sample_class).
MANUAL = {(NOTEBOOKS[0], "explain_tie_break"), (NOTEBOOKS[1], "explain_pred_probs")}
FULL = expected_points()
PARTIAL = expected_points(lost=("worst_annotators_majority_vote", "tie_breaker", "crowdlab_labels"))


def write_notebook(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def copy_of(course: Path, destination: Path) -> Path:
    """A course folder of one's own to change (its gradebook included), copied from ``course``."""
    shutil.copytree(course, destination, symlinks=True)
    return destination
