"""Where each grader's time goes, from the per-notebook timings (:mod:`labgrader.autograde.timings`).

The *limit* is what the notebooks' own cells take in an already-started warm kernel, as the
kernel timed them, in the run of one warm worker (no other worker competing for the cores);
it is summed per student. For every method, the *grader's own time per notebook* is its wall
time per notebook per core less the limit per notebook, and its *efficiency* is the limit
over (wall time x cores). The own time is broken down into:

- ``kernel start``: from asking for a kernel to its first reply;
- ``around cells``: the rest of running the notebook (messages between the cells, the
  kernel's shutdown, lending the folder to the sandbox);
- ``re-judging``: the grader judging each recorded answer again;
- ``gradebook``: nbgrader writing the scores;
- ``nbgrader steps``: nbgrader's other preprocessors, reading and writing the notebooks;
- ``slower cells``: the cells took longer here than the limit (cores shared with other
  workers, or imports in a cold kernel);
- ``rest``: what no notebook timing covers (nbgrader's per-student steps, starting the
  workers and their fork servers, cores left idle at the end).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

PARTS = (
    ("kernel start", "kernel_start"),
    ("around cells", None),
    ("re-judging", "rejudge"),
    ("gradebook", "gradebook"),
    ("nbgrader steps", "nbgrader_steps"),
)


def field(name: str) -> str:
    """A part's column name in the CSV: ``re-judging`` is ``re_judging``."""
    return name.replace(" ", "_").replace("-", "_")


def mean(entries: list[dict], key: str) -> float:
    return sum(entry.get(key, 0.0) for entry in entries) / len(entries) if entries else 0.0


def limit_per_student(entries: list[dict]) -> dict:
    """``{student: seconds}`` of their notebooks' own cells."""
    per_student = defaultdict(float)
    for entry in entries:
        per_student[entry["student"]] += entry.get("cells", 0.0)
    return dict(per_student)


@dataclass
class Breakdown:
    """One method's figures, per notebook (seconds) unless named otherwise."""

    notebooks: int
    cores: int
    cells: float  # the cells as timed in this run
    limit: float
    own: float  # wall x cores / notebooks - limit
    efficiency: float  # limit x notebooks / (wall x cores)
    parts: dict

    def row(self) -> list[str]:
        return [
            f"{self.cells:.2f}",
            f"{self.own:.2f}",
            f"{100 * self.efficiency:.0f}%",
            *(f"{self.parts[name]:.2f}" if name in self.parts else "" for name in self.columns()),
        ]

    @staticmethod
    def columns() -> list[str]:
        return [name for name, _ in PARTS] + ["slower cells", "rest"]


def breakdown(entries: list[dict], seconds: float, cores: int, limit: float) -> Breakdown | None:
    """The figures of a run that recorded ``entries``, lasted ``seconds`` and used ``cores``."""
    if not entries:
        return None
    notebooks = len(entries)
    spent = seconds * cores / notebooks
    cells = mean(entries, "cells")
    parts = {}
    if all("execute" in entry for entry in entries):  # bare nbclient times only the cells
        parts = {name: mean(entries, key) for name, key in PARTS if key}
        parts["around cells"] = mean(entries, "execute") - parts["kernel start"] - cells
        parts["slower cells"] = cells - limit
        parts["rest"] = spent - cells - sum(parts[name] for name, _ in PARTS)
    return Breakdown(
        notebooks=notebooks,
        cores=cores,
        cells=cells,
        limit=limit,
        own=spent - limit,
        efficiency=limit / spent if spent else 0.0,
        parts=parts,
    )
