"""The lab's grades as the gradebook holds them, and the students' names written into it.

A student's grade is nbgrader's: ``submission.score`` (autograded points, a grader's manual
points and overrides, extra credit), less any late penalty, as ``nbgrader export`` computes
it; per notebook the same. A submission with a cell still waiting for a person
(``needs_manual_grade``) is not ready: it is listed, never sent as a lower grade.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


@dataclass
class LabGrade:
    """One gradebook student's result on the assignment."""

    student: str
    total: float | None = None  # None: nothing submitted
    notebooks: dict = field(default_factory=dict)  # notebook -> points
    waiting: list = field(default_factory=list)  # "notebook/cell" still to be graded by a person

    @property
    def ready(self) -> bool:
        return self.total is not None and not self.waiting

    def describe(self, max_score: float) -> str:
        if self.total is None:
            return "nothing submitted"
        points = f"{self.total:g} / {max_score:g}"
        return f"{points}, waiting for {', '.join(self.waiting)}" if self.waiting else points


def points_of(gradebook: Gradebook, assignment: str) -> dict:
    """The assignment's points: per notebook, and the total under ``None``."""
    found = gradebook.find_assignment(assignment)
    return {None: found.max_score, **{nb.name: nb.max_score for nb in found.notebooks}}


def lab_grades(gradebook: Gradebook, assignment: str) -> dict[str, LabGrade]:
    """Every gradebook student's :class:`LabGrade` on ``assignment``, by student id."""
    grades = {}
    for student in gradebook.students:
        grade = LabGrade(student.id)
        try:
            submission = gradebook.find_submission(assignment, student.id)
        except MissingEntry:
            grades[student.id] = grade
            continue
        penalty = submission.late_submission_penalty or 0.0
        grade.total = max(0.0, submission.score - penalty)
        for notebook in submission.notebooks:
            late = notebook.late_submission_penalty or 0.0
            grade.notebooks[notebook.name] = max(0.0, notebook.score - late)
            grade.waiting += [
                f"{notebook.name}/{cell.name}"
                for cell in notebook.grades
                if cell.needs_manual_grade
            ]
        grades[student.id] = grade
    return grades


def submitted_not_graded(course_root: Path | None, assignment: str, grades: dict) -> list[str]:
    """Students with a folder in ``submitted/`` but no submission in the gradebook."""
    if course_root is None:
        return []
    folder = Path(course_root) / "submitted"
    if not folder.is_dir():
        return []
    handed_in = {p.parent.name for p in folder.glob(f"*/{assignment}") if p.is_dir()}
    return sorted(s for s in handed_in if s not in grades or grades[s].total is None)
