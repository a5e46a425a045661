"""How the autograder runs a student's notebook: confined, warm, bounded, faults contained.

:class:`GradingExecute` replaces nbgrader's ``Execute`` in the autograde
pipeline:

- kernels are confined where the machine allows it (:mod:`labgrader.sandbox`),
  forked warm where it can (:mod:`labgrader.warm`), the next notebook's kernel
  while this one runs (:mod:`labgrader.kernel_ahead`), and never see the
  gradebook's address nor the submission folder on ``sys.path``;
- each notebook's time is recorded, step by step (:mod:`labgrader.timings`);
- a notebook gets a time budget; each cell gets the per-cell timeout or what is
  left of the budget, whichever is shorter. When the kernel dies, a cell ignores
  the interrupt sent at its timeout, or the budget runs out, the remaining cells
  are not run, the reason is recorded in the notebook (see
  :mod:`labgrader.intake`), and grading goes on: the tests that ran keep
  their result, the others score 0, and the grade report lists the notebook as
  *not gradable* with the reason. nbgrader itself would abandon the student's
  whole submission.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, List, Unicode

from labgrader import gradebook_open, kernel_ahead
from labgrader.intake import STATE_KEY, TolerantNotebookExporter, mark_not_gradable
from labgrader.kernels import (  # noqa: F401 (grading_kernel_env: imported from here too)
    GradingKernelManager,
    WarmKernelManager,
    grading_kernel_env,
)
from labgrader.sandbox_check import SandboxSetupError, sandbox_readiness
from labgrader.sandbox_setup import grading_policy, lent_to_the_sandbox
from labgrader.timings import RESOURCE_KEY, TimedPreprocessing

SWITCHED_OFF = "switched off (GradingExecute.sandbox = False)"


_warm_unavailable: str | None = None


def warm_kernels_unavailable() -> str | None:
    """Why warm kernels cannot be used in this process, or ``None`` if they can (starts the server)."""
    global _warm_unavailable
    if _warm_unavailable is None:
        try:
            from jupyter_client.provisioning import KernelProvisionerFactory

            from labgrader.warm import PROVISIONER_NAME, ForkServer

            if PROVISIONER_NAME not in KernelProvisionerFactory.instance().provisioners:
                raise RuntimeError(
                    f"the {PROVISIONER_NAME} entry point is not installed (pip install -e .)"
                )
            ForkServer.instance()
            _warm_unavailable = ""
        except Exception as error:  # any failure means: grade with ordinary kernels
            _warm_unavailable = f"{type(error).__name__}: {error}"
    return _warm_unavailable or None


class GradingExecute(Execute):
    """nbgrader's ``Execute`` with safe, warm kernels, a notebook time budget and contained faults."""

    notebook_timeout = Integer(
        600, help="Seconds a whole notebook may run; cells after that are not run."
    ).tag(config=True)

    warm_kernels = Bool(
        True,
        help="Fork kernels from a process that has imported the stack (falls back if it cannot).",
    ).tag(config=True)

    sandbox = Bool(
        True,
        help="Confine student code (labgrader.sandbox) where the machine allows it; "
        "otherwise say so once, loudly, and grade unconfined.",
    ).tag(config=True)

    start_kernels_ahead = Bool(
        True,
        help="With warm kernels, start the kernel of a student's next notebook while this "
        "notebook runs (labgrader.kernel_ahead).",
    ).tag(config=True)

    hidden_folders = List(
        Unicode(),
        help="More folders student code must not see, besides the course, the homes, the "
        "exchange and an editable install's checkout (a hub: the checkout it was built from; "
        "a Dask worker: its own copy of the course).",
    ).tag(config=True)

    _said_why_not_warm = False
    _said_why_no_sandbox = False
    _policy = None
    _runtime = None
    _timings: dict | None = None  # this notebook's, for labgrader.timings
    _ahead = None  # a labgrader.kernel_ahead.KernelAhead this notebook adopted
    _asked_for_kernel = 0.0

    # All outputs are in when the last cell returns: a graceful shutdown only costs time.
    shutdown_kernel = "immediate"

    _student: str | None = None

    async def async_start_new_kernel(self, **kwargs):
        self._asked_for_kernel = time.perf_counter()
        kwargs["env"] = grading_kernel_env(kwargs.get("env"), student=self._student)
        return await super().async_start_new_kernel(**kwargs)

    async def async_start_new_kernel_client(self):
        client = await super().async_start_new_kernel_client()
        if self._timings is not None:
            self._timings["kernel_start"] = time.perf_counter() - self._asked_for_kernel
        ahead = self.start_kernels_ahead and isinstance(self.km, WarmKernelManager)
        if ahead and self._a_notebook_follows():
            workdir, kernel_name, student = (
                self._workdir(self.resources),
                self.km.kernel_name,
                self._student,  # the same student's next notebook: the same dataset
            )
            kernel_ahead.start(
                workdir, kernel_name, lambda: self._start_ahead(workdir, kernel_name, student)
            )
        return client

    # nbclient binds the synchronous wrappers to its own coroutines: rebind them to ours.
    start_new_kernel = run_sync(async_start_new_kernel)
    start_new_kernel_client = run_sync(async_start_new_kernel_client)

    def preprocess(self, nb, resources=None, km=None):
        self.kernel_manager_class = GradingKernelManager
        if self.warm_kernels:
            why_not = warm_kernels_unavailable()
            if why_not is None:
                self.kernel_manager_class = WarmKernelManager
            elif not GradingExecute._said_why_not_warm:
                GradingExecute._said_why_not_warm = True
                self.log.warning(
                    "Warm kernels unavailable (%s): grading with ordinary kernels", why_not
                )
        self._stop_reason = None
        self._timings = {"kernel_start": 0.0, "cells": 0.0, "lab_cells": 0.0}
        self._student = (resources or {}).get("nbgrader", {}).get("student")
        self._deadline = time.monotonic() + self.notebook_timeout
        self.timeout_func = self._cell_timeout
        why_not = self._why_unconfined()
        self._asked_for_kernel = time.perf_counter()
        self._ahead = self._take_ahead(nb, resources, confined=why_not is None)
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
            f"not sandboxed: {why_not}" if why_not else _sandboxed(self._policy)
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
        if self._stop_reason:
            mark_not_gradable(
                nb,
                self._stop_reason,
                f"Grading stopped early: {self._stop_reason}. The cells after that point were not "
                "run, so their tests score 0; the parts checked before it keep their points.",
            )
        return nb, resources

    def preflight(self) -> str | None:
        """Before the first student: stop if the sandbox should work here and does not.

        Where this machine cannot sandbox at all, or the sandbox is switched off, say so once.
        Returns why student code runs unconfined, or ``None`` if it is sandboxed.
        """
        if not self.sandbox:
            self._say_unconfined(SWITCHED_OFF)
            return SWITCHED_OFF
        try:
            why_not = sandbox_readiness(self._course_root())
        except SandboxSetupError as error:
            self.log.error(
                "Grading stopped before the first student: student code cannot be sandboxed, for "
                "a reason you can fix: %s. (Grading unconfined instead, with "
                "--GradingExecute.sandbox=False, lets student code read the gradebook and the "
                "solutions.)",
                error,
            )
            raise SystemExit(1) from None
        if why_not:
            self._say_unconfined(why_not)
        return why_not

    def _course_root(self) -> Path:
        return Path(self.config.get("CourseDirectory", {}).get("root") or os.getcwd())

    def _confinement(self, resources):
        """The sandbox policy for a notebook (``None`` if unconfined) and a line for the report."""
        why_not = self._why_unconfined()
        if why_not:
            return None, f"not sandboxed: {why_not}"
        policy = self._new_policy(self._workdir(resources))
        return policy, _sandboxed(policy)

    def _why_unconfined(self) -> str | None:
        """Why this notebook's kernel runs unconfined, or ``None`` if it is sandboxed."""
        if not self.sandbox:
            return SWITCHED_OFF
        why_not = sandbox_readiness(self._course_root())
        if why_not:
            self._say_unconfined(why_not)
        return why_not

    @staticmethod
    def _workdir(resources) -> str:
        return (resources or {}).get("metadata", {}).get("path") or os.getcwd()

    def _new_policy(self, workdir: str):
        """A sandbox policy (with a fresh runtime folder) for a kernel grading in ``workdir``."""
        return grading_policy(
            Path(workdir),
            self._course_root(),
            self.config.get("Exchange", {}).get("root"),
            also_hidden=tuple(self.hidden_folders),
        )

    def _take_ahead(self, nb, resources, confined: bool):
        """The kernel started ahead for this notebook (see :mod:`labgrader.kernel_ahead`)."""
        if self.kernel_manager_class is not WarmKernelManager:
            return None
        kernel_name = self.kernel_name or nb.metadata.get("kernelspec", {}).get("name", "")
        ahead = kernel_ahead.take(self._workdir(resources), kernel_name, self.startup_timeout)
        if ahead is None:
            return None
        if (
            ahead.policy is not None
        ) != confined or ahead.km.provisioner.process.poll() is not None:
            kernel_ahead.shut_down(ahead)  # confined otherwise, or already dead
            return None
        return ahead

    def _a_notebook_follows(self) -> bool:
        """Whether nbgrader grades another notebook of this student after this one."""
        converter = getattr(self.parent, "parent", None)
        names = [Path(path).stem for path in getattr(converter, "notebooks", [])]
        name = (self.resources or {}).get("nbgrader", {}).get("notebook")
        return name in names and names.index(name) < len(names) - 1

    def _start_ahead(self, workdir: str, kernel_name: str, student: str | None) -> tuple:
        """In a thread: start and wait for the next notebook's kernel, as it would itself."""
        policy = None if self._policy is None else self._new_policy(workdir)
        runtime = policy.runtime if policy else tempfile.mkdtemp(prefix="nbgrader-kernel-")
        km = WarmKernelManager(kernel_name=kernel_name, config=self.config)
        self._wire(km, policy, runtime)
        arguments = list(self.extra_arguments)  # with the history setting nbclient adds

        async def start():
            await km.start_kernel(
                extra_arguments=arguments, env=grading_kernel_env(student=student), cwd=workdir
            )
            client = km.client()
            client.start_channels()
            try:
                await client.wait_for_ready(timeout=self.startup_timeout)
            finally:
                client.stop_channels()

        asyncio.run(start())
        return km, policy, runtime

    def _say_unconfined(self, why_not: str) -> None:
        if not GradingExecute._said_why_no_sandbox:
            GradingExecute._said_why_no_sandbox = True
            self.log.error(
                "STUDENT CODE IS NOT SANDBOXED (%s). It runs as %s and can read the gradebook, the "
                "solutions and other submissions, write to them, and use the network.",
                why_not,
                pwd.getpwuid(os.geteuid()).pw_name,
            )

    def create_kernel_manager(self):
        if self._ahead is not None:  # started while the previous notebook ran: nbclient skips
            self.km = self._ahead.km  # starting a kernel manager that has one
            return self.km
        km = super().create_kernel_manager()
        self._wire(km, self._policy, self._runtime)
        return km

    @staticmethod
    def _wire(km, policy, runtime: str) -> None:
        km.sandbox_policy = policy
        km.transport = "ipc"
        km.ip = os.path.join(runtime, "kernel")
        km.connection_file = os.path.join(runtime, "kernel.json")

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
            self._time_cell(cell)
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

    def _time_cell(self, cell) -> None:
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


def _sandboxed(policy) -> str:
    """The report's line for a kernel confined by ``policy``."""
    return "sandboxed in a user namespace" if policy.rootless else "sandboxed"


def _name(resources) -> str:
    return (resources or {}).get("metadata", {}).get("name", "notebook")


class GradingNotebookExporter(TimedPreprocessing, TolerantNotebookExporter):
    """Autograde's exporter: reads submissions tolerantly, times each step
    (:mod:`labgrader.timings`), and is made before the first student, which is when
    :meth:`GradingExecute.preflight` checks the sandbox.

    It validates each notebook once per pass, after the last step, not after every one:
    nbconvert's default validates it sixteen times per notebook, which changes nothing here.
    """

    optimistic_validation = Bool(True).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        GradingExecute(parent=self).preflight()


# Every grading process imports this module (nbgrader_config.py names it): from then on it opens
# the gradebook without asking the database to create tables that are all there.
gradebook_open.install()
