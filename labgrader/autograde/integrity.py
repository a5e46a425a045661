"""Locked cells: grade the instructor's version, and warn only when a student really changed one.

nbgrader's ``OverwriteCells`` compares every locked cell of a submission with the
checksum ``generate_assignment`` stored, which it computes *before* stripping the
hidden tests (nbgrader issue #1961): every test cell with hidden tests "has changed"
for every student, and the one warning that matters, a student who edited a locked
cell, drowns among them. :class:`RestoreLockedCells` puts the instructor's cells
back exactly as nbgrader does, but compares each locked cell with the release the
students were given: it warns once per notebook, naming the student, the notebook
and the cells, and records them in the notebook for the grade report.
"""

from __future__ import annotations

from nbgrader.preprocessors import OverwriteCells

from labgrader.autograde.failures import STATE_KEY

EDITED_KEY = "edited_locked_cells"
"""Under the notebook's :data:`~labgrader.autograde.failures.STATE_KEY`: the locked cells a student changed."""


def edited_locked_cells(nb) -> list[str]:
    """The locked cells a student changed in this autograded notebook (``grade_id: what``)."""
    return list(nb.get("metadata", {}).get(STATE_KEY, {}).get(EDITED_KEY, []))


class RestoreLockedCells(OverwriteCells):
    """nbgrader's ``OverwriteCells``, judged against the release rather than the stale checksum."""

    def preprocess(self, nb, resources):
        name = resources["nbgrader"]["notebook"]
        release = self.parent.release_notebook(resources, name)
        self._released = {
            cell.metadata["nbgrader"]["grade_id"]: cell.source
            for cell in release.cells
            if "grade_id" in cell.metadata.get("nbgrader", {})
        }
        self._changes = []
        nb, resources = super().preprocess(nb, resources)
        if self._changes:
            nb.metadata.setdefault(STATE_KEY, {})[EDITED_KEY] = self._changes
            self.log.warning(
                "%s: %s.ipynb: the student changed locked cells: %s. The instructor's version "
                "was put back and graded",
                resources["nbgrader"].get("student", "?"),
                name,
                ", ".join(self._changes),
            )
        return nb, resources

    def add_missing_grade_cells(self, nb, resources):
        present = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
        nb, resources = super().add_missing_grade_cells(nb, resources)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id not in present:
                self._changes.append(f"{grade_id} (deleted)")
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        self._submitted_source = cell.get("source", "")
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._released.get(name) == self._submitted_source:
            return  # only the hidden tests generate_assignment stripped differ: as handed out
        what = "its source" if attr == "checksum" else f"its {attr}"
        self._changes.append(f"{name} ({what})")
