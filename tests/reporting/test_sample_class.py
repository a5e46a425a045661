"""End to end through nbgrader: the README's main job on a throwaway course.

It releases the lab, submits the instructor's solution (``sample_full_marks``),
a partly wrong lab (``sample_partial``) and the untouched release
(``sample_blank``), autogrades them, writes feedback, exports grades, and prints
the report. Each student's points are checked part by part.
"""

import csv
import html
import re
import subprocess
import sys

import pytest

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook
from labgrader.course.config import nbgrader_env, run_nbgrader
from labgrader.reporting.feedback import split_hidden_tests
from tests.support.builders import FULL, MANUAL, PARTIAL, SOURCE_DIR, copy_of, gradebook_scores


# sample_partial: the first ten columns as the worst annotators, the class the model finds
# least likely as the tie-break (0.799), pred_probs of the random-annotation model (0.866).
@pytest.fixture(scope="module")
def sample_course(sample_class):
    return sample_class


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
    page = root / "feedback" / "sample_partial" / ASSIGNMENT / f"{NOTEBOOKS[0]}.html"
    partial = " ".join(page.read_text().split())  # verdicts wrap
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


@pytest.mark.slow
def test_a_clean_run_says_nothing_is_wrong(sample_course):
    """The README's main job prints commands and the grade table: no warning, no error."""
    _, printed = sample_course
    alarming = [
        line
        for line in printed.splitlines()
        if re.search(r"warn|error|critical|fatal|traceback", line, re.IGNORECASE)
    ]
    assert alarming == []
    assert "$ nbgrader autograde" in printed and "sample_partial" in printed


@pytest.fixture(scope="module")
def regraded_by_hand(sample_course, tmp_path_factory):
    """The sample course after a grader's work in the gradebook: an override with its reason,
    extra credit without one; then feedback, the export and the report made again."""
    from nbgrader.api import Gradebook

    root = copy_of(sample_course[0], tmp_path_factory.mktemp("regraded") / "course")
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        tie_break = gradebook.find_grade(
            "test_tie_breaker", NOTEBOOKS[0], ASSIGNMENT, "sample_partial"
        )
        tie_break.manual_score = 1.0
        notebook = gradebook.find_submission_notebook(NOTEBOOKS[0], ASSIGNMENT, "sample_partial")
        (comment,) = [c for c in notebook.comments if c.name == "test_tie_breaker"]
        comment.manual_comment = REASON
        bonus = gradebook.find_grade(
            "test_majority_vote", NOTEBOOKS[0], ASSIGNMENT, "sample_full_marks"
        )
        bonus.extra_credit = 0.5
        gradebook.db.commit()
    run_nbgrader(root, "generate_feedback", ASSIGNMENT, "--force")
    run_nbgrader(root, "export", "--to", str(root / "grades.csv"))
    subprocess.run(
        [sys.executable, "-m", "labgrader.reporting.report", "--course-root", str(root)],
        env=nbgrader_env(), capture_output=True, text=True, check=True,
    )  # fmt: skip
    return root


REASON = "Ties go to the least likely class on purpose, but the choice is explained well: 1 point."


def _feedback(root, student):
    return html.unescape(
        (root / "feedback" / student / ASSIGNMENT / f"{NOTEBOOKS[0]}.html").read_text()
    )


@pytest.mark.slow
def test_feedback_shows_the_override_and_its_reason(regraded_by_hand):
    page = _feedback(regraded_by_hand, "sample_partial")
    summary = page.split("Your results on the autograded parts")[1].split("</table>")[0]
    (row,) = [r for r in summary.split("<tr>") if "Majority vote with a better tie-break" in r]
    assert "1 of 2" in row and f"changed by your grader: {REASON}" in row
    verdict = " ".join(page.split("Your grader changed the score to")[1].split())
    assert verdict.startswith(f"1 of 2 points: {REASON}")
    assert "(Score: 5.0 / 10.0)" in page  # nbgrader's own header agrees
    bonus = _feedback(regraded_by_hand, "sample_full_marks").split("</table>")[0]
    (row,) = [r for r in bonus.split("<tr>") if "Majority-vote consensus labels" in r]
    assert "2.5 of 2" in row and "changed by your grader: no reason written" in row


@pytest.mark.slow
def test_the_report_and_the_export_agree_with_the_gradebook(regraded_by_hand):
    with (regraded_by_hand / "grades.csv").open() as handle:
        exported = {row["student_id"]: row for row in csv.DictReader(handle)}
    assert float(exported["sample_partial"]["score"]) == 8.0
    assert (
        exported["sample_partial"]["manual_comments"]
        == f"{NOTEBOOKS[0]}/test_tie_breaker: {REASON}"
    )
    assert float(exported["sample_full_marks"]["score"]) == 14.5
    with (regraded_by_hand / "reports" / "grade_report.csv").open() as handle:
        rows = {(r["student"], r["notebook"]): r for r in csv.DictReader(handle)}
    partial = rows[("sample_partial", NOTEBOOKS[0])]
    assert float(partial["score"]) == 5.0 and partial["comments"] == f"test_tie_breaker: {REASON}"
