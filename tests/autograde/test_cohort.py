"""The synthetic class of :mod:`labgrader.sample.cohort`, graded in one ``nbgrader autograde`` run.

Every student's points, part by part; the grade report, row by row; every
feedback page, searched for every hidden-test line.
"""

from __future__ import annotations

import html
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from helpers.parts import PARTS
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook
from labgrader.course.config import run_nbgrader
from labgrader.reporting.feedback import split_hidden_tests
from labgrader.reporting.report import ReportRow, grade_report
from labgrader.sample.cohort import STUDENTS
from tests.support.builders import AUTOGRADE_OUTPUT, SOURCE_DIR, gradebook_scores, graded_parts

pytestmark = pytest.mark.slow

BY_NAME = {student.name: student for student in STUDENTS}


@dataclass
class GradedCohort:
    root: Path
    report: dict  # (student, notebook) -> ReportRow
    points: dict  # student -> {part: points}


@pytest.fixture(scope="module")
def cohort(sequential_cohort) -> GradedCohort:
    root = sequential_cohort
    started = time.monotonic()
    run_nbgrader(root, "generate_feedback", ASSIGNMENT)
    print(f"\nfeedback for {len(STUDENTS)} students: {time.monotonic() - started:.0f} s")
    points = {
        student.name: {
            grade_id.removeprefix("test_"): score
            for (_, grade_id), (score, _) in gradebook_scores(root, student.name).items()
            if grade_id.removeprefix("test_") in PARTS
        }
        for student in STUDENTS
    }
    report = {(row.student, row.notebook): row for row in grade_report(root)}
    return GradedCohort(root, report, points)


@pytest.mark.parametrize("student", STUDENTS, ids=lambda s: s.name)
def test_points_part_by_part(cohort, student):
    expected = {
        part: 0 if part in student.lost else full for part, (_, full) in graded_parts().items()
    }
    assert cohort.points[student.name] == expected, student.does


@pytest.mark.parametrize("student", [s for s in STUDENTS if s.twin], ids=lambda s: s.name)
def test_cheats_gain_nothing_over_their_honest_twin(cohort, student):
    assert cohort.points[student.name] == cohort.points[student.twin]


@pytest.mark.parametrize("student", STUDENTS, ids=lambda s: s.name)
def test_grade_report_row_by_row(cohort, student):
    for notebook in NOTEBOOKS:
        row: ReportRow = cohort.report[(student.name, notebook)]
        status, reason = student.expected_status(notebook)
        assert (row.status, reason in row.reason) == (status, True), row
        if row.score is not None:  # until a person grades them, written answers add nothing
            parts = [p for p, (nb, _) in graded_parts().items() if nb == notebook]
            assert row.score == sum(cohort.points[student.name][p] for p in parts), row


def test_the_report_lists_every_student_once_per_notebook(cohort):
    assert sorted(cohort.report) == sorted((s.name, nb) for s in STUDENTS for nb in NOTEBOOKS)


def hidden_test_lines() -> set[str]:
    lines = set()
    for name in NOTEBOOKS:
        for cell in read_notebook(SOURCE_DIR / f"{name}.ipynb").cells:
            lines |= split_hidden_tests(cell.source)[1]
    return lines


def feedback_pages(cohort) -> list[Path]:
    return sorted((cohort.root / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))


def test_no_feedback_page_quotes_a_hidden_test(cohort):
    hidden = hidden_test_lines()
    assert len(hidden) == len(PARTS)
    pages = feedback_pages(cohort)
    assert len(pages) >= 2 * len(STUDENTS) - 4  # missing and renamed notebooks have no page
    for page in pages:
        text = page.read_text()
        assert "HIDDEN TESTS" not in text, page
        for line in hidden:
            assert line not in text and html.escape(line) not in text, (page, line)


def test_no_feedback_page_gives_away_a_written_model_answer(cohort):
    model_answers = [
        cell.source.splitlines()[0]
        for name in NOTEBOOKS
        for cell in read_notebook(SOURCE_DIR / f"{name}.ipynb").cells
        if cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution")
    ]
    for page in (cohort.root / "feedback" / "blank_written_answers" / ASSIGNMENT).glob("*.html"):
        text = html.unescape(page.read_text())
        assert not any(answer in text for answer in model_answers), page


@pytest.mark.parametrize(
    "student", [s for s in STUDENTS if s.name.startswith("fails_")], ids=lambda s: s.name
)
def test_feedback_names_each_failed_part_and_why(cohort, student):
    for notebook in NOTEBOOKS:
        page = cohort.root / "feedback" / student.name / ASSIGNMENT / f"{notebook}.html"
        text = html.unescape(page.read_text())
        lost_here = [p for p in student.lost if graded_parts()[p][0] == notebook]
        assert text.count("Failed</span> (0 of") == len(lost_here)
        summary_rows = (
            text.split("Your results on the autograded parts")[1].split("</table>")[0].split("<tr>")
        )
        for part in lost_here:
            title, answer = PARTS[part].title, PARTS[part].answers[0][0]
            (row,) = [r for r in summary_rows if title in r]
            points = graded_parts()[part][1]
            assert f"0 of {points:g}" in row and answer in row.split("failed: ")[1], row


def test_a_broken_notebook_still_gets_feedback_saying_why(cohort):
    page = cohort.root / "feedback" / "invalid_json_ex1" / ASSIGNMENT / f"{NOTEBOOKS[0]}.html"
    assert "could not be graded in full" in page.read_text()
    dead = cohort.root / "feedback" / "kernel_dies_ex2" / ASSIGNMENT / f"{NOTEBOOKS[1]}.html"
    assert "the kernel died while running cell" in dead.read_text()


def test_huge_output_is_trimmed(cohort):
    graded = cohort.root / "autograded" / "huge_output_ex1" / ASSIGNMENT / f"{NOTEBOOKS[0]}.ipynb"
    page = cohort.root / "feedback" / "huge_output_ex1" / ASSIGNMENT / f"{NOTEBOOKS[0]}.html"
    assert graded.stat().st_size < 1_000_000 and page.stat().st_size < 2_000_000
    assert "output truncated by the autograder" in page.read_text()


def test_a_shipped_helpers_package_is_copied_but_never_imported(cohort):
    folder = cohort.root / "autograded" / "cheat_shadow_helpers_package" / ASSIGNMENT
    assert (folder / "helpers" / "__init__.py").exists()
    nb = nbformat.read(str(folder / f"{NOTEBOOKS[0]}.ipynb"), as_version=4)
    assert not any(o.output_type == "error" for o in nb.cells[_setup_index(nb)].outputs)


def _setup_index(nb) -> int:
    return next(
        i
        for i, c in enumerate(nb.cells)
        if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"
    )


EDITED_LOCKED = {
    "cheat_edit_test_cell": "test_majority_vote (its source)",
    "cheat_delete_test_cell": "test_tie_breaker (deleted)",
}


def test_only_a_real_edit_of_a_locked_cell_is_warned_about_and_reported(cohort):
    printed = (cohort.root / AUTOGRADE_OUTPUT).read_text()
    assert "Attribute 'checksum'" not in printed  # the hidden tests generate_assignment stripped
    warnings = [line for line in printed.splitlines() if "changed locked cells" in line]
    assert len(warnings) == len(EDITED_LOCKED), warnings
    for student, what in EDITED_LOCKED.items():
        (line,) = [w for w in warnings if f"{student}: {NOTEBOOKS[0]}.ipynb" in w]
        assert what in line
        assert what in cohort.report[(student, NOTEBOOKS[0])].notes
    for (student, _), row in cohort.report.items():
        if student not in EDITED_LOCKED:
            assert "locked" not in row.notes, row


def _pngs(nb) -> list[str]:
    return [
        output.data["image/png"]
        for cell in nb.cells
        for output in cell.get("outputs", [])
        if "image/png" in output.get("data", {})
    ]


def test_a_large_plot_reaches_the_feedback_whole(cohort):
    import base64

    folder = ("big_plot_ex1", ASSIGNMENT, f"{NOTEBOOKS[0]}")
    graded = nbformat.read(
        str(cohort.root.joinpath("autograded", *folder[:2], folder[2] + ".ipynb")), 4
    )
    (big,) = [png for png in _pngs(graded) if len(png) > 150_000]
    raw = base64.b64decode(big)
    assert raw.startswith(b"\x89PNG") and raw.endswith(b"IEND\xaeB`\x82")
    page = cohort.root.joinpath("feedback", *folder[:2], folder[2] + ".html").read_text()
    assert big.replace("\n", "") in page.replace("\n", "")


def test_every_plot_in_the_feedback_says_what_it_shows(cohort):
    page = (
        cohort.root / "feedback" / "instructor_solution" / ASSIGNMENT / f"{NOTEBOOKS[0]}.html"
    ).read_text()
    assert page.count("<img") >= 3
    assert "No description has been provided" not in page
    assert 'alt="Scatter plot of the examples coloured by your majority-vote labels' in page
