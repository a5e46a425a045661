"""Warm kernels: fork each grading kernel from a process that has already imported the stack.

A fresh kernel spends about 0.6 s starting and 1.5 s importing NumPy, pandas,
scikit-learn and matplotlib before a student's first line runs. A
:class:`ForkServer` (the script :mod:`labgrader.kernels.forkserver`) imports them
once; :class:`ForkProvisioner` (a jupyter_client kernel provisioner, the
supported extension point) asks it for each kernel, and it forks a fresh
process that becomes an ordinary ipykernel. Every notebook
still gets its own process, forked from the same untouched parent, so nothing a
student does survives into the next notebook.

Rules the fork server keeps, because breaking them breaks the children: it only
imports (no OpenMP work such as a scikit-learn predict, no zmq context, event
loop or thread); ``MPLBACKEND`` is set before matplotlib is imported and
``matplotlib_inline`` is never imported there (plots would silently stop
rendering). The child resets signal handlers, its process group, working
directory, environment, ``argv``, the parent ipykernel watches and the global
random seeds. The server's own environment (``OPENBLAS_NUM_THREADS``,
``PYTHONHASHSEED``, ``PYTHONPATH``, ...) is fixed for every child, so a server
lives for one grading run only.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.provisioning import KernelProvisionerFactory, LocalProvisioner

from labgrader.sandbox.environment import grading_kernel_env

PROVISIONER_NAME = "warm-fork-provisioner"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
SERVER_SCRIPT = Path(__file__).with_name("forkserver.py")
KERNEL_EXIT_POLL = 0.005  # seconds between looks at a killed kernel


class ForkServer:
    """One fork server for this process, started on first use."""

    _instance: ForkServer | None = None

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="warm-kernels-")
        self.socket_path = os.path.join(self.folder, "fork.sock")
        env = {**grading_kernel_env(), "MPLBACKEND": INLINE_BACKEND}
        env.pop("JPY_PARENT_PID", None)
        self.process = subprocess.Popen(
            [sys.executable, "-P", str(SERVER_SCRIPT), self.socket_path],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=None,
            text=True,
        )
        self._ready = False

    def _wait_until_ready(self) -> None:
        if self._ready:
            return
        if self.process.stdout.readline().strip() != "ready":
            self.process.kill()
            raise RuntimeError("the warm-kernel fork server did not start")
        self.process.stdout.close()
        self._ready = True

    @classmethod
    def start_early(cls) -> None:
        """Start this process's server now and return at once: it imports the stack while the
        caller does other work (a grading worker importing nbgrader); :meth:`instance` waits."""
        if cls._instance is None or cls._instance.process.poll() is not None:
            cls._instance = cls()
            atexit.register(cls._instance.stop)

    @classmethod
    def instance(cls) -> ForkServer:
        """This process's server, started (and waited for) on first use."""
        cls.start_early()
        cls._instance._wait_until_ready()
        return cls._instance

    def request(self, **message) -> dict:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.connect(self.socket_path)
            connection.sendall((json.dumps(message) + "\n").encode())
            return json.loads(connection.makefile("r").readline())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        Path(self.socket_path).unlink(missing_ok=True)
        Path(self.folder).rmdir()


class ForkedKernelProcess:
    """The parts of ``subprocess.Popen`` that ``LocalProvisioner`` uses, for a forked kernel."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, server: ForkServer):
        self.pid, self.server, self.returncode = pid, server, None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                self.returncode = self.server.request(op="poll", pid=self.pid)["returncode"]
            except OSError:  # the server is gone (a student may kill it): ask the kernel itself
                self.returncode = None if _alive(self.pid) else -1
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return self.returncode

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs and is not a zombie nobody reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


class ForkProvisioner(LocalProvisioner):
    """Launch an ipykernel by forking it from the :class:`ForkServer`."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        if "ipykernel_launcher" not in cmd:
            raise RuntimeError(f"warm kernels run ipykernel only, not {cmd}")
        server = ForkServer.instance()
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        policy = getattr(self.parent, "sandbox_policy", None)
        policy = policy.to_json() if policy is not None else None
        pid = server.request(op="fork", argv=list(cmd), env=env, cwd=cwd, policy=policy)["pid"]
        self.process = ForkedKernelProcess(pid, server)
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info

    async def wait(self) -> int | None:
        # LocalProvisioner looks every 0.1 s; a killed kernel is gone within milliseconds.
        if self.process is None:
            return 0
        while await self.poll() is None:
            await asyncio.sleep(KERNEL_EXIT_POLL)
        code, self.process = self.process.returncode, None
        return code


def warm_kernel_spec(spec):
    """``spec`` (an ipykernel kernelspec) set to launch through :class:`ForkProvisioner`."""
    spec.metadata = {**spec.metadata, "kernel_provisioner": {"provisioner_name": PROVISIONER_NAME}}
    return spec


_unavailable: str | None = None


def warm_kernels_unavailable() -> str | None:
    """Why warm kernels cannot be used in this process, or ``None`` if they can (starts the server)."""
    global _unavailable
    if _unavailable is None:
        try:
            if PROVISIONER_NAME not in KernelProvisionerFactory.instance().provisioners:
                raise RuntimeError(
                    f"the {PROVISIONER_NAME} entry point is not installed (pip install -e .)"
                )
            ForkServer.instance()
            _unavailable = ""
        except Exception as error:  # any failure means: grade with ordinary kernels
            _unavailable = f"{type(error).__name__}: {error}"
    return _unavailable or None
