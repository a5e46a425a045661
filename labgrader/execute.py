"""How the autograder runs a student's notebook: confined, warm, bounded, faults contained.

:class:`GradingExecute` replaces nbgrader's ``Execute`` in the autograde
pipeline:

- kernels are confined where the machine allows it (:mod:`labgrader.sandbox`),
  forked warm where it can (:mod:`labgrader.warm`), and never see the
  gradebook's address nor the submission folder on ``sys.path``;
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

import contextlib
import os
import pwd
import shutil
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import run_sync
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, default

from helpers.identity import GRADED_STUDENT_VARIABLE
from labgrader.intake import STATE_KEY, TolerantNotebookExporter, mark_not_gradable
from labgrader.sandbox_check import SandboxSetupError, sandbox_readiness
from labgrader.sandbox_setup import grading_policy, lent_to_the_sandbox

SECRET_VARIABLES = ("MULTIANNOTATOR_DB_URL",)
SWITCHED_OFF = "switched off (GradingExecute.sandbox = False)"
SECRET_PREFIXES = ("PG",)  # libpq's PGPASSWORD, PGHOST, ... for a PostgreSQL gradebook
# An instructor grading on a JupyterHub server inherits JUPYTERHUB_USER (their own name, which
# would pick their dataset, not the student's) and JUPYTERHUB_API_TOKEN (their hub credentials).
NOT_INHERITED_PREFIXES = ("JUPYTERHUB_", GRADED_STUDENT_VARIABLE)


def grading_kernel_env(base: dict | None = None, student: str | None = None) -> dict:
    """Environment for a grading kernel.

    ``PYTHONSAFEPATH`` keeps the kernel's working directory (the student's
    submission folder) off ``sys.path``, so a ``helpers/`` folder or
    ``helpers.py`` shipped beside the notebook cannot stand in for the
    course's installed package. The gradebook's address (which may hold a
    PostgreSQL password) is not passed on: student code has no use for it;
    nor is anything of the grading user's JupyterHub session. ``student``, the
    nbgrader student id of the submission, is what the kernel builds that
    student's own dataset for (:mod:`helpers.identity`).
    """
    env = dict(os.environ if base is None else base)
    for name in list(env):
        if (
            name in SECRET_VARIABLES
            or name.startswith(SECRET_PREFIXES)
            or name.startswith(NOT_INHERITED_PREFIXES)
        ):
            del env[name]
    env["PYTHONSAFEPATH"] = "1"
    if student:
        env[GRADED_STUDENT_VARIABLE] = student
    return env


class GradingKernelClient(AsyncKernelClient):
    """A kernel client that is ready as soon as the kernel answers on both channels.

    jupyter_client then also waits for 0.2 s of silence on IOPub; nbclient reads only the
    IOPub messages that answer its own requests, so that wait only costs time.
    """

    async def wait_for_ready(self, timeout: float | None = None) -> None:
        deadline = time.monotonic() + (timeout or 60)
        while True:
            self.kernel_info()
            try:
                reply = await self.shell_channel.get_msg(timeout=1)
                if reply["msg_type"] == "kernel_info_reply":
                    await self.iopub_channel.get_msg(timeout=0.2)  # IOPub is subscribed
                    self._handle_kernel_info_reply(reply)
                    return
            except Empty:
                pass
            if not await self._async_is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


class GradingKernelManager(AsyncKernelManager):
    """An ordinary kernel manager with the :class:`GradingKernelClient`, sandboxed if given a policy."""

    sandbox_policy = None  # a labgrader.sandbox.Policy, set by GradingExecute
    _forks = False

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if self.sandbox_policy is not None and not self._forks:
            launcher = [
                sys.executable,
                "-m",
                "labgrader.sandbox",
                self.sandbox_policy.to_json(),
                "--",
            ]
            command = [*launcher, *command]
        return command

    def write_connection_file(self, **kwargs):
        super().write_connection_file(**kwargs)
        if self.sandbox_policy is not None:  # the kernel reads it as the sandbox user
            os.chown(self.connection_file, self.sandbox_policy.uid, self.sandbox_policy.gid)

    @default("client_factory")
    def _grading_client(self):
        return GradingKernelClient


class WarmKernelManager(GradingKernelManager):
    """A kernel manager whose ipykernel kernels are forked warm (see :mod:`labgrader.warm`)."""

    _forks = True

    @property
    def kernel_spec(self):
        from labgrader.warm import warm_kernel_spec

        spec = super().kernel_spec
        return (
            warm_kernel_spec(spec)
            if spec is not None and "ipykernel_launcher" in spec.argv
            else spec
        )


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

    _said_why_not_warm = False
    _said_why_no_sandbox = False
    _policy = None
    _runtime = None

    # All outputs are in when the last cell returns: a graceful shutdown only costs time.
    shutdown_kernel = "immediate"

    _student: str | None = None

    async def async_start_new_kernel(self, **kwargs):
        kwargs["env"] = grading_kernel_env(kwargs.get("env"), student=self._student)
        return await super().async_start_new_kernel(**kwargs)

    # nbclient binds the synchronous wrapper to its own coroutine: rebind it to ours.
    start_new_kernel = run_sync(async_start_new_kernel)

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
        self._student = (resources or {}).get("nbgrader", {}).get("student")
        self._deadline = time.monotonic() + self.notebook_timeout
        self.timeout_func = self._cell_timeout
        self._policy, confinement = self._confinement(resources)
        nb.metadata.setdefault(STATE_KEY, {})["confinement"] = confinement
        # Every kernel talks over Unix sockets in a private folder: no TCP port for anyone to reach.
        self._runtime = (
            self._policy.runtime if self._policy else tempfile.mkdtemp(prefix="nbgrader-kernel-")
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
        if self._stop_reason:
            mark_not_gradable(
                nb,
                self._stop_reason,
                f"Grading stopped early: {self._stop_reason}. The cells after that point were not "
                "run, so their tests score 0; the parts checked before it keep their points.",
            )
        return nb, resources

    def preflight(self) -> None:
        """Before the first student: stop if the sandbox should work here and does not.

        Where this machine cannot sandbox at all, or the sandbox is switched off, say so once.
        """
        if not self.sandbox:
            self._say_unconfined(SWITCHED_OFF)
            return
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

    def _course_root(self) -> Path:
        return Path(self.config.get("CourseDirectory", {}).get("root") or os.getcwd())

    def _confinement(self, resources):
        """The sandbox policy for this notebook (``None`` if unconfined) and a line for the report."""
        if not self.sandbox:
            return None, f"not sandboxed: {SWITCHED_OFF}"
        why_not = sandbox_readiness(self._course_root())
        if why_not:
            self._say_unconfined(why_not)
            return None, f"not sandboxed: {why_not}"
        workdir = (resources or {}).get("metadata", {}).get("path") or os.getcwd()
        policy = grading_policy(
            Path(workdir), self._course_root(), self.config.get("Exchange", {}).get("root")
        )
        return policy, "sandboxed in a user namespace" if policy.rootless else "sandboxed"

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
        km = super().create_kernel_manager()
        km.sandbox_policy = self._policy
        km.transport = "ipc"
        km.ip = os.path.join(self._runtime, "kernel")
        km.connection_file = os.path.join(self._runtime, "kernel.json")
        return km

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
            return super().preprocess_cell(cell, resources, index)
        except DeadKernelError:
            self._stop(
                f"the kernel died while running cell {index + 1} (for example os._exit, or out of memory)"
            )
        except CellTimeoutError:
            self._stop(
                f"cell {index + 1} ran past the time limit and did not stop when interrupted"
            )
        return cell, resources


def _name(resources) -> str:
    return (resources or {}).get("metadata", {}).get("name", "notebook")


class GradingNotebookExporter(TolerantNotebookExporter):
    """Autograde's exporter: reads submissions tolerantly, and is made before the first student,
    which is when :meth:`GradingExecute.preflight` checks the sandbox."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        GradingExecute(parent=self).preflight()
