"""Start the kernel of a student's next notebook while this one runs, and adopt it there.

:class:`KernelsStartedAhead` is the part of
:class:`~labgrader.autograde.execute.GradingExecute` that uses
:mod:`labgrader.kernels.ahead`: once a notebook's warm kernel is ready and nbgrader grades
another notebook of the same student after it, that notebook's kernel is forked and made
ready in a thread, with the same folder, environment and sandbox it would get itself; the
next notebook then only connects to it.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from traitlets import Bool, HasTraits

from labgrader.kernels import ahead as kernel_ahead
from labgrader.kernels.managers import WarmKernelManager
from labgrader.sandbox.environment import grading_kernel_env


class KernelsStartedAhead(HasTraits):
    """Start and adopt kernels ahead (with warm kernels only)."""

    start_kernels_ahead = Bool(
        True,
        help="With warm kernels, start the kernel of a student's next notebook while this "
        "notebook runs (labgrader.kernels.ahead).",
    ).tag(config=True)

    def start_next_kernel(self, student: str | None) -> None:
        """If another notebook of this student follows, start its kernel now, in a thread."""
        if not (self.start_kernels_ahead and isinstance(self.km, WarmKernelManager)):
            return
        if not self._a_notebook_follows():
            return
        workdir, kernel_name = self._workdir(self.resources), self.km.kernel_name
        kernel_ahead.start(
            workdir, kernel_name, lambda: self._start_ahead(workdir, kernel_name, student)
        )

    def take_ahead(self, nb, resources, confined: bool):
        """The kernel started ahead for this notebook, if it fits; ``None`` otherwise."""
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
        self.wire(km, policy, runtime)
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
