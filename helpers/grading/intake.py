"""Read submitted notebooks so that one broken file costs only itself.

nbgrader 0.9.6 abandons a student's whole submission when one of its
notebooks cannot be read, so the student's other notebook is never graded and
waits for manual grading. :class:`TolerantNotebookExporter` (set as
``Autograde.exporter_class``) reads each notebook on its own: one that is not
valid JSON, or not a valid notebook, is replaced by the unanswered release
version with a banner saying why, and marked with the reason (see
:func:`mark_not_gradable`) so that the grade report can list it as *not
gradable*. The rest of the submission is graded as usual.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbformat.v4 import new_markdown_cell, new_notebook

STATE_KEY = "multiannotator_lab"
"""Notebook metadata key where grading records what went wrong."""


def notebook_problem_text(text: str) -> tuple[object | None, str | None]:
    """Parse a notebook; return ``(notebook, None)`` or ``(None, reason it cannot be graded)``."""
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as error:  # every way a file can fail to be a notebook is a reason to report
        detail = str(getattr(error, "message", error)).strip().splitlines()
        return (
            None,
            f"not a valid notebook ({type(error).__name__}: {detail[0] if detail else ''})"[:300],
        )
    return nb, None


def notebook_problem(path: Path) -> str | None:
    """Why the notebook at ``path`` cannot be graded, or ``None`` if it can."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot be read ({type(error).__name__})"
    return notebook_problem_text(text)[1]


FAILED_SUBMISSION_FILE = "grading_failure.txt"
"""Left in ``autograded/<student>/<assignment>/`` when no notebook of a submission could be graded."""


def record_failed_submission(folder: Path, reason: str) -> None:
    """Replace whatever grading left in ``folder`` by a note saying why it failed."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    (folder / FAILED_SUBMISSION_FILE).write_text(reason + "\n")


def grading_failure(nb) -> str | None:
    """The reason recorded in an autograded notebook, if grading it went wrong."""
    return nb.get("metadata", {}).get(STATE_KEY, {}).get("grading_failure")


def mark_not_gradable(nb, reason: str, explanation: str) -> None:
    """Record ``reason`` in the notebook and show ``explanation`` at its top, for the feedback."""
    state = nb.metadata.setdefault(STATE_KEY, {})
    if "grading_failure" not in state:
        state["grading_failure"] = reason
        banner = new_markdown_cell(f"**This notebook could not be graded in full.** {explanation}")
        banner.id = "grading-failure-banner"
        nb.cells.insert(0, banner)


class TolerantNotebookExporter(NotebookExporter):
    """nbgrader's notebook exporter, except that an unreadable submission becomes a marked placeholder."""

    def from_file(self, file_stream, resources=None, **kw):
        nb, problem = notebook_problem_text(file_stream.read())
        if problem:
            nb = self._placeholder(resources or {}, problem)
        return self.from_notebook_node(nb, resources=resources, **kw)

    def _placeholder(self, resources, problem):
        name = resources.get("metadata", {}).get("name", "notebook")
        self.log.error("%s is %s: grading the unanswered release in its place", name, problem)
        release = self._release_path(resources, name)
        nb = (
            nbformat.read(str(release), as_version=4)
            if release and release.exists()
            else new_notebook()
        )
        mark_not_gradable(
            nb,
            problem,
            f"The file you submitted as `{name}.ipynb` is {problem}, so none of it could be run. "
            "It was replaced by the unanswered release so the rest of your submission could be "
            "graded; ask your instructor to regrade it once the file is fixed.",
        )
        return nb

    def _release_path(self, resources, name):
        coursedir = getattr(self.parent, "coursedir", None)
        assignment = resources.get("nbgrader", {}).get("assignment")
        if coursedir is None or assignment is None:
            return None
        return (
            Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
            / f"{name}.ipynb"
        )
