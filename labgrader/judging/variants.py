"""The instructor's switch for datasets of one's own, and how the grader learns which one to grade.

Off by default: every student gets the lab's own dataset (seed 123). On, with one setting in
``nbgrader_config.py``::

    c.DatasetVariants.course = "dcai-lab-2026"

``nbgrader generate_assignment`` (this preprocessor runs in it) writes that name into the
locked set-up cell of every notebook, ``lab = helpers.load_lab_data(course="dcai-lab-2026")``,
followed by a line printing which dataset the student has. The release carries it, and so does
the gradebook, which records the locked cell as generated. At grading, nbgrader puts the locked
cell back from the gradebook and the kernel builds the dataset of the student being graded
(:mod:`helpers.identity`); the grader reads the course name from the gradebook too
(:func:`graded_course`), never from the submission, so no edit of a student's changes which data
they are graded on.
"""

from __future__ import annotations

import ast
import re

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode, validate

SETUP_CELL = "setup"
"""``grade_id`` of the locked cell that builds the dataset, in every notebook of the lab."""

PLAIN_CALL = "helpers.load_lab_data()"
SHOW_DATASET = "print(lab.describe())  # which dataset is yours"
_COURSE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._:/@+-]{0,99}")


def stamp_setup_source(source: str, course: str) -> str:
    """The set-up cell's source with the course's datasets switched on.

    Raises
    ------
    ValueError
        If the cell does not call ``helpers.load_lab_data()`` exactly once on a line of its
        own, ``lab = helpers.load_lab_data()``: then the switch cannot be honoured.
    """
    lines = source.split("\n")
    calls = [i for i, line in enumerate(lines) if line.strip() == f"lab = {PLAIN_CALL}"]
    if len(calls) != 1 or source.count(PLAIN_CALL) != 1:
        raise ValueError(
            f"the set-up cell must contain the line `lab = {PLAIN_CALL}` exactly once for "
            "DatasetVariants.course to give each student a dataset of their own"
        )
    index = calls[0]
    indent = lines[index][: len(lines[index]) - len(lines[index].lstrip())]
    lines[index] = f'{indent}lab = helpers.load_lab_data(course="{course}")'
    lines.insert(index + 1, indent + SHOW_DATASET)
    return "\n".join(lines)


def course_of_setup_source(source: str) -> str | None:
    """The course name the set-up cell passes to ``load_lab_data``, or ``None`` (the lab's own)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "load_lab_data"
        ):
            for keyword in node.keywords:
                if keyword.arg == "course" and isinstance(keyword.value, ast.Constant):
                    value = keyword.value.value
                    return value if isinstance(value, str) else None
    return None


class DatasetVariants(NbGraderPreprocessor):
    """``generate_assignment``: stamp the course's name into the set-up cell (the switch)."""

    course = Unicode(
        "",
        help="Give every student a dataset of their own, made from this name and their identity "
        "(for example 'dcai-lab-2026'; a new name gives everyone new data). Empty: everyone "
        "gets the lab's own dataset (seed 123).",
    ).tag(config=True)

    @validate("course")
    def _valid_course(self, proposal):
        value = proposal["value"]
        if value and not _COURSE_NAME.fullmatch(value):
            raise ValueError(
                f"DatasetVariants.course must be up to 100 letters, digits and . _ - : / @ + or "
                f"spaces, starting with a letter or digit; got {value!r}"
            )
        return value

    def preprocess(self, nb, resources):
        if not self.course:
            return nb, resources
        setup = [
            c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == SETUP_CELL
        ]
        if len(setup) != 1:
            raise ValueError(
                f"DatasetVariants.course is set, but {resources.get('unique_key', 'a notebook')} "
                f"has {len(setup)} cells with grade_id {SETUP_CELL!r} (it needs one)"
            )
        setup[0].source = stamp_setup_source(setup[0].source, self.course)
        return nb, resources


def _course_in_gradebook(db_url: str, assignment: str, notebook: str) -> str | None:
    # Read each time, not cached: a Formgrader or a Dask worker lives on while an instructor
    # regenerates the release, and one query per notebook costs nothing beside its grading.
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(db_url) as gradebook:
        try:
            cell = gradebook.find_source_cell(SETUP_CELL, notebook, assignment)
        except MissingEntry:
            return None
        return course_of_setup_source(cell.source)


def graded_course(nb, resources) -> str | None:
    """The course name whose datasets this notebook is graded on (``None``: the lab's own).

    During ``nbgrader autograde`` it comes from the gradebook's copy of the set-up cell, as
    ``generate_assignment`` made it; only without a gradebook (a notebook judged on its own,
    as in tests) from the notebook's own set-up cell.
    """
    info = (resources or {}).get("nbgrader", {})
    if {"db_url", "assignment", "notebook"} <= set(info):
        return _course_in_gradebook(info["db_url"], info["assignment"], info["notebook"])
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == SETUP_CELL:
            return course_of_setup_source(cell.source)
    return None
