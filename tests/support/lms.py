"""Builders for the LMS tests: a graded sample course, a grader's work on it, LMS files read
back as each LMS reads them."""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS

GOLDEN = Path(__file__).resolve().parents[1] / "reporting" / "golden"
CANVAS_EXPORT = GOLDEN / "canvas-gradebook-export.csv"
CANVAS_SEMICOLON = GOLDEN / "canvas-gradebook-export-semicolon.csv"
MOODLE_WORKSHEET = GOLDEN / "moodle-grading-worksheet.csv"
IDS = GOLDEN / "lms-ids.csv"
WRITTEN = {NOTEBOOKS[0]: "explain_tie_break", NOTEBOOKS[1]: "explain_pred_probs"}


def db_url(root: Path) -> str:
    return f"sqlite:///{root / 'gradebook.db'}"


def grade_by_hand(root: Path, student: str, notebook: str, cell: str, points=None, extra=None):
    """What the Formgrader does when a grader scores a cell (``points`` ``None``: ungraded)."""
    with Gradebook(db_url(root)) as gradebook:
        grade = gradebook.find_grade(cell, notebook, ASSIGNMENT, student)
        grade.manual_score = points
        grade.extra_credit = extra
        grade.needs_manual_grade = points is None and grade.auto_score is None
        gradebook.db.commit()


def student_record(root: Path, student: str) -> dict:
    with Gradebook(db_url(root)) as gradebook:
        found = gradebook.find_student(student)
        return {k: getattr(found, k) for k in ("first_name", "last_name", "email", "lms_user_id")}


def read_as_canvas(path: Path, delimiter: str = ",") -> list[list[str]]:
    """The file as Canvas reads a CSV: UTF-8 (a byte-order mark allowed), quoted with ``"``."""
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=delimiter))


def read_as_moodle(path: Path) -> list[list[str]]:
    """The file as Moodle's worksheet upload reads it: UTF-8, 'comma' separated."""
    with Path(path).open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter=","))


def changed_cells(before: list, after: list) -> dict:
    """``{(row, column name): (before, after)}`` for every cell that differs (same shape asserted)."""
    assert after[0] == before[0], "the header changed"
    assert len(after) == len(before), "rows were added or lost"
    return {
        (index, before[0][column]): (old[column], new[column])
        for index, (old, new) in enumerate(zip(before, after, strict=True))
        for column in range(len(before[0]))
        if old[column] != new[column]
    }
