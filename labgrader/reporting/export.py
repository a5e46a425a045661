"""``nbgrader export`` with what graders wrote: the course's CSV export plugin.

nbgrader's own CSV export (``CsvExportPlugin``) writes one row per student and
assignment with the scores, and nothing a grader wrote; it also writes its
fields unquoted, so a comma in a name breaks the row. :class:`GradesAndComments`
writes the same columns with Python's ``csv`` module, plus ``manual_comments``:
every comment a grader wrote on that submission, answer and test cells alike
(``notebook/cell: text``, one per line). Set by ``c.ExportApp.plugin_class``.
"""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from labgrader.reporting.comments import manual_comments

COLUMNS = (
    "assignment",
    "duedate",
    "timestamp",
    "student_id",
    "last_name",
    "first_name",
    "email",
    "raw_score",
    "late_submission_penalty",
    "score",
    "max_score",
    "manual_comments",
)


def _comments(submission) -> str:
    return "\n".join(
        f"{notebook.name}/{cell}: {text}"
        for notebook in submission.notebooks
        for cell, text in manual_comments(notebook).items()
    )


class GradesAndComments(ExportPlugin):
    """nbgrader's CSV columns, quoted properly, and the graders' comments."""

    def export(self, gradebook: Gradebook) -> None:
        destination = self.to or "grades.csv"
        students = {str(s) for s in self.student}
        assignments = {str(a) for a in self.assignment}
        with open(destination, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            for assignment in gradebook.assignments:
                if assignments and assignment.name not in assignments:
                    continue
                for student in gradebook.students:
                    if students and student.id not in students:
                        continue
                    writer.writerow(self._row(gradebook, assignment, student))

    def _row(self, gradebook, assignment, student) -> dict:
        row = {
            "assignment": assignment.name,
            "duedate": assignment.duedate or "",
            "student_id": student.id,
            "last_name": student.last_name or "",
            "first_name": student.first_name or "",
            "email": student.email or "",
            "max_score": assignment.max_score,
        }
        try:
            submission = gradebook.find_submission(assignment.name, student.id)
        except MissingEntry:  # nothing submitted: zero, as nbgrader's export has it
            return {**row, "timestamp": "", "raw_score": 0.0, "late_submission_penalty": 0.0,
                    "score": 0.0, "manual_comments": ""}  # fmt: skip
        penalty = submission.late_submission_penalty or 0.0
        return {
            **row,
            "timestamp": submission.timestamp or "",
            "raw_score": submission.score,
            "late_submission_penalty": penalty,
            "score": max(0.0, submission.score - penalty),
            "manual_comments": _comments(submission),
        }
