"""The grade report's options for an LMS: ``--canvas FILE`` or ``--moodle FILE``, and the rest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nbgrader.api import Gradebook

from labgrader.course.config import course_db_url
from labgrader.reporting.lms_export import FORMATS, LmsOptions, fill_lms_file, print_outcome
from labgrader.reporting.lms_files import LmsFileError


def add_lms_arguments(parser: argparse.ArgumentParser) -> None:
    lms = parser.add_argument_group(
        "grades into an LMS", "fill the lab's column of the file downloaded from Canvas or Moodle"
    )
    files = lms.add_mutually_exclusive_group()
    files.add_argument("--canvas", type=Path, metavar="FILE", help="Canvas's Grades > Export")
    files.add_argument("--moodle", type=Path, metavar="FILE", help="Moodle's grading worksheet")
    lms.add_argument(
        "--column", action="append", default=[], metavar="NAME",
        help="the column to fill (default: a new one named after the assignment); with "
        "--per-notebook, NOTEBOOK=NAME, once per notebook",
    )  # fmt: skip
    lms.add_argument(
        "--match", default="", metavar="COLUMN",
        help="the LMS column compared with nbgrader's student ids (default: SIS Login ID for "
        "Canvas, Email address for Moodle)",
    )  # fmt: skip
    lms.add_argument(
        "--ids", type=Path, metavar="FILE",
        help="a CSV file with columns lms_key,student_id, for students known by other keys",
    )  # fmt: skip
    lms.add_argument("--per-notebook", action="store_true", help="one column per notebook")
    lms.add_argument(
        "--allow-missing", action="store_true",
        help="write the file even if students with a grade are not in it (they are listed)",
    )  # fmt: skip
    lms.add_argument(
        "--roster-only", action="store_true",
        help="only write the LMS's names and emails into the gradebook; no grades",
    )  # fmt: skip
    lms.add_argument("--lms-output", type=Path, metavar="FILE", help="where to write the copy")


def lms_requested(args) -> bool:
    return bool(args.canvas or args.moodle)


def run_lms(args, course_root: Path, db_url: str | None = None, stream=sys.stdout) -> int:
    """Fill the LMS file the options name; 0, or 1 when nothing could be written."""
    name = "canvas" if args.canvas else "moodle"
    options = LmsOptions(
        columns=args.column, match=args.match, ids=args.ids, per_notebook=args.per_notebook,
        allow_missing=args.allow_missing, roster_only=args.roster_only,
    )  # fmt: skip
    try:
        with Gradebook(db_url or course_db_url(course_root)) as gradebook:
            outcome = fill_lms_file(
                FORMATS[name], args.canvas or args.moodle, gradebook, options,
                args.lms_output, course_root,
            )  # fmt: skip
    except LmsFileError as error:
        print(f"error: {error}", file=stream)
        return 1
    print_outcome(outcome, stream)
    if args.roster_only and not outcome.blocked:
        print(
            f"names written into the gradebook: {len(outcome.names_filled)} students", file=stream
        )
    return 1 if outcome.blocked else 0
