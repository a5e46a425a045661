"""Which grading kernels are sandboxed, with what policy, and saying so when they are not.

:class:`SandboxedKernels` is the part of :class:`~labgrader.autograde.execute.GradingExecute`
that decides, per notebook, whether its kernel is confined (:mod:`labgrader.sandbox`) and
with which policy, checks before the first student that the sandbox works where it should
(:meth:`SandboxedKernels.preflight`), and says once, loudly, when student code runs
unconfined.
"""

from __future__ import annotations

import os
import pwd
from pathlib import Path

from traitlets import Bool, HasTraits, List, Unicode

from labgrader.sandbox.policy import grading_policy
from labgrader.sandbox.readiness import SandboxSetupError, sandbox_readiness

SWITCHED_OFF = "switched off (GradingExecute.sandbox = False)"


def sandboxed(policy) -> str:
    """The report's line for a kernel confined by ``policy``."""
    return "sandboxed in a user namespace" if policy.rootless else "sandboxed"


class SandboxedKernels(HasTraits):
    """Sandbox settings of the grading kernels, and the decisions made from them."""

    sandbox = Bool(
        True,
        help="Confine student code (labgrader.sandbox) where the machine allows it; "
        "otherwise say so once, loudly, and grade unconfined.",
    ).tag(config=True)

    hidden_folders = List(
        Unicode(),
        help="More folders student code must not see, besides the course, the homes, the "
        "exchange and an editable install's checkout (a hub: the checkout it was built from; "
        "a Dask worker: its own copy of the course).",
    ).tag(config=True)

    _said_why_no_sandbox = False  # once per process, whichever instance says it

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

    def confinement(self, resources):
        """The sandbox policy for a notebook (``None`` if unconfined) and a line for the report."""
        why_not = self._why_unconfined()
        if why_not:
            return None, f"not sandboxed: {why_not}"
        policy = self._new_policy(self._workdir(resources))
        return policy, sandboxed(policy)

    def _course_root(self) -> Path:
        return Path(self.config.get("CourseDirectory", {}).get("root") or os.getcwd())

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

    def _say_unconfined(self, why_not: str) -> None:
        if not SandboxedKernels._said_why_no_sandbox:
            SandboxedKernels._said_why_no_sandbox = True
            self.log.error(
                "STUDENT CODE IS NOT SANDBOXED (%s). It runs as %s and can read the gradebook, the "
                "solutions and other submissions, write to them, and use the network.",
                why_not,
                pwd.getpwuid(os.geteuid()).pw_name,
            )
