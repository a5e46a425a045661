"""Build student submissions from the release: fill answer cells, place them where nbgrader looks.

A submission is the release notebook with some answer cells rewritten, which is exactly what a
student hands in: the sample class (:mod:`labgrader.sample.sample_class`), the synthetic cohort
(:mod:`labgrader.sample.cohort`) and the benchmark's classes are all made this way.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from labgrader.course.assignment import ASSIGNMENT, answer_cell_ids


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
