"""Where grading time goes, notebook by notebook: the kernel's start, the cells, nbgrader's steps.

Every grading process records, for each notebook it grades, one entry (seconds):

- ``cells``: the notebook's own cells, as the kernel timed them (``execute_input`` to
  ``execute_reply``); ``lab_cells`` is the part outside the answer cells;
- ``kernel_start``: from asking for a kernel to its first reply;
- ``execute``: all of :class:`labgrader.autograde.execute.GradingExecute` (start, cells, the messages
  between them, the kernel's shutdown, lending the folder to the sandbox);
- ``rejudge``: :class:`labgrader.autograde.verify.VerifyAnswers`, the grader's own judgement;
- ``gradebook``: nbgrader's ``SaveAutoGrades`` and ``AssignLatePenalties``;
- ``nbgrader_steps``: every other preprocessor of both of nbgrader's passes, and reading,
  copying, validating and writing the notebook around them.

Entries stay in memory (:func:`drain` hands them over, as a Dask task does with its result)
and, where ``MULTIANNOTATOR_TIMINGS`` names a file, are appended to it as JSON lines, which
is how the benchmark reads them from any grader, plain ``nbgrader autograde`` included.
"""

from __future__ import annotations

import copy
import json
import os
import time

from nbformat import validator

TIMINGS_FILE_VARIABLE = "MULTIANNOTATOR_TIMINGS"
RESOURCE_KEY = "multiannotator_timings"
GRADEBOOK_STEPS = ("SaveAutoGrades", "AssignLatePenalties")
EXECUTE_STEP, REJUDGE_STEP = "GradingExecute", "VerifyAnswers"

_recorded: list[dict] = []


def record(entry: dict) -> None:
    """Keep one notebook's entry, and append it to the timings file if one is named."""
    _recorded.append(entry)
    path = os.environ.get(TIMINGS_FILE_VARIABLE)
    if path:
        append_to_file([entry], path)


def drain() -> list[dict]:
    """The entries recorded since the last call, forgotten here."""
    entries = list(_recorded)
    _recorded.clear()
    return entries


def append_to_file(entries: list[dict], path: str) -> None:
    """Append entries as JSON lines; one write per line, so that processes never interleave."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        for entry in entries:
            os.write(descriptor, (json.dumps(entry) + "\n").encode())
    finally:
        os.close(descriptor)


def read_file(path) -> list[dict]:
    """Every entry of a timings file (none if it does not exist)."""
    if not os.path.exists(path):
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


class TimedPreprocessing:
    """An exporter mix-in that times each preprocessor and records one entry per notebook.

    nbgrader's ``Autograde`` exports each notebook twice with the same exporter (a
    sanitizing pass, then the grading pass that runs the kernel); the entry is recorded
    at the end of the pass that executed the notebook.
    """

    def from_notebook_node(self, nb, resources=None, **kw):
        started = time.perf_counter()
        self._step_seconds = {}
        output, resources = super().from_notebook_node(nb, resources, **kw)
        self._finish_pass(resources or {}, time.perf_counter() - started)
        return output, resources

    def _preprocess(self, nb, resources):
        # nbconvert's own loop, timed: its copies and validation count as nbgrader's steps.
        nb, resources = copy.deepcopy(nb), copy.deepcopy(resources)
        _, nb = validator.normalize(nb)
        for preprocessor in self._preprocessors:
            started = time.perf_counter()
            nb, resources = preprocessor(nb, resources)
            name = type(preprocessor).__name__
            self._step_seconds[name] = (
                self._step_seconds.get(name, 0.0) + time.perf_counter() - started
            )
            if not self.optimistic_validation:
                self._validate_preprocessor(nb, preprocessor)
        if self.optimistic_validation and self._preprocessors:
            self._validate_preprocessor(nb, self._preprocessors[-1])
        return nb, resources

    def _finish_pass(self, resources: dict, seconds: float) -> None:
        student = resources.get("nbgrader", {}).get("student", "?")
        notebook = resources.get("nbgrader", {}).get("notebook", "?")
        pending = self.__dict__.setdefault("_pending_timings", {})
        entry = pending.setdefault(
            (student, notebook),
            {"student": student, "notebook": notebook, "nbgrader_steps": 0.0},
        )
        steps = self._step_seconds
        measured = {
            "gradebook": sum(steps.pop(name, 0.0) for name in GRADEBOOK_STEPS),
            "rejudge": steps.pop(REJUDGE_STEP, 0.0),
            "execute": steps.pop(EXECUTE_STEP, None),
        }
        for name, value in measured.items():
            if value is not None:
                entry[name] = entry.get(name, 0.0) + value
        entry["nbgrader_steps"] += seconds - sum(v for v in measured.values() if v is not None)
        if measured["execute"] is not None:  # the grading pass: this notebook is done
            entry.update(resources.pop(RESOURCE_KEY, {}))
            record(pending.pop((student, notebook)))
