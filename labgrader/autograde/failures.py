"""What grading records when it goes wrong, readable without importing nbgrader.

A notebook that could not be graded in full carries the reason in its metadata, under
:data:`STATE_KEY` (:func:`grading_failure`); a submission of which no notebook could be graded
leaves :data:`FAILED_SUBMISSION_FILE` in its autograded folder. The grade report reads both.
This module is light on purpose: a grading worker imports it before nbgrader.
"""

from __future__ import annotations

import shutil
from pathlib import Path

STATE_KEY = "multiannotator_lab"
"""Notebook metadata key where grading records what went wrong (and how it graded)."""

FAILED_SUBMISSION_FILE = "grading_failure.txt"
"""Left in ``autograded/<student>/<assignment>/`` when no notebook of a submission could be graded."""


def record_failed_submission(folder: Path, reason: str) -> None:
    """Replace whatever grading left in ``folder`` by a note saying why it failed."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / FAILED_SUBMISSION_FILE).write_text(reason + "\n")


def grading_failure(nb) -> str | None:
    """The reason recorded in an autograded notebook, if grading it went wrong."""
    return nb.get("metadata", {}).get(STATE_KEY, {}).get("grading_failure")
