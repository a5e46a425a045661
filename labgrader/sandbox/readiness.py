"""Can student code be sandboxed here? Found out once per process, before the first student.

Three answers, because they call for three different actions:

- it works: every grading kernel is confined;
- this machine cannot sandbox at all (grading does not run as root, there is no
  sandbox user, the kernel or container allows no namespaces): grading goes on
  unconfined, says so once, and the grade report says so for every notebook;
- it should work but does not, for a reason the instructor can fix (a folder the
  kernel needs is closed to other users, the grading interpreter cannot import
  ``helpers``, the grader can be imported inside the sandbox):
  :class:`SandboxSetupError`, which stops grading before the first student, with
  that reason in plain words. It never quietly runs without.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from labgrader.sandbox.confine import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    SANDBOX_LAUNCHER,
    Policy,
)
from labgrader.sandbox.policy import (
    GRADER_PACKAGE,
    SANDBOX_USER,
    STUDENTS_PACKAGE,
    KernelPaths,
    KernelSetupError,
    grading_policy,
    is_inside,
    kernel_paths,
    last_line,
    lent_to_the_sandbox,
    sandbox_user,
)

FIX_THE_INTERPRETER = (
    "make the grading venv from an interpreter every user can run, for example "
    "`/usr/bin/python3 -m venv .venv` (as `make setup` does)"
)


class SandboxSetupError(RuntimeError):
    """The sandbox should work on this machine but does not, for a reason that can be fixed."""


_checked: dict = {}


def sandbox_readiness(course_root: Path) -> str | None:
    """``None`` if kernels can be confined; why not, if this machine cannot sandbox at all.

    Raises
    ------
    SandboxSetupError
        If it should work here but does not; the message says why and what to do.
    """
    if "answer" not in _checked:
        _checked["answer"] = _check(Path(course_root))
    if isinstance(_checked["answer"], SandboxSetupError):
        raise _checked["answer"]
    return _checked["answer"]


def adopt(answer: str | None) -> None:
    """Take ``answer``, what :func:`sandbox_readiness` found in the process that started this one
    (same user, machine and course), instead of probing again: a grading worker's first student
    then waits for no probe kernel."""
    _checked["answer"] = answer


def _check(course_root: Path):
    if os.geteuid() != 0:
        # A grading account (a course on a hub): the kernel's namespaces come from its own user
        # namespace, where the machine allows those to unprivileged users.
        if _namespaces_refused(CLONE_NEWUSER):
            return (
                "grading does not run as root and this machine allows no user namespaces, so it "
                "can neither switch user nor make namespaces"
            )
    else:
        try:
            sandbox_user()
        except KeyError:
            return f"there is no user {SANDBOX_USER} (create it with `make sandbox-user`)"
        no_namespaces = _namespaces_refused()
        if no_namespaces:
            return no_namespaces
    try:
        paths = kernel_paths()
    except KernelSetupError as error:
        return SandboxSetupError(str(error))
    workdir = Path(tempfile.mkdtemp(prefix="nbgrader-sandbox-probe-"))
    try:
        policy = grading_policy(workdir, course_root)
        with lent_to_the_sandbox(policy):
            failure = _probe(policy)
        return None if failure is None else SandboxSetupError(_diagnose(failure, policy, paths))
    except OSError as error:
        return SandboxSetupError(f"the sandbox could not be set up ({error})")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _namespaces_refused(first: int = 0) -> str | None:
    """Why this kernel (or container) lets this process make no namespaces, or ``None``.

    ``first`` is unshared before the others (a user namespace, for a grader that is not root).
    """
    child = os.fork()
    if child == 0:
        libc = ctypes.CDLL(None, use_errno=True)
        flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID
        refused = (first and libc.unshare(first) != 0) or libc.unshare(flags) != 0
        os._exit((min(ctypes.get_errno(), 255) or 255) if refused else 0)
    _, status = os.waitpid(child, 0)
    code = os.waitstatus_to_exitcode(status)
    if code == 0:
        return None
    return f"this machine allows no new namespaces (unshare: {os.strerror(code)})"


_PROBE = """
import json, os, socket
import helpers.checks
try:
    import labgrader
    grader = os.path.dirname(labgrader.__file__)
except ModuleNotFoundError:
    grader = None
try:
    socket.create_connection(("127.0.0.1", 9), timeout=1).close()
    network = True
except OSError:
    network = False
capabilities = [line for line in open("/proc/self/status") if line.startswith("CapEff")][0]
print("PROBE " + json.dumps({"uid": os.getuid(), "grader": grader, "network": network,
                            "capabilities": int(capabilities.split()[1], 16)}))
"""


def _probe(policy: Policy) -> str | None:
    """Start a confined interpreter as a kernel would be; ``None`` if it is confined as it must be."""
    command = [sys.executable, "-m", SANDBOX_LAUNCHER, policy.to_json(), "--"]
    command += [sys.executable, "-c", _PROBE]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    reports = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    if not reports:
        return last_line(result.stderr) if result.stderr.strip() else f"exit {result.returncode}"
    seen = json.loads(reports[-1].removeprefix("PROBE "))
    if seen["grader"]:
        return f"{GRADER_PACKAGE} can be imported inside the sandbox, from {seen['grader']}"
    if seen["network"] or seen["uid"] != policy.uid or seen["capabilities"]:
        return "the probe ran but was not confined (network, user or capabilities)"
    return None


def _diagnose(failure: str, policy: Policy, paths: KernelPaths) -> str:
    """Turn a failed probe into a reason an instructor can act on."""
    hidden = [folder for folder in policy.hide if os.path.isdir(folder)]
    needed = [sys.executable, paths.interpreter, *paths.libraries, paths.students_package]
    for path in needed:
        closed = _closed_to_others(path, hidden, policy.uid)
        if closed:
            folder, mode = closed
            return (
                f"the sandbox user {SANDBOX_USER} cannot reach {path}, which the grading kernel "
                f"needs: {folder} is mode {mode:o} and lets other users nowhere in. Open it to "
                f"them (chmod o+x {folder}) or {FIX_THE_INTERPRETER}"
            )
    if failure.startswith(GRADER_PACKAGE):
        return f"{failure}: student code could read the hidden checks"
    if f"No module named '{STUDENTS_PACKAGE}'" in failure:
        return (
            f"the sandboxed kernel cannot import {STUDENTS_PACKAGE} from "
            f"{paths.students_package} ({failure})"
        )
    return f"the sandboxed kernel could not start ({failure})"


def _closed_to_others(path: str, hidden: list, uid: int) -> tuple[str, int] | None:
    """The first folder on the way to ``path`` that the sandbox user may not enter, if any.

    Folders inside a hidden one do not count: in the sandbox they are put back on an open tmpfs.
    """
    current = Path(path)
    for folder in [*reversed(current.parents), current]:
        if any(is_inside(folder, h) for h in hidden) or not folder.is_dir():
            continue
        info = folder.stat()
        if info.st_uid != uid and not info.st_mode & stat.S_IXOTH:
            return str(folder), stat.S_IMODE(info.st_mode)
    return None
