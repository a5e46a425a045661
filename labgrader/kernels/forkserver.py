"""The warm-kernel fork server: import the stack once, fork a kernel per request.

A request may carry a sandbox policy: the child then confines itself
(:func:`labgrader.sandbox.confine.confine`) before it becomes the kernel.

Run as a script (``python -P forkserver.py SOCKET``) by
:class:`labgrader.kernels.warm.ForkServer`, never imported by the grader. It imports nothing
before ``_preload``, because some libraries decide things at import time by looking for
a Jupyter kernel, and the imports here must decide as they would in one; and the grader's own
code only in the child that confines itself, which then forgets it.
"""

from __future__ import annotations

import ctypes
import json
import os
import selectors
import signal
import socket
import sys

PR_SET_PDEATHSIG = 1

# Not cleanlab: it imports tqdm.autonotebook, which picks text or widget progress bars at
# import time by looking for a kernel. It takes 0.04 s once scikit-learn is loaded.
PRELOADED = (
    "numpy",
    "pandas",
    "scipy",
    "sklearn.neighbors",
    "sklearn.model_selection",
    "matplotlib.pyplot",
    "IPython",
    "ipykernel.kernelapp",
    # What a kernel imports while it starts (0.1 s, most of it debugpy for the debugger).
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "sqlite3",
    "tornado.gen",
    "tornado.locks",
    "tornado.platform.asyncio",
    "tornado.queues",
    "helpers",
    "helpers.checks",
)


class _SeenFromAKernel:
    """What pandas looks for at import to tell a Jupyter kernel from a terminal."""

    kernel = None


def _preload() -> None:
    import builtins

    # pandas fixes display.max_columns at import: 20 under a Jupyter kernel, 0 in a terminal.
    builtins.get_ipython = _SeenFromAKernel
    try:
        import pandas  # noqa: F401
    finally:
        del builtins.get_ipython
    # debugpy warns at import that the interpreter uses frozen modules: true, and harmless here.
    os.environ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    try:
        for module in PRELOADED:
            __import__(module)
    finally:
        del os.environ["PYDEVD_DISABLE_FILE_VALIDATION"]
    _load_fonts()
    import gc

    # Kernels' garbage collections then skip the preloaded objects: a full collection over them
    # costs a kernel 0.15 s, and writing their GC headers copies every page the fork shared.
    gc.freeze()


def _load_fonts() -> None:
    """Draw some text once, off screen, so every kernel finds matplotlib's fonts loaded.

    A plain Agg canvas: no pyplot figure, no inline backend, no thread.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure()
    figure.add_subplot().set_title("fonts")
    FigureCanvasAgg(figure).draw()


def _reap(returncodes: dict) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        returncodes[pid] = os.waitstatus_to_exitcode(status)


def _forget_the_grader() -> None:
    """Drop the grader's modules (the sandbox's own code) so the kernel cannot import them."""
    for name in [name for name in sys.modules if name.split(".")[0] == "labgrader"]:
        del sys.modules[name]


def _become_kernel(request: dict, server_pid: int) -> None:
    """Turn this freshly forked child into the kernel ``request`` describes; never returns."""
    code = 1
    try:
        # Die with the server: a sandboxed kernel is PID 1 of its own namespace, where
        # ipykernel cannot see that its parent is gone, and its supervisor would wait forever.
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != server_pid:  # the server died before that took effect
            os._exit(1)
        for signum in (signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_DFL)
        os.setpgrp()  # interrupts go to the kernel's own group, never to the server
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        os.environ["JPY_PARENT_PID"] = str(server_pid)
        if request.get("policy"):  # drop to the sandbox right after the fork
            from labgrader.sandbox.confine import Policy, confine

            confine(Policy.from_json(request["policy"]))
        _forget_the_grader()
        import random

        import numpy as np

        np.random.seed()  # noqa: NPY002 (a fresh kernel starts from fresh entropy too)
        random.seed()
        argv = request["argv"]
        arguments = argv[argv.index("ipykernel_launcher") + 1 :]
        sys.argv = ["ipykernel_launcher", *arguments, f"--IPKernelApp.parent_handle={server_pid}"]
        from ipykernel import kernelapp

        kernelapp.launch_new_instance()
        code = 0
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 0
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve(socket_path: str) -> None:
    """Import the stack, then fork a kernel for every request on ``socket_path``."""
    _preload()
    returncodes: dict[int, int] = {}
    signal.signal(signal.SIGCHLD, lambda *_: _reap(returncodes))
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(16)
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ)
    grader = os.getppid()
    print("ready", flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # the grader stops reading; children inherit fd 1
    while os.getppid() == grader:  # a server whose grader died goes too
        for key, _ in selector.select(timeout=1.0):
            if key.fileobj is listener:
                connection, _ = listener.accept()
                selector.register(connection, selectors.EVENT_READ)
                continue
            connection = key.fileobj
            line = connection.makefile("r").readline()
            if not line:
                selector.unregister(connection)
                connection.close()
                continue
            request = json.loads(line)
            if request["op"] == "fork":
                pid = os.fork()
                if pid == 0:
                    listener.close()
                    connection.close()
                    _become_kernel(request, os.getppid())
                reply = {"pid": pid}
            elif request["op"] == "poll":
                _reap(returncodes)
                reply = {"returncode": returncodes.get(request["pid"])}
            else:
                reply = {"pid": os.getpid()}
            connection.sendall((json.dumps(reply) + "\n").encode())


if __name__ == "__main__":
    serve(sys.argv[1])
