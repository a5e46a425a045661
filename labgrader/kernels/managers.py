"""The grading kernels' managers and clients.

- :class:`GradingKernelManager`: an ordinary kernel, started through the sandbox's launcher
  (:mod:`labgrader.sandbox.confine`) when it has a policy; :class:`WarmKernelManager`: the
  same kernel forked warm (:mod:`labgrader.kernels.warm`);
- :class:`GradingKernelClient`: ready as soon as the kernel answers, reconnecting to a
  starting kernel every 5 ms.

What a kernel inherits is :func:`labgrader.sandbox.environment.grading_kernel_env`.
"""

from __future__ import annotations

import os
import sys
import time
from queue import Empty

import zmq
import zmq.asyncio
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import AsyncKernelManager
from traitlets import default

from labgrader.kernels.warm import KERNEL_EXIT_POLL, warm_kernel_spec
from labgrader.sandbox.confine import SANDBOX_LAUNCHER

KERNEL_RECONNECT_MS = 5  # milliseconds between a client's tries to reach a starting kernel


class GradingKernelClient(AsyncKernelClient):
    """A kernel client that is ready as soon as the kernel answers on both channels.

    jupyter_client then also waits for 0.2 s of silence on IOPub; nbclient reads only the
    IOPub messages that answer its own requests, so that wait only costs time.
    """

    @default("context")
    def _reconnecting_soon(self):
        # A kernel forked a moment ago binds its sockets a few milliseconds after the client
        # connects; zmq tries again after 100 ms, which is most of a warm kernel's start.
        self._created_context = True
        context = zmq.asyncio.Context()
        context.setsockopt(zmq.RECONNECT_IVL, KERNEL_RECONNECT_MS)
        return context

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

    sandbox_policy = None  # a labgrader.sandbox.confine.Policy, set by GradingExecute
    _forks = False

    def format_kernel_cmd(self, extra_arguments=None):
        command = super().format_kernel_cmd(extra_arguments)
        if self.sandbox_policy is not None and not self._forks:
            launcher = [
                sys.executable,
                "-m",
                SANDBOX_LAUNCHER,
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

    async def _async_wait(self, pollinterval: float = 0.1) -> None:
        # A killed kernel is gone within milliseconds; jupyter_client looks every 0.1 s.
        await super()._async_wait(pollinterval=KERNEL_EXIT_POLL)


class WarmKernelManager(GradingKernelManager):
    """A kernel manager whose ipykernel kernels are forked warm (see :mod:`labgrader.kernels.warm`)."""

    _forks = True

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        return (
            warm_kernel_spec(spec)
            if spec is not None and "ipykernel_launcher" in spec.argv
            else spec
        )
