"""Canvas's gradebook export (Grades > Export), as Canvas writes it and reads it back.

The export's first columns say who each row is: ``Student`` (``Last, First``; or
``LastName`` and ``FirstName``), ``ID`` (the Canvas user id), ``SIS User ID``, ``SIS Login
ID``, sometimes ``Integration ID`` and ``Root Account``, and ``Section``. Then come custom
columns, one column per assignment named ``<title> (<id>)``, and read-only totals. A
``Points Possible`` row follows the header (and, when an assignment posts grades manually, a
row before it saying ``Manual Posting``). Canvas writes ``EX`` for an excused student and
``N/A`` where the assignment is not assigned to the student; both are left as they are.

On import, a column whose name Canvas does not know becomes a new assignment, with the points
in its ``Points Possible`` cell.
"""

from __future__ import annotations

import re

from labgrader.reporting.lms_files import (
    LmsFileError,
    LmsFormat,
    Sheet,
    Target,
    format_number,
    parse_number,
)

IDENTITY = ("ID", "SIS Login ID", "Section")
POINTS_POSSIBLE = "Points Possible"
TEST_STUDENT = "Student, Test"  # Canvas's Student View user, in every export
TOTALS = re.compile(
    r"(Current|Final|Unposted Current|Unposted Final|Override) (Points|Score|Grade)"
)
WITH_ID = re.compile(r"^(.*) \((\d+)\)$")
LEFT_AS_IT_IS = {"EX": "excused in Canvas", "N/A": "not assigned to this student in Canvas"}


class Canvas(LmsFormat):
    name = "Canvas"
    import_file = "canvas-import.csv"
    default_match = "SIS Login ID"

    def check(self, sheet: Sheet) -> None:
        sheet.require(*IDENTITY, what="a Canvas gradebook export")
        if "Student" not in sheet.header and "LastName" not in sheet.header:
            raise LmsFileError(f"{sheet.path} is not a Canvas gradebook export: no Student column")

    def _points_row(self, sheet: Sheet) -> int | None:
        name = sheet.column("Student") if "Student" in sheet.header else sheet.column("LastName")
        for index, row in enumerate(sheet.rows):
            if row[name].strip() == POINTS_POSSIBLE:
                return index
        return None

    def student_rows(self, sheet: Sheet) -> list[int]:
        user_id = sheet.column("ID")
        return [
            index
            for index, row in enumerate(sheet.rows)
            if row[user_id].strip() and self.names(sheet, index)["full"] != TEST_STUDENT
        ]

    def names(self, sheet: Sheet, row: int) -> dict:
        cells = dict(zip(sheet.header, sheet.rows[row], strict=True))
        if "LastName" in cells:
            last, first = cells["LastName"].strip(), cells.get("FirstName", "").strip()
            full = f"{last}, {first}"
        else:
            full = cells["Student"].strip()
            if full.startswith('="') and full.endswith('"'):  # Canvas's guard against formulas
                full = full[2:-1]
            last, _, first = full.partition(", ")
        return {"first_name": first.strip(), "last_name": last.strip(), "email": "",
                "lms_user_id": cells["ID"].strip(), "full": full}  # fmt: skip

    def display(self, sheet: Sheet, row: int) -> str:
        login = sheet.rows[row][sheet.column("SIS Login ID")].strip() or "no SIS Login ID"
        return f"{self.names(sheet, row)['full']} ({login})"

    def _find(self, sheet: Sheet, name: str) -> int | None:
        if name in sheet.header:
            return sheet.header.index(name)
        titled = [i for i, h in enumerate(sheet.header) if (m := WITH_ID.match(h)) and m[1] == name]
        return titled[0] if len(titled) == 1 else None

    def _new_column_at(self, sheet: Sheet) -> int:
        assignments = [i for i, header in enumerate(sheet.header) if WITH_ID.match(header)]
        if assignments:
            return assignments[-1] + 1
        totals = [i for i, header in enumerate(sheet.header) if TOTALS.search(header)]
        return totals[0] if totals else len(sheet.header)

    def targets(self, sheet: Sheet, columns: list, notebooks: dict, assignment: str) -> list:
        wanted = {}  # notebook (None: the total) -> column name
        if None in notebooks:
            if len(columns) > 1:
                raise LmsFileError("name one --column for the total (or ask for --per-notebook)")
            wanted[None] = columns[0] if columns else assignment
        else:
            named = dict(_notebook_column(text, notebooks) for text in columns)
            wanted = {nb: named.get(nb, f"{assignment} {nb}") for nb in notebooks}
        targets, points_row = [], self._points_row(sheet)
        if points_row is None:
            raise LmsFileError(f"{sheet.path}: no '{POINTS_POSSIBLE}' row under the header")
        at = self._new_column_at(sheet)  # new columns go here, in order
        for notebook, name in wanted.items():
            column = self._find(sheet, name)
            if column is not None:
                targets.append(Target(column, sheet.header[column], notebook))
                continue
            sheet.insert_column(at, name)
            targets = [
                Target(t.column + (t.column >= at), t.name, t.notebook, t.new) for t in targets
            ]
            points = format_number(notebooks[notebook], self.decimal_comma(sheet))
            sheet.rows[points_row][at] = points
            targets.append(Target(at, name, notebook, new=True))
            at += 1
        return targets

    def points_possible(self, sheet: Sheet, target: Target, row: int) -> float | None:
        points_row = self._points_row(sheet)
        return None if points_row is None else parse_number(sheet.rows[points_row][target.column])

    def refuses(self, sheet: Sheet, target: Target, row: int) -> str | None:
        return LEFT_AS_IT_IS.get(sheet.rows[row][target.column].strip())

    def decimal_comma(self, sheet: Sheet) -> bool:
        points_row = self._points_row(sheet)
        return points_row is not None and sheet.decimal_comma(sheet.rows[points_row])


def _notebook_column(text: str, notebooks: dict) -> tuple[str, str]:
    notebook, separator, column = text.partition("=")
    if not separator or notebook not in notebooks:
        raise LmsFileError(
            f"with --per-notebook, name each column as NOTEBOOK=COLUMN, NOTEBOOK one of "
            f"{', '.join(n for n in notebooks if n)} (got {text!r})"
        )
    return notebook, column
