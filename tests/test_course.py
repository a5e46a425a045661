"""End to end through nbgrader: the README's main job on a throwaway course.

It releases the lab, submits the instructor's solution (``sample_full_marks``),
a partly wrong lab (``sample_partial``) and the untouched release
(``sample_blank``), autogrades them, writes feedback, exports grades, and prints
the report. Each student's points are checked part by part.
"""

import csv
import html
import subprocess
import sys

import pytest

from labgrader.feedback import split_hidden_tests
from labgrader.submissions import ASSIGNMENT, NOTEBOOKS, read_notebook
from tests.conftest import (
    FULL,
    MANUAL,
    PARTIAL,
    REPO_ROOT,
    SOURCE_DIR,
    gradebook_scores,
    nbgrader_env,
)


# sample_partial: the first ten columns as the worst annotators, the class the model finds
# least likely as the tie-break (0.799), pred_probs of the random-annotation model (0.866).
@pytest.fixture(scope="module")
def sample_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("sample_course")
    (root / "source").symlink_to(SOURCE_DIR.parent)
    (root / "nbgrader_config.py").write_bytes((REPO_ROOT / "nbgrader_config.py").read_bytes())
    job = subprocess.run(
        [sys.executable, "-m", "labgrader.sample_class", "--course-root", str(root)],
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert job.returncode == 0, job.stdout + job.stderr
    return root, job.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    ("student", "expected"),
    [
        ("sample_full_marks", FULL),
        ("sample_partial", PARTIAL),
        ("sample_blank", dict.fromkeys(FULL, 0)),
    ],
)
def test_each_part_scores_as_the_rules_say(sample_course, student, expected):
    root, _ = sample_course
    grades = gradebook_scores(root, student)
    assert {key: score for key, (score, _) in grades.items() if key not in MANUAL} == expected
    for key in MANUAL:
        score, needs_manual = grades[key]
        if student == "sample_blank":
            assert (score, needs_manual) == (0, False), "an untouched written answer scores 0"
        else:
            assert needs_manual, "a written answer waits for a person"


@pytest.mark.slow
def test_feedback_explains_and_never_shows_hidden_tests(sample_course):
    root, _ = sample_course
    hidden_lines = set()
    for name in NOTEBOOKS:
        for cell in read_notebook(SOURCE_DIR / f"{name}.ipynb").cells:
            hidden_lines |= split_hidden_tests(cell.source)[1]
    assert len(hidden_lines) == 7 and all("hidden=True" in line for line in hidden_lines)
    pages = sorted((root / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert len(pages) == 6
    for page in pages:
        text = page.read_text()
        assert "BEGIN HIDDEN" not in text, page
        for line in hidden_lines:
            assert html.escape(line) not in text and line not in text, (page, line)
    partial = (
        root / "feedback" / "sample_partial" / ASSIGNMENT / f"{NOTEBOOKS[0]}.html"
    ).read_text()
    assert (
        '<span class="ansi-red-fg">Failed</span> (0 of 2 points): '
        "labels_from_majority_vote_after_tie_breaker are valid majority votes, but only 0.799"
    ) in partial
    assert (
        "Passed (2 of 2 points): every label in labels_from_majority_vote is a most-voted"
        in partial
    )


@pytest.mark.slow
def test_grades_csv_and_report(sample_course):
    root, stdout = sample_course
    with (root / "grades.csv").open() as handle:
        totals = {row["student_id"]: float(row["score"]) for row in csv.DictReader(handle)}
    assert totals == {"sample_full_marks": 14.0, "sample_partial": 7.0, "sample_blank": 0.0}
    with (root / "reports" / "grade_report.csv").open() as handle:
        rows = {(r["student"], r["notebook"]): r for r in csv.DictReader(handle)}
    assert rows[("sample_full_marks", NOTEBOOKS[0])]["status"] == "needs manual grading"
    assert rows[("sample_blank", NOTEBOOKS[1])]["status"] == "graded"
    assert "sample_full_marks" in stdout and "14 / 18" in stdout
