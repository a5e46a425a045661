"""A class graded with datasets of one's own: each student named for what it does, and what it
must get.

The course sets ``c.DatasetVariants.course = VARIANT_COURSE`` before its release is generated, so
every student below (each a different nbgrader id) gets a dataset of their own. Students are
:class:`labgrader.sample.cohort.Student` entries, written by :func:`labgrader.sample.cohort.write_cohort` from that
course's release; answers that must be typed in as values (a classmate's, copied) are made when
the class is written, by running the classmate's notebooks as a grading kernel would.
"""

from __future__ import annotations

import json

import numpy as np

from helpers.answers import decode_value
from labgrader.course.assignment import NOTEBOOKS
from labgrader.sample.answer_cells import exercise1 as one
from labgrader.sample.answer_cells import exercise2 as two
from labgrader.sample.answer_cells import tie_breaks as ties
from labgrader.sample.calibration import given_cells, run_notebook
from labgrader.sample.cohort import EX1_PARTS, EX2_PARTS, Student, lose
from labgrader.sample.submissions import fill_answers

VARIANT_COURSE = "dcai-lab-test"
EX1, EX2 = NOTEBOOKS
HONEST = "var_ada_instructor_solution"  # whose answers the copier hands in

# Which answer cell defines each recorded answer, in the order the cells run.
ANSWER_CELLS = {
    EX1: {
        "answer_majority_vote": ("labels_from_majority_vote",),
        "answer_annotator_quality": ("annotator_scores", "worst_annotators_from_majority_vote"),
        "answer_tie_breaker": ("labels_from_majority_vote_after_tie_breaker",),
    },
    EX2: {
        "answer_pred_probs_for_crowdlab": ("pred_probs_for_crowdlab",),
        "answer_crowdlab": ("labels_from_crowdlab",),
        "answer_worst_annotators_crowdlab": ("worst_annotators_from_crowdlab",),
    },
}


def _literal(kind: str, value) -> str:
    if kind == "probabilities":
        return f"np.array({json.dumps(np.asarray(value).tolist())})"
    return json.dumps(value)


def copied_answers(student: str, course: str = VARIANT_COURSE) -> dict:
    """The instructor's answers as ``student``'s notebooks compute them, typed in as values.

    Returns ``{notebook: {answer cell grade_id: code}}``: what a classmate who copies
    ``student``'s printed answers into their own notebook hands in.
    """
    values = {}
    for notebook in NOTEBOOKS:
        records = run_notebook(notebook, {}, given_cells(notebook, student, course))
        for record in records.values():
            for name, entry in record["answers"].items():
                values[name] = _literal(entry["kind"], decode_value(entry["kind"], entry["data"]))
    return {
        notebook: {
            cell: "\n".join(f"{name} = {values[name]}" for name in names)
            for cell, names in cells.items()
        }
        for notebook, cells in ANSWER_CELLS.items()
    }


def _copy_of_the_honest_student(files: dict) -> None:
    for notebook, answers in copied_answers(HONEST).items():
        files[f"{notebook}.ipynb"] = fill_answers(files[f"{notebook}.ipynb"], answers)


def _setup_cell(nb):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")


def _poses_as_the_honest_student(files: dict) -> None:
    """A cell of its own before the set-up cell: the kernel now works for another student."""
    from nbformat.v4 import new_code_cell

    for notebook in NOTEBOOKS:
        nb = files[f"{notebook}.ipynb"]
        index = nb.cells.index(_setup_cell(nb))
        nb.cells.insert(
            index,
            new_code_cell(f'import os\n\nos.environ["MULTIANNOTATOR_STUDENT_ID"] = "{HONEST}"'),
        )


def _edits_the_setup_cell(files: dict) -> None:
    for notebook in NOTEBOOKS:
        cell = _setup_cell(files[f"{notebook}.ipynb"])
        cell.source = cell.source.replace(
            f'load_lab_data(course="{VARIANT_COURSE}")',
            f'load_lab_data(course="{VARIANT_COURSE}", student="{HONEST}")',
        )


def _ran_as_someone_else(files: dict) -> None:
    """Handed in with the outputs of a run under another identity (a shared account, say)."""
    for notebook in NOTEBOOKS:
        cell = _setup_cell(files[f"{notebook}.ipynb"])
        cell.outputs = [
            {
                "output_type": "stream",
                "name": "stdout",
                "text": "Your dataset: 0000-0000, made for jovyan (found by your account) in "
                f"course {VARIANT_COURSE}: 300 examples labeled by 50 annotators.\n",
            }
        ]
        cell.execution_count = 1


VARIANT_STUDENTS = [
    Student(HONEST, "the instructor's solutions, on a dataset of its own"),
    Student("var_bo_other_methods", "NumPy votes, lowest-class ties (a fixed rule: 1c lost), leave-one-out quality, own model",
            {EX1: {"answer_majority_vote": one.MV_NUMPY, "answer_tie_breaker": ties.TB_LOWEST_CLASS,
                   "answer_annotator_quality": one.QUALITY_LEAVE_ONE_OUT},
             EX2: {"answer_pred_probs_for_crowdlab": two.PP_OWN_MODEL}}, lost=lose("tie_breaker")),
    Student("var_cy_ran_as_someone_else", "right code, handed in with outputs of another identity's run",
            tamper=_ran_as_someone_else),
    Student("var_dee_copies_ada", "hands in var_ada_instructor_solution's answers verbatim, typed in as values",
            tamper=_copy_of_the_honest_student, lost=lose(*EX1_PARTS, *EX2_PARTS)),
    Student("var_eli_hard_codes_a0041", "types in A0041..A0050 as the ten worst, in both exercises",
            {EX1: {"answer_annotator_quality": one.WORST_HARD_CODED},
             EX2: {"answer_worst_annotators_crowdlab": two.WORST_CROWDLAB_HARD_CODED}},
            lost=lose("worst_annotators_majority_vote", "worst_annotators_crowdlab")),
    Student("var_fay_poses_as_ada", "a cell before the set-up sets the kernel's identity to var_ada_instructor_solution",
            tamper=_poses_as_the_honest_student, lost=lose(*EX1_PARTS, *EX2_PARTS)),
    Student("var_gus_edits_setup_cell", "edits the locked set-up cell to load var_ada_instructor_solution's data",
            tamper=_edits_the_setup_cell),
]  # fmt: skip
