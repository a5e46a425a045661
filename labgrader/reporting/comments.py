"""A comment row for every test cell, so that a grader can say why they changed its score.

nbgrader gives the gradebook a comment only for answer cells and tasks; a test
cell's score can be overridden in the Formgrader, but the reason has nowhere to
go. :class:`AddTestCellComments` (in the autograde pipeline, after
``SaveAutoGrades``) adds an empty comment for each of the lab's test cells of a
submitted notebook, once, never touching one a grader has written; the
Formgrader of :mod:`labgrader.reporting.formgrader` shows its box, and the feedback
(:mod:`labgrader.reporting.feedback`), the grade report and the CSV export carry it.
"""

from __future__ import annotations

from nbgrader.api import Comment, Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor

from labgrader.autograde.verify import part_for_cell


class AddTestCellComments(NbGraderPreprocessor):
    """Make sure each lab test cell of the submitted notebook has a comment in the gradebook."""

    def preprocess(self, nb, resources):
        ids = {cell.metadata["nbgrader"]["grade_id"] for cell in nb.cells if part_for_cell(cell)}
        info = resources["nbgrader"]
        with Gradebook(info["db_url"]) as gradebook:
            submitted = gradebook.find_submission_notebook(
                info["notebook"], info["assignment"], info["student"]
            )
            commented = {comment.cell_id for comment in submitted.comments}
            for grade in submitted.grades:
                if grade.cell.name in ids and grade.cell_id not in commented:
                    gradebook.db.add(Comment(cell_id=grade.cell_id, notebook_id=submitted.id))
            gradebook.db.commit()
        return nb, resources


def manual_comments(submitted_notebook) -> dict[str, str]:
    """``{cell name: comment}`` of what graders wrote on a submitted notebook."""
    return {
        comment.name: comment.manual_comment
        for comment in submitted_notebook.comments
        if comment.manual_comment
    }
