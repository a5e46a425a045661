"""The course's students in its gradebook, with the names people look for in the Formgrader.

nbgrader's ``nbgrader db student add`` sets every field it is given and blanks the others, so
a later run without a name would erase one the LMS filled in. :func:`record_students` writes
only the fields it is given, and adds the students the gradebook does not have yet.
``python -m labgrader.course.students --course-root DIR`` does the same with the students
read from standard input as JSON (``{"alice": {"first_name": "Alice", ...}, ...}``): the hub
runs it as the course's grading account, which owns the gradebook.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from labgrader.course.config import course_db_url

FIELDS = ("first_name", "last_name", "email", "lms_user_id")


def update_students(gradebook: Gradebook, students: dict[str, dict]) -> list[str]:
    """Add or update each student (id -> fields) in an open gradebook; write only non-empty
    fields that differ. Returns the students added or changed."""
    changed = []
    for student_id, fields in students.items():
        given = {key: str(fields[key]) for key in FIELDS if fields.get(key)}
        try:
            current = gradebook.find_student(student_id)
        except MissingEntry:
            gradebook.add_student(student_id, **given)
            changed.append(student_id)
            continue
        update = {k: v for k, v in given.items() if v != (getattr(current, k) or "")}
        if update:
            gradebook.update_or_create_student(student_id, **update)
            changed.append(student_id)
    return changed


def record_students(db_url: str, students: dict[str, dict]) -> list[str]:
    """:func:`update_students` in the gradebook at ``db_url`` (made if there is none yet)."""
    with Gradebook(db_url) as gradebook:
        return update_students(gradebook, students)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Record students (JSON on stdin) in a gradebook.")
    parser.add_argument("--course-root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    students = json.load(sys.stdin)
    record_students(course_db_url(args.course_root), students)
    return 0


if __name__ == "__main__":
    sys.exit(main())
