"""Grades into Canvas's and Moodle's own files, on the sample class graded by nbgrader.

The LMS files are the hand-written fixtures of ``golden/`` (see its README: built from what
each LMS writes); what the command writes is read back with Python's csv module set up as the
LMS reads, and compared cell by cell with what was downloaded. The sample class is graded once
(``python -m labgrader.sample``); each test works on a copy.
"""

import csv
import shutil
import subprocess
import sys

import pytest

from labgrader.course.assignment import NOTEBOOKS
from labgrader.course.config import nbgrader_env, run_nbgrader
from tests.support.builders import copy_of
from tests.support.lms import (
    CANVAS_EXPORT,
    CANVAS_SEMICOLON,
    IDS,
    MOODLE_WORKSHEET,
    WRITTEN,
    changed_cells,
    grade_by_hand,
    read_as_canvas,
    read_as_moodle,
    student_record,
)  # fmt: skip

EX1, EX2 = NOTEBOOKS
LAB = "Multiannotator lab (4242)"
SCALED = "Multiannotator lab, scaled to 100 (4243)"
ADA, BRONTE, ONEIL, DANA, ELI = 2, 3, 4, 5, 6  # rows of the Canvas export (0: header)


@pytest.fixture(scope="module")
def graded(sample_class, tmp_path_factory):
    """The sample class after a grader's work: sample_full_marks's written answers 2 + 2 and
    1 point of extra credit (19 of 18); sample_partial's first written answer only (waiting)."""
    root = copy_of(sample_class[0], tmp_path_factory.mktemp("lms") / "course")
    grade_by_hand(root, "sample_full_marks", EX1, WRITTEN[EX1], 2.0)
    grade_by_hand(root, "sample_full_marks", EX2, WRITTEN[EX2], 2.0)
    grade_by_hand(root, "sample_full_marks", EX1, "test_majority_vote", None, extra=1.0)
    grade_by_hand(root, "sample_partial", EX1, WRITTEN[EX1], 1.0)
    return root


@pytest.fixture
def course(graded, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(graded, root)
    return root


def report(root, *options):
    return subprocess.run(
        [sys.executable, "-m", "labgrader.reporting.report", "--course-root", str(root), *options],
        env=nbgrader_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@pytest.mark.slow
def test_canvas_round_trip_fills_the_column_and_nothing_else(course):
    run = report(course, "--canvas", str(CANVAS_EXPORT), "--column", LAB, "--ids", str(IDS))
    assert run.returncode == 0, run.stdout + run.stderr
    written = course / "reports" / "canvas-import.csv"
    assert written.read_bytes().startswith(b"\xef\xbb\xbf"), "Canvas's byte-order mark kept"
    assert b"\r\n" not in written.read_bytes()
    changed = changed_cells(read_as_canvas(CANVAS_EXPORT), read_as_canvas(written))
    assert changed == {(ADA, LAB): ("", "19.00"), (ONEIL, LAB): ("", "0.00")}
    out = run.stdout
    assert "sample_partial: 8 / 18, waiting for exercise2_crowdlab/explain_pred_probs" in out
    assert "Absent, Dana (dana)" in out and "Excused, Eli (eli)" in out
    assert "Student, Test" not in out  # Canvas's Student View user is nobody to list
    assert student_record(course, "sample_full_marks") == {
        "first_name": "Ada", "last_name": "Lovelace", "email": None, "lms_user_id": "1001"}  # fmt: skip
    assert student_record(course, "sample_blank")["first_name"] == 'Séan "Shay"'


@pytest.mark.slow
def test_canvas_percent_column_and_what_canvas_keeps(course):
    grade_by_hand(course, "sample_partial", EX2, WRITTEN[EX2], 2.0)  # now 10 of 18, ready
    run = report(course, "--canvas", str(CANVAS_EXPORT), "--column", SCALED, "--ids", str(IDS))
    assert run.returncode == 0, run.stdout + run.stderr
    written = read_as_canvas(course / "reports" / "canvas-import.csv")
    changed = changed_cells(read_as_canvas(CANVAS_EXPORT), written)
    assert changed == {(ADA, SCALED): ("", "105.56")}  # 19 of 18 points, as a percent
    assert "Brontë, Charlotte (SAMPLE_PARTIAL) = sample_partial: excused in Canvas" in run.stdout
    assert "= sample_blank: not assigned to this student in Canvas" in run.stdout


@pytest.mark.slow
def test_a_missing_login_loses_nobody(course):
    run = report(course, "--canvas", str(CANVAS_EXPORT), "--column", LAB)
    assert run.returncode == 1
    assert "NOT in the Canvas file:\n  sample_blank: 0 / 18" in run.stdout
    assert "Nothing written" in run.stdout
    assert not (course / "reports" / "canvas-import.csv").exists()
    assert student_record(course, "sample_full_marks")["first_name"] is None, "gradebook untouched"
    run = report(course, "--canvas", str(CANVAS_EXPORT), "--column", LAB, "--allow-missing")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "sample_blank: 0 / 18" in run.stdout and 'O\'Neil, Séan "Shay" (sb-login)' in run.stdout
    changed = changed_cells(read_as_canvas(CANVAS_EXPORT), read_as_canvas(
        course / "reports" / "canvas-import.csv"))  # fmt: skip
    assert changed == {(ADA, LAB): ("", "19.00")}


@pytest.mark.slow
def test_a_submission_not_autograded_is_said_so(course):
    handed_in = course / "submitted" / "dana" / "multiannotator"
    handed_in.mkdir(parents=True)
    shutil.copy(course / "release" / "multiannotator" / f"{EX1}.ipynb", handed_in)
    run = report(course, "--canvas", str(CANVAS_EXPORT), "--column", LAB, "--ids", str(IDS))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Handed in but not autograded (no grade exported):\n  dana" in run.stdout
    assert "Absent, Dana" not in run.stdout, "not listed as having handed in nothing"


@pytest.mark.slow
def test_canvas_one_new_column_per_notebook(course):
    run = report(course, "--canvas", str(CANVAS_EXPORT), "--per-notebook", "--ids", str(IDS))
    assert run.returncode == 0, run.stdout + run.stderr
    before = read_as_canvas(CANVAS_EXPORT)
    after = read_as_canvas(course / "reports" / "canvas-import.csv")
    new = [f"multiannotator {EX1}", f"multiannotator {EX2}"]
    at = before[0].index(SCALED) + 1  # after the last assignment, before the totals
    assert after[0] == before[0][:at] + new + before[0][at:]
    assert [row[at : at + 2] for row in after[1:]] == [
        ["10.00", "8.00"],
        ["11.00", "8.00"],
        ["", ""],
        ["0.00", "0.00"],
        ["", ""],
        ["", ""],
        ["", ""],
    ]  # points possible; Ada (11 with extra credit); Brontë waiting; O'Neil; Dana; Eli; Test
    assert [row[:at] + row[at + 2 :] for row in after] == before


@pytest.mark.slow
def test_canvas_semicolons_and_decimal_commas_stay(course):
    run = report(course, "--canvas", str(CANVAS_SEMICOLON), "--column", "Multiannotator lab",
                 "--allow-missing")  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    written = course / "reports" / "canvas-import.csv"
    changed = changed_cells(read_as_canvas(CANVAS_SEMICOLON, ";"), read_as_canvas(written, ";"))
    assert changed == {(2, "Multiannotator lab (4242)"): ("", "19,00")}
    assert "sample_blank: 0 / 18" in run.stdout


@pytest.mark.slow
def test_moodle_round_trip(course):
    grade_by_hand(course, "sample_full_marks", EX1, "test_majority_vote", None)  # 18 of 18
    run = report(course, "--moodle", str(MOODLE_WORKSHEET), "--ids", str(IDS))
    assert run.returncode == 0, run.stdout + run.stderr
    written = course / "reports" / "moodle-import.csv"
    assert not written.read_bytes().startswith(b"\xef\xbb\xbf")
    changed = changed_cells(read_as_moodle(MOODLE_WORKSHEET), read_as_moodle(written))
    assert changed == {(1, "Grade"): ("", "100.00"), (3, "Grade"): ("", "0.00")}
    assert "sample_partial: 8 / 18, waiting" in run.stdout
    assert "Dana Absent (dana@example.edu)" in run.stdout
    assert student_record(course, "sample_full_marks")["email"] == "sample_full_marks@example.edu"
    grade_by_hand(course, "sample_full_marks", EX1, "test_majority_vote", None, extra=1.0)
    grade_by_hand(course, "sample_partial", EX2, WRITTEN[EX2], 2.0)
    run = report(course, "--moodle", str(MOODLE_WORKSHEET), "--ids", str(IDS))
    assert "105.56 is above Moodle's Maximum Grade 100" in run.stdout  # Moodle's upload skips it
    assert "sample_partial: Moodle says this grade cannot be changed" in run.stdout
    changed = changed_cells(read_as_moodle(MOODLE_WORKSHEET), read_as_moodle(written))
    assert changed == {(3, "Grade"): ("", "0.00")}


@pytest.mark.slow
def test_roster_only_fills_names_and_writes_no_file(course):
    run = report(course, "--moodle", str(MOODLE_WORKSHEET), "--ids", str(IDS), "--roster-only")
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (course / "reports" / "moodle-import.csv").exists()
    assert student_record(course, "sample_partial") == {
        "first_name": "Charlotte", "last_name": "Brontë, PhD",
        "email": "Sample_Partial@Example.edu", "lms_user_id": None}  # fmt: skip


@pytest.mark.slow
def test_nbgrader_export_plugins(course):
    canvas = f"--CanvasExport.lms_file={CANVAS_EXPORT}"
    through_nbgrader = course / "from-nbgrader.csv"
    run_nbgrader(course, "export", "--exporter=labgrader.reporting.lms_plugins.CanvasExport",
                 canvas, f"--CanvasExport.ids={IDS}", f"--CanvasExport.column={LAB}",
                 "--to", str(through_nbgrader))  # fmt: skip
    assert report(course, "--canvas", str(CANVAS_EXPORT), "--column", LAB, "--ids", str(IDS),
                  "--lms-output", str(course / "from-report.csv")).returncode == 0  # fmt: skip
    assert read_as_canvas(through_nbgrader) == read_as_canvas(course / "from-report.csv")
    moodle = run_nbgrader(course, "export", "--exporter=labgrader.reporting.lms_plugins.MoodleExport",
                          f"--MoodleExport.lms_file={MOODLE_WORKSHEET}", check=False)  # fmt: skip
    assert moodle.returncode == 1 and "sample_blank: 0 / 18" in moodle.stdout
    assert not (course / "reports" / "moodle-import.csv").exists()


@pytest.mark.slow
def test_the_grade_report_names_pairs_of_alike_code(course):
    """sample_full_marks and sample_partial hand in the instructor's majority vote alike."""
    compared = subprocess.run(
        [sys.executable, "-m", "labgrader.reporting.similarity_cli", "--course-root", str(course)],
        env=nbgrader_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "sample_full_marks / sample_partial: answer_majority_vote 1.00" in compared.stdout
    assert report(course).returncode == 0
    with (course / "reports" / "grade_report.csv").open(newline="") as handle:
        notes = {(r["student"], r["notebook"]): r["notes"] for r in csv.DictReader(handle)}
    assert "code alike" in notes[("sample_full_marks", EX1)]
    assert "sample_partial (answer_majority_vote, 1.000)" in notes[("sample_full_marks", EX1)]
    assert "code alike" not in notes[("sample_blank", EX1)] + notes[("sample_blank", EX2)]


def test_bad_files_get_a_clear_message(tmp_path, course):
    latin1 = tmp_path / "export.csv"
    latin1.write_bytes(CANVAS_EXPORT.read_bytes().decode("utf-8-sig").encode("latin-1"))
    run = report(course, "--canvas", str(latin1), "--roster-only")
    assert run.returncode == 1 and "is not UTF-8 text" in run.stdout
    run = report(course, "--canvas", str(MOODLE_WORKSHEET), "--roster-only")
    assert run.returncode == 1 and "is not a Canvas gradebook export" in run.stdout
    run = report(course, "--moodle", str(MOODLE_WORKSHEET), "--per-notebook")
    assert run.returncode == 1 and "one grade per assignment" in run.stdout
