"""Read submitted notebooks so that one broken file costs only itself.

nbgrader 0.9.6 abandons a student's whole submission when one of its
notebooks cannot be read, so the student's other notebook is never graded and
waits for manual grading. :class:`TolerantNotebookExporter` (set as
``Autograde.exporter_class``) reads each notebook on its own: one that is not
valid JSON, or not a notebook, is replaced by the unanswered release
version with a banner saying why, and marked with the reason (see
:func:`mark_not_gradable`) so that the grade report can list it as *not
gradable*. The rest of the submission is graded as usual. A notebook that
breaks the format only in harmless ways (a key where the format allows none)
is repaired and graded, as nbgrader would grade it.

nbgrader also stops the *whole run*, for every student, when one submitted
cell carries nbgrader metadata of another schema version, and abandons a
submission whose cell metadata fails to validate. Cell metadata is the
instructor's, not the student's, so the exporter puts it back (see
:func:`restore_cell_metadata`) and says so in the log.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import nbformat.reader
from nbconvert.exporters import NotebookExporter
from nbformat.v4 import new_markdown_cell, new_notebook
from nbgrader.nbgraderformat import MetadataValidator

from labgrader.autograde.failures import STATE_KEY

_CELL_KEYS = {
    "code": {"id", "cell_type", "metadata", "source", "outputs", "execution_count"},
    "markdown": {"id", "cell_type", "metadata", "source", "attachments"},
    "raw": {"id", "cell_type", "metadata", "source", "attachments"},
}
_NOTEBOOK_KEYS = {"nbformat", "nbformat_minor", "metadata", "cells"}


def _repair_format(nb) -> list[str]:
    """Bring a notebook that breaks the format in harmless ways back to it; say what changed.

    Editors and scripts leave keys the format does not allow (``outputs`` on a
    markdown cell, ``execution_count`` on a raw one) or outputs of an older
    shape. nbformat reads such files with a logged error and nbgrader grades
    them, so a student must not lose the notebook for it. Outputs of code cells
    are cleared, as autograde clears them anyway.
    """
    repairs = []
    for key in sorted(set(nb) - _NOTEBOOK_KEYS):
        del nb[key]
        repairs.append(f"removed {key!r} from the notebook")
    for index, cell in enumerate(nb.get("cells", [])):
        allowed = _CELL_KEYS.get(cell.get("cell_type")) if isinstance(cell, dict) else None
        if allowed is None:
            continue  # not repairable: validation reports it
        for key in sorted(set(cell) - allowed):
            del cell[key]
            repairs.append(f"removed {key!r} from cell {index}")
        cell.setdefault("metadata", nbformat.NotebookNode())
        cell.setdefault("source", "")
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return repairs


def parse_notebook(text: str) -> tuple[object | None, str | None, list[str]]:
    """Parse a submitted notebook: ``(notebook, None, repairs)`` or ``(None, reason, [])``.

    ``reason`` says why the file cannot be graded; ``repairs`` lists what was
    changed to bring a nearly valid notebook back to the format.
    """
    repairs = []
    try:
        nb = nbformat.convert(nbformat.reader.reads(text), 4)
        try:
            nbformat.validate(nb)
        except nbformat.ValidationError as invalid:
            repairs = _repair_format(nb)
            try:
                nbformat.validate(nb)
            except nbformat.ValidationError:
                raise invalid from None
    except Exception as error:  # every way a file can fail to be a notebook is a reason to report
        detail = str(getattr(error, "message", error)).strip().splitlines()
        return (
            None,
            f"not a valid notebook ({type(error).__name__}: {detail[0] if detail else ''})"[:300],
            [],
        )
    return nb, None, repairs


def notebook_problem(path: Path) -> str | None:
    """Why the notebook at ``path`` cannot be graded, or ``None`` if it can."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot be read ({type(error).__name__})"
    return parse_notebook(text)[1]


def mark_not_gradable(nb, reason: str, explanation: str) -> None:
    """Record ``reason`` in the notebook and show ``explanation`` at its top, for the feedback."""
    state = nb.metadata.setdefault(STATE_KEY, {})
    if "grading_failure" not in state:
        state["grading_failure"] = reason
        banner = new_markdown_cell(f"**This notebook could not be graded in full.** {explanation}")
        banner.id = "grading-failure-banner"
        nb.cells.insert(0, banner)


def restore_cell_metadata(nb, release_nb) -> list[str]:
    """Put back nbgrader metadata that fails nbgrader's validation; say what was changed.

    A cell whose ``grade_id`` is in the release gets the release's metadata
    back; any other cell loses its nbgrader metadata and becomes an ordinary
    cell (a grade cell it pretended to be is restored from the gradebook by
    ``OverwriteCells``). Valid metadata is left to nbgrader.
    """
    validator = MetadataValidator()
    release_metadata = {
        cell.metadata["nbgrader"]["grade_id"]: cell.metadata["nbgrader"]
        for cell in release_nb.cells
        if "grade_id" in cell.metadata.get("nbgrader", {})
    }
    changes = []
    for cell in nb.cells:
        if "nbgrader" not in cell.get("metadata", {}):
            continue
        try:
            validator.validate_cell(cell)
        # Every failure (a schema error, a KeyError on a missing key) makes nbgrader give up.
        except Exception as error:
            metadata = cell.metadata["nbgrader"]
            grade_id = str(metadata.get("grade_id", "")) if isinstance(metadata, dict) else ""
            reason = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
            if grade_id in release_metadata:
                cell.metadata["nbgrader"] = nbformat.from_dict(release_metadata[grade_id])
                changes.append(f"cell {grade_id!r}: {reason}; the release's metadata was put back")
            else:
                del cell.metadata["nbgrader"]
                changes.append(
                    f"cell {grade_id or cell.get('id', '?')!r}: {reason}; its nbgrader metadata was removed"
                )
    return changes


class TolerantNotebookExporter(NotebookExporter):
    """nbgrader's notebook exporter, except that an unreadable submission becomes a marked placeholder."""

    def from_file(self, file_stream, resources=None, **kw):
        resources = resources or {}
        nb, problem, repairs = parse_notebook(file_stream.read())
        if problem:
            nb = self._placeholder(resources, problem)
        else:
            self._log_changes(resources, repairs, "did not follow the notebook format")
            self._restore_metadata(nb, resources)
        return self.from_notebook_node(nb, resources=resources, **kw)

    def _restore_metadata(self, nb, resources):
        name = resources.get("metadata", {}).get("name", "notebook")
        changes = restore_cell_metadata(nb, self.release_notebook(resources, name))
        self._log_changes(resources, changes, "had nbgrader metadata that does not validate")

    def _log_changes(self, resources, changes, problem):
        if changes:
            name = resources.get("metadata", {}).get("name", "notebook")
            student = resources.get("nbgrader", {}).get("student", "?")
            self.log.warning("%s: %s.ipynb %s; %s", student, name, problem, "; ".join(changes))

    def _placeholder(self, resources, problem):
        name = resources.get("metadata", {}).get("name", "notebook")
        self.log.error("%s is %s: grading the unanswered release in its place", name, problem)
        nb = self.release_notebook(resources, name)
        mark_not_gradable(
            nb,
            problem,
            f"The file you submitted as `{name}.ipynb` is {problem}, so none of it could be run. "
            "It was replaced by the unanswered release so the rest of your submission could be "
            "graded; ask your instructor to regrade it once the file is fixed.",
        )
        return nb

    def release_notebook(self, resources, name):
        """The unanswered release of notebook ``name``, or an empty notebook if there is none."""
        coursedir = getattr(self.parent, "coursedir", None)
        assignment = resources.get("nbgrader", {}).get("assignment")
        if coursedir is None or assignment is None:
            return new_notebook()
        release = (
            Path(coursedir.format_path(coursedir.release_directory, ".", assignment))
            / f"{name}.ipynb"
        )
        return nbformat.read(str(release), as_version=4) if release.exists() else new_notebook()
