"""The grader's side of the sandbox: who kernels run as, their policy, cgroups, and whether it works here.

:mod:`labgrader.sandbox` confines a kernel; this module decides, per
notebook, what the confined kernel may see (:func:`grading_policy`), makes its
cgroups, lends it the student's folder while it runs, and finds out once per
process whether this machine allows any of it (:func:`sandbox_unavailable`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from labgrader.sandbox import MEMORY_BYTES, PROCESSES, Policy

SANDBOX_USER = "nbgrader-sandbox"


def sandbox_user() -> tuple[int, int]:
    """``(uid, gid)`` of the sandbox user; ``KeyError`` if it does not exist."""
    entry = pwd.getpwnam(SANDBOX_USER)
    return entry.pw_uid, entry.pw_gid


def probe(policy: Policy) -> str | None:
    """Start the launcher with ``policy`` on a command that imports the course package.

    Returns why the sandbox cannot be used here, or ``None`` if it works.
    """
    check = "import helpers.checks, socket; socket.create_connection(('127.0.0.1', 9), timeout=1)"
    command = [
        sys.executable,
        "-m",
        "labgrader.sandbox",
        policy.to_json(),
        "--",
        sys.executable,
        "-c",
        check,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    if "Network is unreachable" in result.stderr:
        return None  # it ran, imported the package, and found no network
    lines = result.stderr.strip().splitlines()
    return lines[-1] if lines else f"the sandbox probe exited with {result.returncode}"


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


def grading_policy(workdir: Path, course_root: Path, exchange_root: str | None = None) -> Policy:
    """The policy for a kernel grading the notebook in ``workdir``, with a fresh runtime folder."""
    import matplotlib

    import helpers
    import labgrader

    uid, gid = sandbox_user()
    runtime = tempfile.mkdtemp(prefix="nbgrader-kernel-", dir="/tmp")
    os.chown(runtime, uid, gid)
    os.chmod(runtime, 0o700)
    students_package = Path(helpers.__file__).parent
    grader_package = Path(labgrader.__file__).parent
    hide = (
        str(course_root),
        os.path.expanduser("~"),
        "/root",
        "/home",
        exchange_root or DEFAULT_EXCHANGE,
        # An editable install: the checkout it comes from holds solutions too.
        *(str(p.parent) for p in (students_package, grader_package) if not _inside(p, sys.prefix)),
    )
    caches = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    return Policy(
        workdir=str(workdir),
        runtime=runtime,
        cgroups=make_cgroups(Path(runtime).name, PROCESSES, MEMORY_BYTES),
        hide=hide,
        keep=(sys.prefix, str(students_package)),
        conceal=(str(grader_package),),
        uid=uid,
        gid=gid,
        # An ordinary kernel would rebuild matplotlib's font list in its empty home: start from ours.
        env={"MPLCONFIGDIR": "/tmp/home/.config/matplotlib"},
        seed={f".config/matplotlib/{cache.name}": str(cache) for cache in caches},
    )


def _inside(path: Path, folder: str) -> bool:
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


_why_not: dict = {}


def sandbox_unavailable(course_root: Path) -> str | None:
    """Why kernels cannot be sandboxed on this machine (checked once), or ``None``."""
    if "reason" not in _why_not:
        _why_not["reason"] = _find_why_not(course_root)
    return _why_not["reason"]


def _find_why_not(course_root: Path) -> str | None:
    if os.geteuid() != 0:
        return "grading does not run as root, so it cannot switch user or make namespaces"
    try:
        sandbox_user()
    except KeyError:
        return f"there is no user {SANDBOX_USER} (create it with `make sandbox-user`)"
    workdir = Path(tempfile.mkdtemp(prefix="nbgrader-sandbox-probe-"))
    try:
        policy = grading_policy(workdir, course_root)
        with lent_to_the_sandbox(policy):
            return probe(policy)
    except OSError as error:
        return str(error)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
