"""The assignment: its name, its notebooks, and the answer cells of its notebooks.

The instructor's solutions come from the source notebooks' ``### BEGIN SOLUTION``
regions (:func:`solution_answers`); :mod:`labgrader.sample.submissions` fills them,
or other answers, into the release to make what a student hands in.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ASSIGNMENT = "multiannotator"
NOTEBOOKS = ("exercise1_majority_vote", "exercise2_crowdlab")

_SOLUTION_REGION = re.compile(
    r"^[ \t]*### BEGIN SOLUTION\n(.*?)^[ \t]*### END SOLUTION\n?", re.S | re.M
)


def answer_cell_ids(nb) -> list[str]:
    """``grade_id`` of every cell a student writes in (code answers and free text)."""
    return [
        cell.metadata["nbgrader"]["grade_id"]
        for cell in nb.cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    ]


def solution_answers(source_nb) -> dict[str, str]:
    """The instructor's answer for each answer cell of a source notebook.

    Code cells give the text of their solution regions; free-text cells give
    their whole text.
    """
    answers = {}
    for cell in source_nb.cells:
        nbgrader = cell.metadata.get("nbgrader", {})
        if not nbgrader.get("solution"):
            continue
        if cell.cell_type == "code":
            regions = _SOLUTION_REGION.findall(cell.source)
            answers[nbgrader["grade_id"]] = "\n".join(region.rstrip("\n") for region in regions)
        else:
            answers[nbgrader["grade_id"]] = cell.source
    return answers


def read_notebook(path: Path):
    """The notebook at ``path``, as nbformat version 4."""
    return nbformat.read(str(path), as_version=4)
