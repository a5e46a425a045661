"""Which row of an LMS file is which nbgrader student: by a key column, never by name.

A row's key (the value of the column named by ``--match``, such as Canvas's ``SIS Login ID``)
is compared with nbgrader's student ids, ignoring case and surrounding spaces; an email
address also matches the student id that is its part before ``@`` when exactly one student
has that id. Where the LMS and nbgrader know a student by different keys, a mapping file
(``--ids``: a CSV with columns ``lms_key,student_id``) says who is who, and wins. Two rows
that would be one student are both left out and reported: a grade is never given twice, nor
to the wrong row.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from labgrader.reporting.lms_files import LmsFileError


def _key(value: str) -> str:
    return value.strip().casefold()


def read_ids(path: Path) -> dict[str, str]:
    """The mapping file's ``lms_key -> student_id``, keys compared as ``_key`` does."""
    path = Path(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise LmsFileError(f"cannot read the mapping file {path}: {error.strerror}") from error
    with handle:
        reader = csv.DictReader(handle)
        if not {"lms_key", "student_id"} <= set(reader.fieldnames or ()):
            raise LmsFileError(
                f"{path}: a mapping file has the columns lms_key,student_id "
                f"(it has {', '.join(reader.fieldnames or ['none'])})"
            )
        mapping = {}
        for number, row in enumerate(reader, start=2):
            key, student = _key(row["lms_key"] or ""), (row["student_id"] or "").strip()
            if not key or not student:
                raise LmsFileError(f"{path}:{number}: both lms_key and student_id are needed")
            if mapping.get(key, student) != student:
                raise LmsFileError(
                    f"{path}:{number}: {row['lms_key']!r} is mapped to both "
                    f"{mapping[key]!r} and {student!r}"
                )
            mapping[key] = student
    return mapping


@dataclass
class Matching:
    """Which LMS row is which student, and what could not be matched."""

    student_of_row: dict = field(default_factory=dict)  # row index -> student id
    unmatched_rows: list[int] = field(default_factory=list)  # rows that are nobody in nbgrader
    duplicates: dict = field(default_factory=dict)  # student -> rows (left out)
    unknown_ids: list[str] = field(default_factory=list)  # mapping lines naming nobody in nbgrader

    def row_of(self) -> dict[str, int]:
        return {student: row for row, student in self.student_of_row.items()}


def match_rows(keys: dict[int, str], students: set[str], mapping: dict | None = None) -> Matching:
    """Match each row's key (row index -> key) to one of ``students``.

    ``mapping`` (from :func:`read_ids`) is consulted first; a mapping line naming a student
    nbgrader does not know is reported, never followed. (A line whose key is in no row is not:
    one mapping file may serve several LMS files.)
    """
    mapping = mapping or {}
    by_key = {_key(student): student for student in students}
    by_local_part: dict[str, list[str]] = {}
    for student in students:
        by_local_part.setdefault(_key(student), []).append(student)
    matching = Matching()
    claimed: dict[str, list[int]] = {}
    for row, value in keys.items():
        key = _key(value)
        student = None
        if key and key in mapping and mapping[key] in students:
            student = mapping[key]
        elif key in by_key:
            student = by_key[key]
        elif "@" in key and len(by_local_part.get(key.split("@")[0], [])) == 1:
            student = by_local_part[key.split("@")[0]][0]
        if student is None:
            matching.unmatched_rows.append(row)
        else:
            claimed.setdefault(student, []).append(row)
    for student, rows in claimed.items():
        if len(rows) > 1:
            matching.duplicates[student] = rows
        else:
            matching.student_of_row[rows[0]] = student
    matching.unknown_ids = sorted(
        f"{key} -> {student}" for key, student in mapping.items() if student not in students
    )
    return matching
