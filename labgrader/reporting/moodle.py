"""Moodle's assignment grading worksheet ("Download grading worksheet"), as Moodle reads it back.

The worksheet has one row per participant: ``Identifier`` (``Participant <n>``, what Moodle
matches the row by on upload), ``Full name``, the identity fields the site shows (such as
``Email address``), ``Status``, ``Grade``, ``Maximum Grade``, ``Grade can be changed``, the
times the submission and the grade were last modified, and ``Feedback comments``. Moodle's
upload reads ``Identifier``, ``Grade`` and ``Last modified (grade)``, so the lab fills ``Grade``
only. The upload skips a grade that is empty, unchanged, above the maximum, locked, or changed
in Moodle since the worksheet was downloaded: a row whose ``Grade can be changed`` is ``No``
(locked, or overridden in the gradebook) is left as it is, and a grade above ``Maximum Grade``
(extra credit) is not written but listed, to be entered by hand.

One worksheet holds one grade per assignment: the total, in the worksheet's ``Maximum Grade``.
"""

from __future__ import annotations

from labgrader.reporting.lms_files import LmsFileError, LmsFormat, Sheet, Target, parse_number

REQUIRED = ("Identifier", "Full name", "Grade", "Last modified (grade)")


class Moodle(LmsFormat):
    name = "Moodle"
    import_file = "moodle-import.csv"
    default_match = "Email address"

    def check(self, sheet: Sheet) -> None:
        sheet.require(*REQUIRED, what="a Moodle grading worksheet")
        if "Maximum Grade" not in sheet.header:
            raise LmsFileError(
                f"{sheet.path}: no 'Maximum Grade' column: the assignment is graded on a scale, "
                "and the lab's points do not translate to one. Grade it in points in Moodle."
            )

    def student_rows(self, sheet: Sheet) -> list[int]:
        identifier = sheet.column("Identifier")
        return [i for i, row in enumerate(sheet.rows) if row[identifier].strip()]

    def names(self, sheet: Sheet, row: int) -> dict:
        cells = dict(zip(sheet.header, sheet.rows[row], strict=True))
        full = cells["Full name"].strip()
        # One "Full name" (Moodle's default order: first, then last): the first word is taken as
        # the first name and the rest as the last name (García Márquez, van der Berg).
        first, _, last = full.partition(" ")
        return {"first_name": first, "last_name": last,
                "email": cells.get("Email address", "").strip(), "lms_user_id": "",
                "full": full}  # fmt: skip

    def display(self, sheet: Sheet, row: int) -> str:
        cells = dict(zip(sheet.header, sheet.rows[row], strict=True))
        key = cells.get("Email address", "").strip() or cells["Identifier"].strip()
        return f"{cells['Full name'].strip()} ({key})"

    def targets(self, sheet: Sheet, columns: list, notebooks: dict, assignment: str) -> list:
        if None not in notebooks:
            raise LmsFileError(
                "a Moodle grading worksheet holds one grade per assignment: drop --per-notebook "
                "(or make each notebook its own Moodle assignment, with its own worksheet)"
            )
        if columns and columns != ["Grade"]:
            raise LmsFileError("a Moodle grading worksheet's grade goes in its 'Grade' column only")
        return [Target(sheet.column("Grade"), "Grade")]

    def points_possible(self, sheet: Sheet, target: Target, row: int) -> float | None:
        return parse_number(sheet.rows[row][sheet.column("Maximum Grade")])

    def decimal_comma(self, sheet: Sheet) -> bool:
        column = sheet.column("Maximum Grade")
        return sheet.decimal_comma(row[column] for row in sheet.rows)

    def rejects(self, value: float, possible: float | None) -> str | None:
        if possible is not None and value > possible + 1e-9:
            return (
                f"{value:.2f} is above Moodle's Maximum Grade {possible:g} (extra credit), which "
                "Moodle's upload skips: enter it in Moodle by hand"
            )
        return None

    def refuses(self, sheet: Sheet, target: Target, row: int) -> str | None:
        column = sheet.column("Grade can be changed")
        if column is not None and sheet.rows[row][column].strip().casefold() == "no":
            return (
                "Moodle says this grade cannot be changed (locked, or overridden in its gradebook)"
            )
        return None
