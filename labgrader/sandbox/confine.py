"""Confine a grading kernel: its own user, its own view of the files, no network, limits.

:func:`confine` runs in the kernel's process before any student code: in a warm
kernel right after the fork (:mod:`labgrader.kernels.forkserver`), in an ordinary
kernel in this module's launcher (``python -m labgrader.sandbox.confine POLICY --
KERNEL COMMAND``), which then becomes the kernel. It needs root (or a user namespace of its
own, ``rootless``), and:

- new mount, network, IPC and PID namespaces: the kernel sees no network at all
  (it talks to the grader over Unix sockets in its runtime folder), and only its
  own processes;
- an empty tmpfs over each folder in ``hide`` (the course root with the
  gradebook, ``source/`` and every other student; the grader's home; every
  world-writable folder such as ``/tmp``, ``/dev/shm`` and the exchange), with
  the ``keep`` folders (the venv, the ``helpers`` package) put back read-only and
  the student's own folder and the kernel's runtime folder put back writable;
- the unprivileged sandbox user, with limits on address space, processes, CPU
  time and file size.

A root supervisor stays outside the PID namespace: it forwards interrupts to the
kernel and, when it dies, takes the whole namespace with it.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import signal
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWUSER = (
    0x00020000,
    0x40000000,
    0x08000000,
    0x20000000,
    0x10000000,
)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
CAPABILITY_VERSION_3 = 0x20080522
SANDBOX_LAUNCHER = "labgrader.sandbox.confine"
"""The module ordinary kernels are started through: ``python -m SANDBOX_LAUNCHER POLICY -- ...``."""
MEMORY_BYTES = 2 * 2**30  # per process, and for the whole kernel where cgroups work
PROCESSES = 256  # threads included (a kernel uses about 17): per kernel in its cgroup
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue")
FORWARDED = (
    signal.SIGINT,
    signal.SIGTERM,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
)


@dataclass(frozen=True)
class Policy:
    """What one kernel may see and use.

    ``rootless``: the grader does not run as root (a course's grading account on a
    hub), so the kernel gets its namespaces from a user namespace of its own, keeps
    the grading account's uid (with every capability dropped) and no cgroups.
    """

    workdir: str  # the student's folder: its working directory, writable
    runtime: str  # connection file and sockets, writable, private to this kernel
    hide: tuple = ()  # replaced by empty folders
    keep: tuple = ()  # inside hidden folders, but readable (the venv, the students' package)
    conceal: tuple = ()  # packages that must not import (the grader), wherever they are visible
    uid: int = 65534
    gid: int = 65534
    memory_bytes: int = MEMORY_BYTES
    processes: int = PROCESSES
    cgroups: tuple = ()  # this kernel's cgroup folders; empty: only per-user rlimits
    cpu_seconds: int = 900
    file_bytes: int = 2**30
    env: dict = field(default_factory=dict)
    # A file in the kernel's private home -> the file it starts as a copy of.
    seed: dict = field(default_factory=dict)
    rootless: bool = False

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Policy:
        data = json.loads(text)
        folders = ("hide", "keep", "conceal", "cgroups")
        return cls(**{**data, **{key: tuple(data[key]) for key in folders}})


_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    encode = lambda value: None if value is None else str(value).encode()  # noqa: E731
    result = _libc.mount(
        encode(source), encode(target), encode(fstype), ctypes.c_ulong(flags), encode(data)
    )
    _check(result, f"mount {target}")


def _inside(path: str, folders) -> bool:
    return any(path == folder or path.startswith(folder.rstrip("/") + "/") for folder in folders)


def _hide_and_rebind(policy: Policy) -> dict:
    hidden = []
    # Shortest first, so that a folder inside one already hidden is skipped.
    for folder in sorted(dict.fromkeys((*policy.hide, *WORLD_WRITABLE)), key=len):
        if os.path.isdir(folder) and not _inside(folder, hidden):
            hidden.append(folder)
    writable = [policy.workdir, policy.runtime]
    keep = [k for k in policy.keep if os.path.exists(k) and _inside(k, hidden)]
    # Open what comes back before hiding it: afterwards it is reachable through these only.
    handles = {path: os.open(path, os.O_PATH) for path in (*writable, *keep)}
    seeds = {
        name: Path(source).read_bytes()
        for name, source in policy.seed.items()
        if os.path.isfile(source)
    }
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    for folder in hidden:
        _mount(
            "tmpfs",
            folder,
            "tmpfs",
            MS_NOSUID | MS_NODEV,
            "mode=1777" if folder in WORLD_WRITABLE else "mode=755",
        )
    for path, handle in handles.items():
        if not _inside(path, hidden):
            continue
        os.makedirs(path, exist_ok=True)
        _mount(f"/proc/self/fd/{handle}", path, None, MS_BIND | MS_REC)
        if path in keep:
            _mount(None, path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID)
    for handle in handles.values():
        os.close(handle)
    # Read-only, so that nothing can be written where the real folder seems to be (a kernel that
    # keeps its own uid, as in a user namespace, owns these tmpfs).
    for folder in hidden:
        if folder not in WORLD_WRITABLE:
            _mount(None, folder, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "mode=755")
    for package in policy.conceal:
        _conceal_package(package)
    return seeds


CONCEALED_INIT = (
    "raise ModuleNotFoundError(\n"
    "    f'No module named {__name__!r}: student code cannot import the grader', name=__name__\n"
    ")\n"
)


def _conceal_package(package: str) -> None:
    """Replace a visible package folder by one whose ``__init__`` refuses to import.

    An empty folder would not do: Python imports it as a namespace package.
    """
    if not os.path.isdir(package):
        return  # hidden with the folder around it
    _mount("tmpfs", package, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755")
    Path(package, "__init__.py").write_text(CONCEALED_INIT)
    _mount(None, package, None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def _supervise(child: int) -> None:
    """Stay outside the kernel's PID namespace: forward signals, exit as the kernel did."""
    for signum in FORWARDED:
        signal.signal(signum, lambda number, _frame: os.kill(child, number))
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except ChildProcessError:
            status = 0
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    os._exit(code if code >= 0 else 128 - code)


def _become_sandboxed(policy: Policy, seeds: dict) -> None:
    for group in policy.cgroups:  # before any fork, so every process of the kernel counts
        Path(group, "cgroup.procs").write_text(str(os.getpid()))
    os.setpgrp()  # its own group: the supervisor, not the grader, signals it
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for limit, value in (
        (resource.RLIMIT_AS, policy.memory_bytes),
        # Per user: with cgroups only a backstop, as every kernel shares the sandbox user.
        (resource.RLIMIT_NPROC, 8 * policy.processes if policy.cgroups else policy.processes),
        (resource.RLIMIT_CPU, policy.cpu_seconds),
        (resource.RLIMIT_FSIZE, policy.file_bytes),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(limit, (value, value))
    home = "/tmp/home"
    os.makedirs(home, exist_ok=True)
    for name, content in seeds.items():
        path = Path(home) / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for folder, _, files in os.walk(home):
        for name in (folder, *(os.path.join(folder, f) for f in files)):
            os.chown(name, policy.uid, policy.gid)
    if policy.rootless:
        _drop_capabilities()  # the uid stays the grading account's: what it owns is hidden
    else:
        os.setgroups([])
        os.setgid(policy.gid)
        os.setuid(policy.uid)
    # After setuid, which clears it: when the supervisor dies, so does the kernel, and with it
    # every process of its namespace.
    _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    os.environ.update(
        {"HOME": home, "TMPDIR": "/tmp", "IPYTHONDIR": f"{home}/.ipython", **policy.env}
    )
    os.chdir(policy.workdir)


def _enter_user_namespace() -> None:
    """Become root of a new user namespace, as oneself outside it (no helper, no subuids).

    Inside it this process may make the other namespaces and mounts; what it mounts
    there is locked for every process it starts, so a kernel cannot undo it.
    """
    uid, gid = os.getuid(), os.getgid()
    _check(_libc.unshare(CLONE_NEWUSER), "unshare (user namespace)")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


class _CapabilityHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapabilitySet(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_capabilities() -> None:
    """Give up every capability for good: no mount, no unmount, nothing regained by exec."""
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl (no new privileges)")
    header = _CapabilityHeader(CAPABILITY_VERSION_3, 0)
    empty = (_CapabilitySet * 2)()
    _check(_libc.capset(ctypes.byref(header), empty), "capset")


def confine(policy: Policy) -> None:
    """Confine this process (as root, or in a user namespace); returns in the confined kernel.

    Raises ``OSError`` if the machine does not allow it; nothing has changed then
    unless the namespaces were already entered.
    """
    if policy.rootless:
        _enter_user_namespace()
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID), "unshare")
    seeds = _hide_and_rebind(policy)
    child = os.fork()  # the first process of the new PID namespace
    if child:
        _supervise(child)
    _become_sandboxed(policy, seeds)


def main(argv=None) -> None:
    """Launcher for ordinary kernels: ``python -m labgrader.sandbox.confine POLICY -- COMMAND``."""
    argv = sys.argv[1:] if argv is None else argv
    separator = argv.index("--")
    policy, command = Policy.from_json(argv[0]), argv[separator + 1 :]
    confine(policy)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
