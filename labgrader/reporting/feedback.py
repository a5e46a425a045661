"""Feedback that teaches and does not leak: no hidden-test source, no tracebacks from it.

nbgrader's ``generate_feedback`` renders the autograded notebook, hidden tests
included (nbgrader issues #917 and #1363). This preprocessor runs first: it
cuts the hidden-test regions out of every cell and, in graded code cells,
removes every output line that quotes a hidden-test line. Error outputs keep
only their one-line message: a traceback would quote the test's source.
The verdicts written by :class:`labgrader.autograde.verify.VerifyAnswers` are redrawn
from the gradebook as it is when feedback is made, so a grader's override, extra
credit and the reason written on the test cell reach the student, and a table at
the top of the page sums them up: each part, its final points, and why.
"""

from __future__ import annotations

import html

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell
from nbgrader import utils
from nbgrader.api import Gradebook
from traitlets import Bool

from helpers.parts import PARTS
from labgrader.autograde.failures import STATE_KEY
from labgrader.autograde.verify import (
    DATASET_KEY,
    VERDICT_KEY,
    Award,
    autograder_award,
    verdict_output,
)
from labgrader.judging.judge import Verdict
from labgrader.reporting.comments import manual_comments

BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def split_hidden_tests(source: str) -> tuple[str, set[str]]:
    """Return ``source`` without its hidden-test regions, and those regions' non-blank lines."""
    kept, hidden, inside = [], set(), False
    for line in source.split("\n"):
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif inside:
            if line.strip():
                hidden.add(line.strip())
        else:
            kept.append(line)
    return "\n".join(kept), hidden


def _scrub(text: str, hidden: set[str]) -> str:
    return "\n".join(line for line in text.split("\n") if not any(h in line for h in hidden))


def _without_hidden(output, hidden: set[str]):
    if output.output_type == "error":
        output.evalue = _scrub(str(output.get("evalue", "")), hidden)
        if (
            output.ename != "Failed"
        ):  # a verdict is already one line; other errors lose the traceback
            output.traceback = [f"{output.ename}: {output.evalue}"]
        output.traceback = [_scrub(line, hidden) for line in output.traceback]
    elif output.output_type == "stream":
        output.text = _scrub(output.text, hidden)
    for mime, value in output.get("data", {}).items():
        if isinstance(value, str):
            output.data[mime] = _scrub(value, hidden)
    return output


def awards_from_gradebook(resources) -> dict:
    """``{grade_id: Award}`` of the submitted notebook, as the gradebook has them now."""
    info = resources.get("nbgrader", {})
    if not {"db_url", "notebook", "assignment", "student"} <= set(info):
        return {}
    with Gradebook(info["db_url"]) as gradebook:
        submitted = gradebook.find_submission_notebook(
            info["notebook"], info["assignment"], info["student"]
        )
        reasons = manual_comments(submitted)
        return {
            grade.name: Award(
                points=float(grade.score),
                max_points=float(grade.max_score),
                by_grader=(
                    grade.manual_score is not None and grade.manual_score != grade.auto_score
                )
                or bool(grade.extra_credit),
                reason=reasons.get(grade.name, ""),
            )
            for grade in submitted.grades
        }


def _lab_verdict(cell) -> tuple[Verdict, float] | None:
    recorded = cell.metadata.get(VERDICT_KEY)
    if not recorded or recorded.get("part") not in PARTS:
        return None
    points = float(cell.metadata["nbgrader"].get("points", 0))
    return Verdict(bool(recorded["passed"]), str(recorded["message"])), points


def graded_dataset_line(nb) -> str:
    """A paragraph naming the student's own dataset the answers were graded on (or ``""``)."""
    record = nb.metadata.get(STATE_KEY, {}).get(DATASET_KEY)
    if not record:
        return ""
    fingerprint, student = html.escape(record["fingerprint"]), html.escape(record["student"])
    course = html.escape(record["course"])
    return (
        f"Graded on your own dataset <b>{fingerprint}</b> (made for {student} in course {course}). "
        "The set-up cell of your notebook prints the fingerprint of the dataset it ran on: if "
        "yours showed another, your answers were computed on another dataset than this one.\n\n"
    )


_CELL_STYLE = "border: 1px solid #bbb; padding: 4px 8px; text-align: left; vertical-align: top;"


def summary_table(nb, awards: dict | None = None) -> str | None:
    """An HTML table of the autograded parts of ``nb``: the final points and why.

    Points come from ``awards`` (the gradebook) where given, so a grader's override and
    extra credit show; without them, from the autograder's verdicts.
    """
    awards = awards or {}
    rows = []
    for cell in nb.cells:
        judged = _lab_verdict(cell)
        if judged is None:
            continue
        verdict, points = judged
        part = PARTS[cell.metadata[VERDICT_KEY]["part"]]
        award = awards.get(part.grade_id) or autograder_award(verdict, points)
        result = "passed" if verdict.passed else f"failed: {verdict.message}"
        if award.by_grader:
            result += f" (changed by your grader: {award.reason or 'no reason written'})"
        names = ", ".join(f"<code>{html.escape(name)}</code>" for name, _ in part.answers)
        cells = (
            f"{html.escape(part.title)} ({names})",
            f"{award.points:g} of {award.max_points:g}",
            html.escape(result),
        )
        rows.append(
            "<tr>" + "".join(f'<td style="{_CELL_STYLE}">{c}</td>' for c in cells) + "</tr>"
        )
    if not rows:
        return None
    header = "".join(
        f'<th style="{_CELL_STYLE}">{name}</th>' for name in ("part", "points", "result")
    )
    return (
        "### Your results on the autograded parts\n\n"
        + graded_dataset_line(nb)
        + f'<table style="border-collapse: collapse;"><thead><tr>{header}</tr></thead><tbody>'
        + "".join(rows)
        + "</tbody></table>\n\nWritten answers are graded by hand; their points appear beside them "
        "below."
    )


class StripHiddenTests(Preprocessor):
    """Remove hidden tests, and anything quoting them, from the notebook a student sees; show the
    points the gradebook holds now, overrides included.

    Based on nbconvert's ``Preprocessor``, not nbgrader's: the HTML exporter configures
    ``display_data_priority``, which ``NbGraderPreprocessor`` redeclares as not configurable.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        self._awards = awards_from_gradebook(resources)
        nb, resources = super().preprocess(nb, resources)
        table = summary_table(nb, self._awards)
        if table:
            summary = new_markdown_cell(table)
            summary.id = "autograded-results"
            nb.cells.insert(0, summary)
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        cell.source, hidden = split_hidden_tests(cell.source)
        if cell.cell_type == "code" and utils.is_grade(cell):
            judged = _lab_verdict(cell)
            if judged is None:
                cell.outputs = [_without_hidden(output, hidden) for output in cell.outputs]
            else:
                verdict, points = judged
                grade_id = cell.metadata["nbgrader"]["grade_id"]
                award = self._awards.get(grade_id) or autograder_award(verdict, points)
                cell.outputs = [_without_hidden(verdict_output(verdict, award), hidden)]
        return cell, resources
