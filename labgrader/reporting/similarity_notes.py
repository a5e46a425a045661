"""The similarity report's flagged pairs, as notes of the grade report.

The grade report does not compare code itself (on a large class that takes a while): it reads
``reports/similarity.csv`` where ``multiannotator-similarity`` left it, and says when that file
is older than a submission, so that a stale comparison is not taken for a current one.
"""

from __future__ import annotations

import csv
from pathlib import Path

from labgrader.course.assignment import ASSIGNMENT
from labgrader.reporting.similarity import WHOLE_NOTEBOOK

SIMILARITY_CSV = Path("reports") / "similarity.csv"


def similarity_notes(course_root: Path) -> dict[tuple[str, str], str]:
    """``(student, notebook) -> note`` naming the students whose code is alike, per flagged pair."""
    path = Path(course_root) / SIMILARITY_CSV
    if not path.is_file():
        return {}
    flagged: dict[tuple[str, str], list[str]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row.get("flagged") != "yes":
                continue
            part = "the whole notebook" if row["part"] == WHOLE_NOTEBOOK else row["part"]
            for me, other in (
                (row["student_a"], row["student_b"]),
                (row["student_b"], row["student_a"]),
            ):
                flagged.setdefault((me, row["notebook"]), []).append(
                    f"{other} ({part}, {row['score']})"
                )
    return {
        key: "code alike (a pointer for a person, not a verdict: reports/similarity.html): "
        + ", ".join(pairs)
        for key, pairs in flagged.items()
    }


def similarity_is_stale(course_root: Path) -> bool:
    """Whether ``reports/similarity.csv`` exists but is older than some handed-in notebook."""
    path = Path(course_root) / SIMILARITY_CSV
    if not path.is_file():
        return False
    written = path.stat().st_mtime
    notebooks = Path(course_root).glob(f"submitted/*/{ASSIGNMENT}/*.ipynb")
    return any(notebook.stat().st_mtime > written for notebook in notebooks)
