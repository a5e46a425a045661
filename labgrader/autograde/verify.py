"""Score every test cell in the grader's process, from the answer it recorded.

A test cell's code runs in the student's kernel, where the student's code can
patch anything. So after execution this preprocessor takes the answers each
test cell published (plain data, see :mod:`helpers.answers`), judges them again
with :func:`labgrader.judging.judge.grade_payload` on the dataset of the student whose
submission it is (:func:`graded_dataset`), and replaces the cell's outputs with
the verdict: a pass message, or one error output whose text explains the
failure. nbgrader's ``SaveAutoGrades`` then scores the cell from that verdict
alone, and the feedback shows it, never a traceback from hidden tests.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

from nbformat.notebooknode import NotebookNode
from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

from helpers.answers import ANSWER_MIME_TYPE
from helpers.parts import PARTS
from labgrader.autograde.failures import STATE_KEY
from labgrader.judging.judge import Verdict, grade_payload
from labgrader.judging.reference import LabReference, lab_reference
from labgrader.judging.variants import graded_course

WRAP_AT = 100
"""Columns of a verdict line: long ones wrap, in the Formgrader and the feedback alike."""

VERDICT_KEY = "multiannotator_lab"
"""Cell metadata key under which the verdict is kept for reports."""

DATASET_KEY = "graded_dataset"
"""Under the notebook's :data:`~labgrader.autograde.failures.STATE_KEY`: the student's own dataset graded on."""


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


def verdict_for_cell(cell, part_name: str, reference: LabReference | None = None) -> Verdict:
    payloads = recorded_payloads(cell)
    if len(payloads) > 1:
        return Verdict(False, "the test cell recorded more than one answer, so none can be trusted")
    if not payloads:
        return Verdict(False, _why_nothing_was_recorded(cell, part_name))
    return grade_payload(part_name, payloads[0], reference)


def graded_dataset(nb, resources) -> LabReference:
    """The reference of the dataset this notebook is graded on: the lab's own, or, where the
    course gives every student a dataset of their own, the one of the student whose submission
    this is (the folder nbgrader grades, never anything the notebook says)."""
    course = graded_course(nb, resources)
    student = (resources or {}).get("nbgrader", {}).get("student")
    if course is None or not student:
        return lab_reference()
    return lab_reference(course, student)


def dataset_record(reference: LabReference) -> dict | None:
    """What the feedback says about the dataset graded on (``None`` for the lab's own)."""
    if not reference.is_own_dataset:
        return None
    return {
        "fingerprint": reference.fingerprint,
        "course": reference.course,
        "student": reference.student,
    }


@dataclass(frozen=True)
class Award:
    """The points a part finally got, and whether a person changed what the autograder gave.

    Attributes
    ----------
    points, max_points : float
        Final points (a manual score and extra credit included) and the part's maximum.
    by_grader : bool
        A grader overrode the autograder's score or gave extra credit.
    reason : str
        What the grader wrote on the test cell, if anything.
    """

    points: float
    max_points: float
    by_grader: bool = False
    reason: str = ""


def autograder_award(verdict: Verdict, points: float) -> Award:
    """What the autograder gives for a verdict: everything or nothing."""
    return Award(points if verdict.passed else 0.0, points)


def verdict_text(verdict: Verdict, award: Award) -> str:
    """The verdict as students and graders read it, wrapped so that it never runs off the page."""
    head = "Passed" if verdict.passed else "Failed"
    points = f"{award.points:g} of {award.max_points:g} points"
    message = verdict.message if verdict.message.endswith(".") else verdict.message + "."
    if not award.by_grader:
        return _wrapped(f"{head} ({points}): {message}")
    why = f": {award.reason}" if award.reason else " (no reason written)."
    # The grader's word on a line of its own: however long the check's message, it starts a line.
    return "\n".join(
        (
            _wrapped(f"{head} the autograder's check: {message}"),
            _wrapped(f"Your grader changed the score to {points}{why}"),
        )
    )


def _wrapped(text: str) -> str:
    return textwrap.fill(text, width=WRAP_AT, break_on_hyphens=False, break_long_words=False)


def verdict_output(verdict: Verdict, award: Award) -> NotebookNode:
    """The output that stands under a test cell: a stream if it passed, an error if it failed.

    nbgrader scores a test cell 0 when it has an error output, so at autograde time the
    output's type *is* the score.
    """
    text = verdict_text(verdict, award)
    if verdict.passed:
        return NotebookNode(output_type="stream", name="stdout", text=text + "\n")
    head, rest = text.split(" ", 1)
    return NotebookNode(
        output_type="error",
        ename="Failed",
        evalue=verdict.message,
        traceback=[f"\x1b[0;31m{head}\x1b[0m {rest}"],
    )


class VerifyAnswers(NbGraderPreprocessor):
    """Replace each lab test cell's outputs with the grader's own verdict."""

    _reference: LabReference | None = None

    def preprocess(self, nb, resources):
        self._reference = graded_dataset(nb, resources)
        record = dataset_record(self._reference)
        if record is not None:
            nb.metadata.setdefault(STATE_KEY, {})[DATASET_KEY] = record
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, cell_index):
        part_name = part_for_cell(cell)
        if part_name is None:
            return cell, resources
        verdict = verdict_for_cell(cell, part_name, self._reference)
        points = float(cell.metadata["nbgrader"].get("points", 0))
        cell.outputs = [verdict_output(verdict, autograder_award(verdict, points))]
        cell.metadata[VERDICT_KEY] = {
            "part": part_name,
            "passed": verdict.passed,
            "message": verdict.message,
            **({"another_dataset": True} if verdict.another_dataset else {}),
        }
        self.log.info(
            "%s: %s",
            cell.metadata["nbgrader"]["grade_id"],
            "passed" if verdict.passed else "failed",
        )
        return cell, resources
