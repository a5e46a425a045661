"""A grade report that loses nobody: every student who submitted anything, every notebook.

nbgrader's ``export`` writes 0.0 for a notebook it could not grade and leaves out
a student whose submission held no notebook. This report starts from the
``submitted/`` folders instead, and gives each (student, notebook) a status:

- ``graded``: autograded, nothing waits for a person;
- ``needs manual grading``: autograded, but a written answer (or an overridden
  score) waits for a grader;
- ``missing``: the submission holds no such notebook (a renamed one is named);
- ``not gradable``: the file is there but could not be graded, with the reason.

Each row also carries what graders wrote on the notebook (``comments``) and what an
instructor must know about how it was graded (``notes``: locked cells the student
changed, student code that ran without the sandbox, answers that come from another
dataset than the student's own).

Run ``multiannotator-grade-report`` in the course root; it prints the table and
writes ``reports/grade_report.csv``.
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook, MissingEntry

from labgrader.autograde.failures import FAILED_SUBMISSION_FILE, STATE_KEY, grading_failure
from labgrader.autograde.intake import notebook_problem
from labgrader.autograde.integrity import edited_locked_cells
from labgrader.autograde.verify import VERDICT_KEY
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS
from labgrader.course.config import course_db_url
from labgrader.reporting.comments import manual_comments
from labgrader.reporting.lms_cli import add_lms_arguments, lms_requested, run_lms
from labgrader.reporting.similarity_notes import similarity_is_stale, similarity_notes

GRADED, MANUAL, MISSING, NOT_GRADABLE = "graded", "needs manual grading", "missing", "not gradable"


@dataclass(frozen=True)
class ReportRow:
    """One student's result on one notebook."""

    student: str
    notebook: str
    status: str
    score: float | None
    max_score: float
    reason: str = ""
    comments: str = ""  # what graders wrote, "cell: text; ..."
    notes: str = ""  # what an instructor must know: edited locked cells, no sandbox, copies


def submitted_students(course_root: Path) -> list[str]:
    """Students whose submission folder holds at least one file."""
    submitted = Path(course_root) / "submitted"
    if not submitted.is_dir():
        return []
    return sorted(
        folder.name
        for folder in submitted.iterdir()
        if folder.is_dir() and any(path.is_file() for path in folder.rglob("*"))
    )


def _row(gradebook, course_root: Path, student: str, notebook: str, max_score: float) -> ReportRow:
    folder = Path(course_root) / "submitted" / student / ASSIGNMENT
    path = folder / f"{notebook}.ipynb"
    if not path.exists():
        others = (
            sorted(p.name for p in folder.glob("*.ipynb") if p.stem not in NOTEBOOKS)
            if folder.is_dir()
            else []
        )
        hint = f"; the submission has {', '.join(others)} (renamed?)" if others else ""
        return ReportRow(
            student, notebook, MISSING, 0.0, max_score, f"no {path.name} in the submission{hint}"
        )
    graded_file = Path(course_root) / "autograded" / student / ASSIGNMENT / path.name
    if not graded_file.exists():
        note = graded_file.parent / FAILED_SUBMISSION_FILE
        reason = notebook_problem(path) or (note.read_text().strip() if note.exists() else "")
        reason = reason or "not autograded yet (or autograde failed: see its log)"
        return ReportRow(student, notebook, NOT_GRADABLE, None, max_score, reason)
    try:
        result = gradebook.find_submission_notebook(notebook, ASSIGNMENT, student)
    except MissingEntry:
        return ReportRow(student, notebook, NOT_GRADABLE, None, max_score, "not in the gradebook")
    graded = nbformat.read(str(graded_file), as_version=4)
    extra = {
        "comments": "; ".join(f"{cell}: {text}" for cell, text in manual_comments(result).items()),
        "notes": "; ".join(_notes(graded)),
    }
    failure = grading_failure(graded)
    if failure:
        return ReportRow(student, notebook, NOT_GRADABLE, result.score, max_score, failure, **extra)
    waiting = [grade.name for grade in result.grades if grade.needs_manual_grade]
    if waiting:
        reason = "waiting: " + ", ".join(waiting)
        return ReportRow(student, notebook, MANUAL, result.score, max_score, reason, **extra)
    return ReportRow(student, notebook, GRADED, result.score, max_score, **extra)


def _notes(graded_nb) -> list[str]:
    notes = []
    edited = edited_locked_cells(graded_nb)
    if edited:
        notes.append("the student changed locked cells: " + ", ".join(edited))
    confinement = graded_nb.metadata.get(STATE_KEY, {}).get("confinement", "")
    if confinement.startswith("not sandboxed"):
        notes.append("student code was " + confinement)
    copied = [
        cell.metadata[VERDICT_KEY]["part"]
        for cell in graded_nb.cells
        if cell.metadata.get(VERDICT_KEY, {}).get("another_dataset")
    ]
    if copied:
        notes.append(
            "answers computed on another dataset than the student's own (copied?): "
            + ", ".join(copied)
        )
    return notes


def grade_report(course_root: Path, db_url: str | None = None) -> list[ReportRow]:
    """One row per (student who submitted anything, notebook of the assignment)."""
    course_root = Path(course_root)
    db_url = db_url or course_db_url(course_root)
    with Gradebook(db_url) as gradebook:
        max_scores = {
            nb.name: nb.max_score for nb in gradebook.find_assignment(ASSIGNMENT).notebooks
        }
        rows = [
            _row(gradebook, course_root, student, notebook, max_scores.get(notebook, 0.0))
            for student in submitted_students(course_root)
            for notebook in NOTEBOOKS
        ]
    alike = similarity_notes(course_root)
    return [
        replace(row, notes="; ".join(filter(None, (row.notes, alike[(row.student, row.notebook)]))))
        if (row.student, row.notebook) in alike
        else row
        for row in rows
    ]


def gradebook_snapshot(db_url: str) -> dict:
    """Every grade and comment in a gradebook, by (student, notebook, cell, kind)."""
    snapshot = {}
    with Gradebook(db_url) as gradebook:
        for assignment in gradebook.assignments:
            for submission in assignment.submissions:
                for notebook in submission.notebooks:
                    key = (submission.student.id, notebook.name)
                    for grade in notebook.grades:
                        snapshot[(*key, grade.name, "grade")] = (
                            grade.auto_score,
                            grade.manual_score,
                            grade.needs_manual_grade,
                            grade.max_score,
                        )
                    for comment in notebook.comments:
                        snapshot[(*key, comment.name, "comment")] = (
                            comment.auto_comment,
                            comment.manual_comment,
                        )
    return snapshot


def write_csv(rows: list[ReportRow], path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(ReportRow.__dataclass_fields__))
        writer.writeheader()
        writer.writerows(asdict(row) for row in rows)


def print_table(rows: list[ReportRow], stream=sys.stdout) -> None:
    """Print one line per student: each notebook's score and status, and the total."""
    students = sorted({row.student for row in rows})
    width = max([len("student"), *map(len, students)])
    header = f"{'student':<{width}}  " + "  ".join(f"{nb:<34}" for nb in NOTEBOOKS) + "  total"
    print(header, file=stream)
    print("-" * len(header), file=stream)
    for student in students:
        cells, total, best = [], 0.0, 0.0
        for notebook in NOTEBOOKS:
            row = next(r for r in rows if r.student == student and r.notebook == notebook)
            score = "-" if row.score is None else f"{row.score:g}"
            cells.append(f"{score + ' / ' + format(row.max_score, 'g') + ' ' + row.status:<34}")
            total, best = total + (row.score or 0.0), best + row.max_score
        print(f"{student:<{width}}  " + "  ".join(cells) + f"  {total:g} / {best:g}", file=stream)
    for row in rows:
        if row.reason:
            print(f"  {row.student} {row.notebook}: {row.reason}", file=stream)
    for row in rows:
        if row.notes:
            print(f"NOTE {row.student} {row.notebook}: {row.notes}", file=stream)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Grade report of every submission, with status.")
    parser.add_argument("--course-root", type=Path, default=Path.cwd())
    parser.add_argument("--output", type=Path, help="CSV path (default: reports/grade_report.csv)")
    add_lms_arguments(parser)
    args = parser.parse_args(argv)
    if args.roster_only and not lms_requested(args):
        parser.error("--roster-only reads the names from --canvas FILE or --moodle FILE")
    if args.roster_only:
        return run_lms(args, args.course_root)
    rows = grade_report(args.course_root)
    output = args.output or args.course_root / "reports" / "grade_report.csv"
    write_csv(rows, output)
    print_table(rows)
    print(f"\nwrote {output}")
    if similarity_is_stale(args.course_root):
        print(
            "reports/similarity.csv is older than some submissions: run multiannotator-similarity"
        )
    return run_lms(args, args.course_root) if lms_requested(args) else 0


if __name__ == "__main__":
    sys.exit(main())
