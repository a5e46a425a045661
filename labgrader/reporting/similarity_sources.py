"""What the similarity report compares: each student's code, part by part, and the release's.

A *part* is an answer cell (by its nbgrader ``grade_id``) or the whole notebook: every code
cell the student could change (answer cells, the given cells that are not locked, and cells
the student added), in order. The released notebook's code is what every student was given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS
from labgrader.reporting.similarity import (
    WHOLE_NOTEBOOK,
    PartResult,
    compare_class,
    given_names,
    threshold_for,
)

AUTOGRADED, SUBMITTED = "autograded", "submitted"


def code_parts(nb) -> dict[str, str]:
    """The code of each answer cell of a notebook, by ``grade_id``, and of the whole notebook."""
    parts, changeable = {}, []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        nbgrader = cell.metadata.get("nbgrader", {})
        if nbgrader.get("solution") and nbgrader.get("grade_id"):
            parts[nbgrader["grade_id"]] = cell.source
        if not nbgrader.get("locked") or nbgrader.get("solution"):
            changeable.append(cell.source)
    parts[WHOLE_NOTEBOOK] = "\n\n".join(changeable)
    return parts


def released_code(release_nb) -> str:
    """Every code cell of the released notebook: what no student has to write."""
    return "\n\n".join(cell.source for cell in release_nb.cells if cell.cell_type == "code")


@dataclass(frozen=True)
class Skipped:
    """A student's notebook the report could not compare, and why."""

    student: str
    notebook: str
    why: str


def submission_notebook(course_root: Path, student: str, notebook: str) -> Path | None:
    """The graded notebook if there is one, else the submitted one, else ``None``."""
    for folder in (AUTOGRADED, SUBMITTED):
        path = Path(course_root) / folder / student / ASSIGNMENT / f"{notebook}.ipynb"
        if path.is_file():
            return path
    return None


def class_parts(course_root: Path, students: list[str]) -> tuple[dict, list[Skipped]]:
    """Each student's code by notebook, then part, then student; and what could not be read."""
    by_notebook, skipped = {nb: {} for nb in NOTEBOOKS}, []
    for student in students:
        for notebook in NOTEBOOKS:
            path = submission_notebook(course_root, student, notebook)
            if path is None:
                skipped.append(Skipped(student, notebook, f"no {notebook}.ipynb handed in"))
                continue
            try:
                nb = nbformat.read(str(path), as_version=4)
            except Exception as error:  # any unreadable file: say so, compare the rest
                reason = f"{path.name} is not a readable notebook ({type(error).__name__})"
                skipped.append(Skipped(student, notebook, reason))
                continue
            for part, code in code_parts(nb).items():
                by_notebook[notebook].setdefault(part, {})[student] = code
    return by_notebook, skipped


def compare_notebooks(by_notebook: dict, release: dict, thresholds: dict) -> list[PartResult]:
    """Compare every part of every notebook across the class.

    ``by_notebook`` is :func:`class_parts`' first result; ``release`` the released notebooks by
    name; ``thresholds`` the flagging threshold by notebook, then part.
    """
    results = []
    for notebook, parts in by_notebook.items():
        given = released_code(release[notebook])
        keep = given_names([given])
        for part, answers in parts.items():
            if len(answers) < 2:
                continue
            threshold = threshold_for(thresholds, notebook, part)
            results.append(compare_class(answers, notebook, part, given, keep, threshold))
    return results


def read_release(course_root: Path) -> dict:
    """The released notebooks by name; a clear error if the release has not been generated."""
    release = {}
    for notebook in NOTEBOOKS:
        path = Path(course_root) / "release" / ASSIGNMENT / f"{notebook}.ipynb"
        if not path.is_file():
            raise SystemExit(
                f"no {path}: the released notebooks are what every student starts from, and the "
                f"report leaves their code out. Run `nbgrader generate_assignment {ASSIGNMENT}`."
            )
        release[notebook] = nbformat.read(str(path), as_version=4)
    return release
