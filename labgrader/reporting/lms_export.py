"""The lab's grades into an LMS's own file, losing nobody: the common steps of Canvas and Moodle.

:func:`fill_lms_file` reads the file the instructor downloaded from the LMS, matches its rows
to nbgrader's students (:mod:`~labgrader.reporting.lms_match`), fills the lab's column with
each ready grade (scaled to the column's points possible: points, or percent where the column
is worth 100), writes the students' names into the gradebook, and writes a copy of the file
for the LMS's import. It says who was not exported and why (:class:`LmsOutcome`). When a
gradebook student with a submission is missing from the LMS file, or two rows are one
student, it writes nothing at all unless told ``allow_missing`` (the duplicates never).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from labgrader.course.assignment import ASSIGNMENT
from labgrader.course.students import update_students
from labgrader.reporting.canvas import Canvas
from labgrader.reporting.lms_files import LmsFileError, LmsFormat, format_number, read_sheet
from labgrader.reporting.lms_files import write_sheet as write_lms_sheet
from labgrader.reporting.lms_grades import lab_grades, points_of, submitted_not_graded
from labgrader.reporting.lms_match import match_rows, read_ids
from labgrader.reporting.moodle import Moodle

FORMATS = {"canvas": Canvas(), "moodle": Moodle()}


@dataclass
class LmsOptions:
    """What the instructor asked for (the command's options)."""

    columns: list = field(default_factory=list)  # --column (NOTEBOOK=COLUMN with per_notebook)
    match: str = ""  # --match; empty: the LMS's default
    ids: Path | None = None  # --ids
    per_notebook: bool = False
    allow_missing: bool = False
    roster_only: bool = False
    assignment: str = ASSIGNMENT


@dataclass
class LmsOutcome:
    """What was written, and everyone who was not given a grade, with why."""

    lms: str
    written: Path | None = None
    columns: list = field(default_factory=list)  # (name, new)
    exported: int = 0
    waiting: list = field(default_factory=list)  # manual grading unfinished: not exported
    not_graded: list = field(default_factory=list)  # handed in, not in the gradebook
    kept: list = field(default_factory=list)  # the LMS says the cell stays as it is
    no_submission: list = field(default_factory=list)  # LMS rows without a submission
    missing: list = field(default_factory=list)  # gradebook students with a grade, not in the file
    absent: list = field(default_factory=list)  # gradebook students, nothing submitted, not in it
    duplicates: list = field(default_factory=list)  # several rows are one student
    unknown_ids: list = field(default_factory=list)  # --ids lines naming nobody in nbgrader
    names_filled: list = field(default_factory=list)
    allow_missing: bool = False

    @property
    def blocked(self) -> bool:
        """Whether nothing was written: a grade would be lost or given to the wrong row."""
        return bool(self.duplicates or (self.missing and not self.allow_missing))


def fill_lms_file(
    lms: LmsFormat,
    lms_path: Path,
    gradebook: Gradebook,
    options: LmsOptions,
    output: Path | None = None,
    course_root: Path | None = None,
) -> LmsOutcome:
    """Fill the lab's grades into a copy of the LMS's file at ``output``, names into the gradebook.

    With ``options.roster_only`` only the names are written. Raises :class:`~labgrader.reporting.lms_files.LmsFileError` on a
    file or option that cannot be used.
    """
    sheet = read_sheet(lms_path)
    lms.check(sheet)
    key_column = options.match or lms.default_match
    sheet.require(key_column, what=f"the {lms.name} file --match names")
    try:
        points = points_of(gradebook, options.assignment)
    except MissingEntry:
        raise LmsFileError(
            f"the gradebook has no assignment {options.assignment!r}: autograde it first"
        ) from None
    grades = lab_grades(gradebook, options.assignment)
    targets = []
    if not options.roster_only:  # a column that cannot be filled is said first
        wanted = {nb: p for nb, p in points.items() if (nb is None) != options.per_notebook}
        targets = lms.targets(sheet, list(options.columns), wanted, options.assignment)
    rows = lms.student_rows(sheet)
    keys = {row: sheet.rows[row][sheet.column(key_column)] for row in rows}
    not_graded = submitted_not_graded(course_root, options.assignment, grades)
    known = set(grades) | set(not_graded)
    matching = match_rows(keys, known, read_ids(options.ids) if options.ids else None)
    outcome = LmsOutcome(lms.name, allow_missing=options.allow_missing)
    outcome.unknown_ids = matching.unknown_ids
    outcome.duplicates = [
        f"{student}: " + "; ".join(lms.display(sheet, row) for row in rows_)
        for student, rows_ in sorted(matching.duplicates.items())
    ]
    matched = matching.row_of()
    for student, grade in sorted(grades.items()):
        if student not in matched and student not in {*matching.duplicates, *not_graded}:
            listed = f"{student}: {grade.describe(points[None])}"
            (outcome.absent if grade.total is None else outcome.missing).append(listed)
    outcome.not_graded = not_graded
    if outcome.blocked:
        return outcome
    outcome.names_filled = update_students(
        gradebook,
        {student: lms.names(sheet, row) for student, row in matched.items() if student in grades},
    )
    if options.roster_only:
        return outcome
    outcome.columns = [(target.name, target.new) for target in targets]
    comma = lms.decimal_comma(sheet)
    for row in rows:
        student = matching.student_of_row.get(row)
        if student is None:
            if row not in {r for rs in matching.duplicates.values() for r in rs}:
                outcome.no_submission.append(lms.display(sheet, row))
            continue
        if student in not_graded:
            continue  # listed as handed in, not autograded
        grade = grades[student]
        if grade.total is None:
            outcome.no_submission.append(f"{lms.display(sheet, row)} = {student}")
            continue
        if grade.waiting:
            outcome.waiting.append(f"{student}: {grade.describe(points[None])}")
            continue
        for target in targets:
            reason = lms.refuses(sheet, target, row)
            if reason:
                outcome.kept.append(f"{lms.display(sheet, row)} = {student}: {reason}")
                continue
            value = (
                grade.total
                if target.notebook is None
                else grade.notebooks.get(target.notebook, 0.0)
            )
            possible = lms.points_possible(sheet, target, row)
            best = points[target.notebook]
            scaled = value / best * possible if possible and best else value
            reason = lms.rejects(scaled, possible)
            if reason:
                outcome.kept.append(f"{lms.display(sheet, row)} = {student}: {reason}")
                continue
            sheet.rows[row][target.column] = format_number(scaled, comma)
            outcome.exported += 1
    output = Path(output or Path(course_root or ".") / "reports" / lms.import_file)
    outcome.written = write_lms_sheet(sheet, output)
    return outcome


def _section(title: str, lines: list, stream) -> None:
    if lines:
        print(title, file=stream)
        for line in lines:
            print(f"  {line}", file=stream)


def print_outcome(outcome: LmsOutcome, stream=sys.stdout) -> None:
    """Say what was written, and list everyone who was not given a grade, with why."""
    lms = outcome.lms
    if outcome.written:
        columns = ", ".join(
            f"'{name}'" + (f" (new: {lms} creates it on import)" if new else "")
            for name, new in outcome.columns
        )
        print(
            f"{lms}: wrote {outcome.written}: {outcome.exported} grades in {columns}", file=stream
        )
    _section("Not exported, manual grading unfinished (their cells left as they were):",
             outcome.waiting, stream)  # fmt: skip
    _section("Handed in but not autograded (no grade exported):", outcome.not_graded, stream)
    _section(f"Left as {lms} has them:", outcome.kept, stream)
    _section(f"In the {lms} file with nothing submitted (their cells left as they were):",
             outcome.no_submission, stream)  # fmt: skip
    _section(f"In the gradebook, not in the {lms} file, nothing submitted:", outcome.absent, stream)
    _section(f"In the gradebook with a grade, NOT in the {lms} file:", outcome.missing, stream)
    _section(f"One student on several rows of the {lms} file (none of them filled):",
             outcome.duplicates, stream)  # fmt: skip
    _section("Lines of the --ids file naming no nbgrader student:", outcome.unknown_ids, stream)
    if outcome.blocked:
        print(
            "Nothing written: a grade would be lost. Match these students with --ids FILE "
            "(columns lms_key,student_id) or --match another column"
            + ("" if outcome.duplicates else ", or run again with --allow-missing"),
            file=stream,
        )
