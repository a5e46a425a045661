"""``nbgrader export`` into Canvas's or Moodle's own file: the same as the grade report's
``--canvas`` and ``--moodle``, through nbgrader's own command::

    nbgrader export --exporter=labgrader.reporting.lms_plugins.CanvasExport \\
        --CanvasExport.lms_file=canvas-export.csv [--to reports/canvas-import.csv]
    nbgrader export --exporter=labgrader.reporting.lms_plugins.MoodleExport \\
        --MoodleExport.lms_file=worksheet.csv

The other options are settings of the same name (``--CanvasExport.column=...``, ``match``,
``ids``, ``per_notebook``, ``allow_missing``); ``--assignment`` names the assignment.
The command fails, writing nothing, where the grade report would.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nbgrader.api import Gradebook
from nbgrader.plugins import ExportPlugin
from traitlets import Bool, List, Unicode

from labgrader.course.assignment import ASSIGNMENT
from labgrader.reporting.lms_export import FORMATS, LmsOptions, fill_lms_file, print_outcome
from labgrader.reporting.lms_files import LmsFileError


class LmsExport(ExportPlugin):
    """Fill the lab's column of an LMS's own file; the LMS is the subclass's."""

    lms_file = Unicode("", help="The file downloaded from the LMS, to fill in.").tag(config=True)
    column = List(Unicode(), [], help="The column(s) to fill (as --column).").tag(config=True)
    match = Unicode("", help="The LMS column to match students by.").tag(config=True)
    ids = Unicode("", help="A CSV file lms_key,student_id for keys that differ.").tag(config=True)
    per_notebook = Bool(False, help="One column per notebook.").tag(config=True)
    allow_missing = Bool(False, help="Write even if students are missing.").tag(config=True)
    lms_name = ""

    def export(self, gradebook: Gradebook) -> None:
        lms = FORMATS[self.lms_name]
        if not self.lms_file:
            self.log.error("name the %s file: --%s.lms_file=FILE", lms.name, type(self).__name__)
            sys.exit(1)
        if len(self.assignment) > 1:
            self.log.error("an LMS file takes one assignment's grades: name one --assignment")
            sys.exit(1)
        if self.student:
            self.log.warning(
                "--student is not used: every student of the %s file is filled", lms.name
            )
        coursedir = getattr(self.parent, "coursedir", None)
        root = Path(coursedir.root) if coursedir is not None else Path.cwd()
        options = LmsOptions(
            columns=list(self.column),
            match=self.match,
            ids=Path(self.ids) if self.ids else None,
            per_notebook=self.per_notebook,
            allow_missing=self.allow_missing,
            assignment=str(self.assignment[0]) if self.assignment else ASSIGNMENT,
        )
        try:
            outcome = fill_lms_file(lms, Path(self.lms_file), gradebook, options,
                                    Path(self.to) if self.to else None, root)  # fmt: skip
        except LmsFileError as error:
            self.log.error("%s", error)
            sys.exit(1)
        print_outcome(outcome)
        if outcome.blocked:
            sys.exit(1)


class CanvasExport(LmsExport):
    """Canvas's gradebook export, with the lab's column filled (``reports/canvas-import.csv``)."""

    lms_name = "canvas"


class MoodleExport(LmsExport):
    """Moodle's grading worksheet, with the grades filled (``reports/moodle-import.csv``)."""

    lms_name = "moodle"
