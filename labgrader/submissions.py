"""Build student submissions from the release: fill answer cells, place them where nbgrader looks.

A submission is the release notebook with some answer cells rewritten, which
is exactly what a student hands in. The instructor's solutions come from the
source notebook's ``### BEGIN SOLUTION`` regions.
"""

from __future__ import annotations

import copy
import json
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


def fill_answers(release_nb, answers: dict[str, str]):
    """A copy of ``release_nb`` with the given answer cells' text replaced.

    Raises
    ------
    KeyError
        If ``answers`` names a cell that is not an answer cell of the notebook.
    """
    unknown = set(answers) - set(answer_cell_ids(release_nb))
    if unknown:
        raise KeyError(f"not answer cells of this notebook: {sorted(unknown)}")
    filled = copy.deepcopy(release_nb)
    for cell in filled.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return filled


def read_notebook(path: Path):
    return nbformat.read(str(path), as_version=4)


def write_submission(course_root: Path, student: str, files: dict[str, object]) -> Path:
    """Write one student's files into ``submitted/<student>/multiannotator/``.

    Parameters
    ----------
    course_root : Path
    student : str
    files : dict
        File name to content: a notebook node (written as a notebook), ``str``
        or ``bytes`` (written as they are, for deliberately broken files).

    Returns
    -------
    Path
        The submission folder.
    """
    folder = Path(course_root) / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content)
        else:
            path.write_text(json.dumps(content, indent=1) + "\n")
    return folder
