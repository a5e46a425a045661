"""Start the kernel of a student's next notebook while this notebook runs.

nbgrader grades a student's notebooks one after the other, each in a kernel of its own,
all in the same folder (``autograded/<student>/<assignment>``) with the same environment.
So once a notebook's warm kernel is ready, the next notebook's kernel (its own process,
sandbox, runtime folder and cgroups) is forked and made ready in a thread, while the cells
of this one run; the next notebook then only connects to it. A kernel started ahead for
another folder or another kernel name is shut down unused; so is one still waiting when the
process exits. Nothing runs in it before its notebook's first cell: it is the very kernel
the notebook would have started.
"""

from __future__ import annotations

import asyncio
import atexit
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from labgrader.sandbox.policy import remove_cgroups


@dataclass
class KernelAhead:
    """A kernel started for the next notebook in ``workdir``."""

    workdir: str
    kernel_name: str
    km: object = None  # a started GradingKernelManager
    policy: object = None  # its labgrader.sandbox.confine.Policy, or None when unconfined
    runtime: str = ""  # its private runtime folder
    error: str = ""
    ready: threading.Event = field(default_factory=threading.Event)


_waiting: KernelAhead | None = None
_lock = threading.Lock()


def start(workdir: str, kernel_name: str, prepare: Callable[[], tuple]) -> None:
    """Run ``prepare() -> (km, policy, runtime)`` in a thread, for the next notebook."""
    global _waiting
    ahead = KernelAhead(str(workdir), kernel_name)

    def run():
        try:
            ahead.km, ahead.policy, ahead.runtime = prepare()
        except Exception as error:  # the notebook then starts its own kernel
            ahead.error = f"{type(error).__name__}: {error}"
        finally:
            ahead.ready.set()

    with _lock:
        previous, _waiting = _waiting, ahead
    if previous is not None:
        shut_down(previous)
    threading.Thread(target=run, name="kernel-ahead", daemon=True).start()


def take(workdir: str, kernel_name: str, timeout: float) -> KernelAhead | None:
    """The kernel started ahead for ``workdir``, once ready; ``None`` if there is none."""
    global _waiting
    with _lock:
        ahead, _waiting = _waiting, None
    if ahead is None:
        return None
    ahead.ready.wait(timeout)
    fits = ahead.workdir == str(workdir) and ahead.kernel_name == kernel_name
    if ahead.ready.is_set() and not ahead.error and ahead.km is not None and fits:
        return ahead
    shut_down(ahead)
    return None


def shut_down(ahead: KernelAhead) -> None:
    """Stop a kernel started ahead and remove its folder and cgroups."""
    ahead.ready.wait()
    if ahead.km is not None:
        try:
            asyncio.run(ahead.km.shutdown_kernel(now=True))
        except Exception:  # already gone: nothing to stop
            pass
    if ahead.runtime:
        shutil.rmtree(ahead.runtime, ignore_errors=True)
    if ahead.policy is not None:
        remove_cgroups(ahead.policy.cgroups)


def discard() -> None:
    """Shut down the kernel waiting, if any."""
    take("", "", timeout=0)


atexit.register(discard)
