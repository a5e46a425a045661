"""Score every test cell in the grader's process, from the answer it recorded.

A test cell's code runs in the student's kernel, where the student's code can
patch anything. So after execution this preprocessor takes the answers each
test cell published (plain data, see :mod:`helpers.answers`), judges them again
with :func:`labgrader.judge.grade_payload`, and replaces the cell's outputs with
the verdict: a pass message, or one error output whose text explains the
failure. nbgrader's ``SaveAutoGrades`` then scores the cell from that verdict
alone, and the feedback shows it, never a traceback from hidden tests.
"""

from __future__ import annotations

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from helpers.answers import ANSWER_MIME_TYPE
from helpers.parts import PARTS
from labgrader.judge import Verdict, grade_payload

VERDICT_KEY = "multiannotator_lab"
"""Cell metadata key under which the verdict is kept for reports."""


def part_for_cell(cell) -> str | None:
    """The part a graded code cell tests, or ``None`` if it is not one of the lab's."""
    if cell.cell_type != "code" or not utils.is_grade(cell):
        return None
    name = cell.metadata["nbgrader"].get("grade_id", "").removeprefix("test_")
    return name if name in PARTS else None


def recorded_payloads(cell) -> list:
    return [
        output["data"][ANSWER_MIME_TYPE]
        for output in cell.get("outputs", [])
        if output.get("output_type") == "display_data"
        and ANSWER_MIME_TYPE in output.get("data", {})
    ]


def _why_nothing_was_recorded(cell, part_name: str) -> str:
    names = ", ".join(name for name, _ in PARTS[part_name].answers)
    for output in cell.get("outputs", []):
        if output.get("output_type") != "error":
            continue
        ename, evalue = output.get("ename", ""), str(output.get("evalue", ""))
        if ename == "NameError":
            return (
                f"{evalue} when the tests ran: define {names} in your answer cell, and check "
                "that the cell runs without an error from top to bottom"
            )
        if ename == "CellTimeoutError":
            return "the test cell did not finish within the time limit (is an earlier cell still busy?)"
        return f"the test cell stopped with {ename}: {evalue}"[:2000]
    return f"the test cell did not run, so {names} could not be checked"


def verdict_for_cell(cell, part_name: str) -> Verdict:
    payloads = recorded_payloads(cell)
    if len(payloads) > 1:
        return Verdict(False, "the test cell recorded more than one answer, so none can be trusted")
    if not payloads:
        return Verdict(False, _why_nothing_was_recorded(cell, part_name))
    return grade_payload(part_name, payloads[0])


def verdict_output(verdict: Verdict, points: float) -> NotebookNode:
    if verdict.passed:
        text = f"Passed ({points:g} of {points:g} points): {verdict.message}.\n"
        return NotebookNode(output_type="stream", name="stdout", text=text)
    return NotebookNode(
        output_type="error",
        ename="Failed",
        evalue=verdict.message,
        traceback=[f"\x1b[0;31mFailed\x1b[0m (0 of {points:g} points): {verdict.message}"],
    )


class VerifyAnswers(NbGraderPreprocessor):
    """Replace each lab test cell's outputs with the grader's own verdict."""

    def preprocess_cell(self, cell, resources, cell_index):
        part_name = part_for_cell(cell)
        if part_name is None:
            return cell, resources
        verdict = verdict_for_cell(cell, part_name)
        points = float(cell.metadata["nbgrader"].get("points", 0))
        cell.outputs = [verdict_output(verdict, points)]
        cell.metadata[VERDICT_KEY] = {
            "part": part_name,
            "passed": verdict.passed,
            "message": verdict.message,
        }
        self.log.info(
            "%s: %s",
            cell.metadata["nbgrader"]["grade_id"],
            "passed" if verdict.passed else "failed",
        )
        return cell, resources
