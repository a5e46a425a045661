"""The instructor's answer cells, read from the source notebooks, for the methods to build on."""

from __future__ import annotations

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import REPO_ROOT

_SOURCE = REPO_ROOT / "source" / ASSIGNMENT
EX1, EX2 = NOTEBOOKS
SOLUTION = {nb: solution_answers(read_notebook(_SOURCE / f"{nb}.ipynb")) for nb in NOTEBOOKS}
MV_SOLUTION = SOLUTION[EX1]["answer_majority_vote"]
QUALITY_SOLUTION = SOLUTION[EX1]["answer_annotator_quality"]
TIE_BREAK_SOLUTION = SOLUTION[EX1]["answer_tie_breaker"]
PP_SOLUTION = SOLUTION[EX2]["answer_pred_probs_for_crowdlab"]
CROWDLAB_SOLUTION = SOLUTION[EX2]["answer_crowdlab"]
