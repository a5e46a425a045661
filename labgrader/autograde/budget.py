"""A notebook's time budget, and faults that cost only the notebook they happen in.

:class:`NotebookBudget` is the part of :class:`~labgrader.autograde.execute.GradingExecute`
that runs the cells: each cell gets the per-cell timeout or what is left of the notebook's
budget, whichever is shorter. When the kernel dies, a cell ignores the interrupt sent at its
timeout, or the budget runs out, the remaining cells are not run and the reason is kept
(:meth:`NotebookBudget.stop_reason`); grading goes on, the tests that ran keep their result.
nbgrader itself would abandon the student's whole submission.
"""

from __future__ import annotations

import time

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from traitlets import HasTraits, Integer


class NotebookBudget(HasTraits):
    """Per-notebook time budget and fault containment for nbgrader's ``Execute``."""

    notebook_timeout = Integer(
        600, help="Seconds a whole notebook may run; cells after that are not run."
    ).tag(config=True)

    _stop_reason: str | None = None
    _deadline = 0.0

    def start_budget(self) -> None:
        """Start the clock of a new notebook."""
        self._stop_reason = None
        self._deadline = time.monotonic() + self.notebook_timeout
        self.timeout_func = self._cell_timeout

    def stop_reason(self) -> str | None:
        """Why this notebook's remaining cells were not run, or ``None``."""
        return self._stop_reason

    def _cell_timeout(self, cell):
        return max(
            1, min(self.timeout or self.notebook_timeout, int(self._deadline - time.monotonic()))
        )

    def _stop(self, reason: str) -> None:
        self._stop_reason = self._stop_reason or reason

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code" or self._stop_reason:
            return cell, resources
        if time.monotonic() >= self._deadline:
            self._stop(
                f"the notebook used up its {self.notebook_timeout} s before cell {index + 1}"
            )
            return cell, resources
        try:
            cell, resources = super().preprocess_cell(cell, resources, index)
            self.cell_ran(cell)
            return cell, resources
        except DeadKernelError:
            self._stop(
                f"the kernel died while running cell {index + 1} (for example os._exit, or out of memory)"
            )
        except CellTimeoutError:
            self._stop(
                f"cell {index + 1} ran past the time limit and did not stop when interrupted"
            )
        return cell, resources

    def cell_ran(self, cell) -> None:
        """Called after each cell that ran to its end (for its timing)."""
