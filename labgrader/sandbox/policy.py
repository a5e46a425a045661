"""The grader's side of the sandbox: who kernels run as, what they need, their policy and cgroups.

:mod:`labgrader.sandbox.confine` confines a kernel; this module decides, per notebook,
what the confined kernel may see (:func:`grading_policy`), from what the
kernel's interpreter really imports (:func:`kernel_paths`, asked once per
process, whatever the layout: a venv inside or outside the course, an editable
install from this or another checkout, or a plain install), makes its cgroups
and lends it the student's folder while it runs. :mod:`labgrader.sandbox.readiness`
finds out whether all of this works on this machine.
"""

from __future__ import annotations

import functools
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import matplotlib

from labgrader.sandbox.confine import MEMORY_BYTES, PROCESSES, Policy
from labgrader.sandbox.environment import grading_kernel_env

SANDBOX_USER = "nbgrader-sandbox"
STUDENTS_PACKAGE, GRADER_PACKAGE = "helpers", "labgrader"


def sandbox_user() -> tuple[int, int]:
    """``(uid, gid)`` of the sandbox user; ``KeyError`` if it does not exist."""
    entry = pwd.getpwnam(SANDBOX_USER)
    return entry.pw_uid, entry.pw_gid


class KernelSetupError(RuntimeError):
    """The grading kernel's interpreter cannot even import the students' package, sandbox or not."""


@dataclass(frozen=True)
class KernelPaths:
    """Where the grading kernel's interpreter finds Python and the two packages.

    Attributes
    ----------
    interpreter : str
        The interpreter's real path (a venv's ``python`` is a link to it).
    libraries : tuple of str
        Folders the kernel imports from: its prefixes and library folders.
    students_package : str
        The folder ``import helpers`` loads.
    grader_package : str or None
        The folder ``import labgrader`` would load, if the interpreter finds it.
    """

    interpreter: str
    libraries: tuple
    students_package: str
    grader_package: str | None


_WHERE = """
import importlib.util, json, os, sys
def folder(name):
    spec = importlib.util.find_spec(name)
    return os.path.dirname(spec.origin) if spec and spec.origin else None
print(json.dumps({"interpreter": os.path.realpath(sys.executable), "prefixes": [sys.prefix, sys.base_prefix],
    "path": [p for p in sys.path if p], "helpers": folder("helpers"), "labgrader": folder("labgrader")}))
"""


@functools.cache
def kernel_paths(interpreter: str = sys.executable) -> KernelPaths:
    """Ask the kernel's interpreter, with the grading kernel's environment, where it imports from."""
    result = subprocess.run(
        [interpreter, "-c", _WHERE],
        env=grading_kernel_env(),
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
    )
    if result.returncode != 0:
        raise KernelSetupError(f"{interpreter} could not start: {last_line(result.stderr)}")
    found = json.loads(result.stdout)
    if found["helpers"] is None:
        raise KernelSetupError(
            f"{interpreter} cannot import {STUDENTS_PACKAGE}, which every notebook imports: install "
            "it into the grading environment (make setup)"
        )
    prefixes = [os.path.realpath(p) for p in found["prefixes"]]
    # Only library folders come back into the sandbox, never a checkout someone put on sys.path.
    libraries = [
        path
        for path in map(os.path.realpath, found["path"])
        if any(is_inside(path, prefix) for prefix in prefixes)
        or Path(path).name in ("site-packages", "dist-packages")
    ]
    return KernelPaths(
        interpreter=found["interpreter"],
        libraries=tuple(
            dict.fromkeys([*prefixes, str(Path(found["interpreter"]).parent), *libraries])
        ),
        students_package=found["helpers"],
        grader_package=found["labgrader"],
    )


def last_line(text: str) -> str:
    lines = text.strip().splitlines()
    return lines[-1] if lines else "no message"


DEFAULT_EXCHANGE = "/usr/local/share/nbgrader/exchange"
CGROUP_ROOT = Path("/sys/fs/cgroup")


def make_cgroups(name: str, processes: int, memory_bytes: int) -> tuple:
    """Make this kernel's cgroups (v2, or v1's pids and memory); ``()`` where that fails."""
    made = []
    try:
        if (CGROUP_ROOT / "cgroup.controllers").exists():  # cgroup v2
            parent = CGROUP_ROOT / "nbgrader"
            parent.mkdir(exist_ok=True)
            (CGROUP_ROOT / "cgroup.subtree_control").write_text("+pids +memory")
            (parent / "cgroup.subtree_control").write_text("+pids +memory")
            group = parent / name
            group.mkdir()
            made.append(group)
            (group / "pids.max").write_text(str(processes))
            (group / "memory.max").write_text(str(memory_bytes))
        else:  # cgroup v1
            for controller, limit_file, limit in (
                ("pids", "pids.max", processes),
                ("memory", "memory.limit_in_bytes", memory_bytes),
            ):
                group = CGROUP_ROOT / controller / "nbgrader" / name
                group.mkdir(parents=True)
                made.append(group)
                (group / limit_file).write_text(str(limit))
    except OSError:
        remove_cgroups(made)
        return ()
    return tuple(str(group) for group in made)


def remove_cgroups(groups) -> None:
    """Remove the cgroups once their processes are gone (a killed kernel takes a moment)."""
    for group in groups:
        for _ in range(50):
            try:
                Path(group).rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:
                time.sleep(0.02)


def grading_policy(
    workdir: Path, course_root: Path, exchange_root: str | None = None, also_hidden: tuple = ()
) -> Policy:
    """The policy for a kernel grading the notebook in ``workdir``, with a fresh runtime folder.

    ``also_hidden``: more folders student code must not see (``GradingExecute.hidden_folders``:
    the checkout a hub was built from, a Dask worker's own copy of the course).
    """
    paths = kernel_paths()
    rootless = os.geteuid() != 0
    uid, gid = (os.getuid(), os.getgid()) if rootless else sandbox_user()
    runtime = tempfile.mkdtemp(prefix="nbgrader-kernel-", dir="/tmp")
    os.chown(runtime, uid, gid)
    os.chmod(runtime, 0o700)
    packages = [p for p in (paths.students_package, paths.grader_package) if p]
    hide = (
        str(course_root),
        os.path.expanduser("~"),
        "/root",
        "/home",
        exchange_root or DEFAULT_EXCHANGE,
        *also_hidden,
        # An editable install: the checkout it comes from holds solutions too.
        *(
            str(Path(p).parent)
            for p in packages
            if not any(is_inside(p, library) for library in paths.libraries)
        ),
    )
    caches = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return Policy(
        workdir=str(workdir),
        runtime=runtime,
        cgroups=() if rootless else make_cgroups(Path(runtime).name, PROCESSES, MEMORY_BYTES),
        hide=hide,
        keep=(*paths.libraries, paths.students_package),
        conceal=(paths.grader_package,) if paths.grader_package else (),
        uid=uid,
        gid=gid,
        # An ordinary kernel would rebuild matplotlib's font list in its empty home: start from ours.
        env={"MPLCONFIGDIR": "/tmp/home/.config/matplotlib"},
        seed={f".config/matplotlib/{cache.name}": str(cache) for cache in caches},
        rootless=rootless,
    )


def is_inside(path: Path, folder: str) -> bool:
    return Path(path).resolve().is_relative_to(Path(folder).resolve())


@contextmanager
def lent_to_the_sandbox(policy: Policy):
    """Give the student's folder to the sandbox user while the kernel runs, then take it back."""
    workdir = Path(policy.workdir)
    # lstat: a symlink is lent and returned as itself, dangling or not.
    owners = {
        path: (status.st_uid, status.st_gid)
        for path in (workdir, *workdir.rglob("*"))
        for status in (path.lstat(),)
    }
    try:
        for path in owners:
            os.chown(path, policy.uid, policy.gid, follow_symlinks=False)
        yield
    finally:
        for path in (workdir, *workdir.rglob("*")):
            uid, gid = owners.get(path, (os.getuid(), os.getgid()))
            os.chown(path, uid, gid, follow_symlinks=False)
        shutil.rmtree(policy.runtime, ignore_errors=True)
        remove_cgroups(policy.cgroups)
