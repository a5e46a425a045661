"""How the autograder runs a student's notebook: confined, warm, bounded, faults contained.

:class:`GradingExecute` replaces nbgrader's ``Execute`` in the autograde pipeline. It is
nbgrader's step with four concerns added, each in a module of its own:

- kernels are confined where the machine allows it (:mod:`~labgrader.autograde.confinement`,
  :mod:`labgrader.sandbox`), talk over Unix sockets in a private folder, and never see the
  gradebook's address nor the submission folder on ``sys.path``
  (:func:`labgrader.sandbox.environment.grading_kernel_env`);
- kernels are forked warm where they can be (:mod:`labgrader.kernels.warm`), the next
  notebook's while this one runs (:mod:`~labgrader.autograde.next_kernel`);
- a notebook gets a time budget, and a dead kernel, a cell that ignores its interrupt or an
  exhausted budget stops that notebook only (:mod:`~labgrader.autograde.budget`): the reason
  is recorded in the notebook (:mod:`~labgrader.autograde.intake`), the tests that ran keep
  their result, and the grade report lists the notebook as *not gradable*;
- each notebook's time is recorded, step by step (:mod:`~labgrader.autograde.timings`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from datetime import datetime

from nbclient.util import run_sync
from nbgrader.preprocessors import Execute
from traitlets import Bool

from labgrader.autograde.budget import NotebookBudget
from labgrader.autograde.confinement import SandboxedKernels, sandboxed
from labgrader.autograde.failures import STATE_KEY
from labgrader.autograde.intake import mark_not_gradable
from labgrader.autograde.next_kernel import KernelsStartedAhead
from labgrader.autograde.timings import RESOURCE_KEY
from labgrader.kernels.managers import GradingKernelManager, WarmKernelManager
from labgrader.kernels.warm import warm_kernels_unavailable
from labgrader.sandbox.environment import grading_kernel_env
from labgrader.sandbox.policy import lent_to_the_sandbox


class GradingExecute(SandboxedKernels, KernelsStartedAhead, NotebookBudget, Execute):
    """nbgrader's ``Execute`` with safe, warm kernels, a notebook time budget and contained faults."""

    warm_kernels = Bool(
        True,
        help="Fork kernels from a process that has imported the stack (falls back if it cannot).",
    ).tag(config=True)

    _said_why_not_warm = False
    _policy = None  # this notebook's labgrader.sandbox.confine.Policy, None when unconfined
    _runtime = None  # its kernel's private runtime folder
    _timings: dict | None = None  # this notebook's, for labgrader.autograde.timings
    _ahead = None  # a labgrader.kernels.ahead.KernelAhead this notebook adopted
    _asked_for_kernel = 0.0
    _student: str | None = None

    # All outputs are in when the last cell returns: a graceful shutdown only costs time.
    shutdown_kernel = "immediate"

    async def async_start_new_kernel(self, **kwargs):
        self._asked_for_kernel = time.perf_counter()
        kwargs["env"] = grading_kernel_env(kwargs.get("env"), student=self._student)
        return await super().async_start_new_kernel(**kwargs)

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        if self._timings is not None:
            self._timings["kernel_start"] = time.perf_counter() - self._asked_for_kernel
        self.start_next_kernel(self._student)  # the same student's next notebook: same dataset
        return client

    # nbclient binds the synchronous wrappers to its own coroutines: rebind them to ours.
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess(self, nb, resources=None, km=None):
        self.kernel_manager_class = self._kernel_manager_class()
        self.start_budget()
        self._timings = {"kernel_start": 0.0, "cells": 0.0, "lab_cells": 0.0}
        self._student = (resources or {}).get("nbgrader", {}).get("student")
        why_not = self._why_unconfined()
        self._asked_for_kernel = time.perf_counter()
        self._ahead = self.take_ahead(nb, resources, confined=why_not is None)
        self._timings["kernel_started_ahead"] = self._ahead is not None
        if self._ahead is not None:
            self._policy, self._runtime = self._ahead.policy, self._ahead.runtime
        else:
            self._policy = None if why_not else self._new_policy(self._workdir(resources))
            # Kernels talk over Unix sockets in a private folder: no TCP port for anyone to reach.
            self._runtime = (
                self._policy.runtime
                if self._policy
                else tempfile.mkdtemp(prefix="nbgrader-kernel-")
            )
        nb.metadata.setdefault(STATE_KEY, {})["confinement"] = (
            f"not sandboxed: {why_not}" if why_not else sandboxed(self._policy)
        )
        lent = lent_to_the_sandbox(self._policy) if self._policy else contextlib.nullcontext()
        try:
            with lent:
                nb, resources = super().preprocess(nb, resources, km)
        except Exception as error:  # the kernel could not start, or died between cells
            self.log.error("Execution of %s failed: %r", _name(resources), error)
            self._stop(f"the notebook could not be run ({type(error).__name__}: {error})"[:300])
        finally:
            shutil.rmtree(self._runtime, ignore_errors=True)
        resources = {} if resources is None else resources
        resources[RESOURCE_KEY] = self._timings
        reason = self.stop_reason()
        if reason:
            mark_not_gradable(
                nb,
                reason,
                f"Grading stopped early: {reason}. The cells after that point were not "
                "run, so their tests score 0; the parts checked before it keep their points.",
            )
        return nb, resources

    def _kernel_manager_class(self):
        """Warm kernels if asked for and possible here; otherwise ordinary ones, said once."""
        if not self.warm_kernels:
            return GradingKernelManager
        why_not = warm_kernels_unavailable()
        if why_not is None:
            return WarmKernelManager
        if not GradingExecute._said_why_not_warm:
            GradingExecute._said_why_not_warm = True
            self.log.warning(
                "Warm kernels unavailable (%s): grading with ordinary kernels", why_not
            )
        return GradingKernelManager

    def create_kernel_manager(self):
        if self._ahead is not None:  # started while the previous notebook ran: nbclient skips
            self.km = self._ahead.km  # starting a kernel manager that has one
            return self.km
        km = super().create_kernel_manager()
        self.wire(km, self._policy, self._runtime)
        return km

    @staticmethod
    def wire(km, policy, runtime: str) -> None:
        """Give a kernel manager its sandbox policy and its private runtime folder."""
        km.sandbox_policy = policy
        km.transport = "ipc"
        km.ip = os.path.join(runtime, "kernel")
        km.connection_file = os.path.join(runtime, "kernel.json")

    def cell_ran(self, cell) -> None:
        """Add the cell's run, as the kernel timed it, to the notebook's cell time."""
        timing = cell.get("metadata", {}).get("execution", {})
        try:
            seconds = (
                datetime.fromisoformat(timing["shell.execute_reply"])
                - datetime.fromisoformat(timing["iopub.execute_input"])
            ).total_seconds()
        except (KeyError, ValueError):
            return
        if self._timings is None:
            return
        self._timings["cells"] += seconds
        if not cell.metadata.get("nbgrader", {}).get("solution"):
            self._timings["lab_cells"] += seconds


def _name(resources) -> str:
    return (resources or {}).get("metadata", {}).get("name", "notebook")
