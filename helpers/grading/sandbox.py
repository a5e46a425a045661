"""Confine a grading kernel: its own user, its own view of the files, no network, limits.

:func:`confine` runs in the kernel's process before any student code: in a warm
kernel right after the fork (:mod:`helpers.grading.forkserver`), in an ordinary
kernel in this module's launcher (``python -m helpers.grading.sandbox POLICY --
KERNEL COMMAND``), which then becomes the kernel. It needs root, and:

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
import pwd
import resource
import shutil
import signal
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

SANDBOX_USER = "nbgrader-sandbox"
CLONE_NEWNS, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWPID = (
    0x00020000,
    0x40000000,
    0x08000000,
    0x20000000,
)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
PR_SET_PDEATHSIG = 1
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
    """What one kernel may see and use."""

    workdir: str  # the student's folder: its working directory, writable
    runtime: str  # connection file and sockets, writable, private to this kernel
    hide: tuple = ()  # replaced by empty folders
    keep: tuple = ()  # inside hidden folders, but readable (the venv, the course package)
    uid: int = 65534
    gid: int = 65534
    memory_bytes: int = 2 * 2**30  # per process, and for the whole kernel where cgroups work
    processes: int = 256  # threads included (a kernel uses about 17): per kernel in its cgroup
    cgroups: tuple = ()  # this kernel's cgroup folders; empty: only per-user rlimits
    cpu_seconds: int = 900
    file_bytes: int = 2**30
    env: dict = field(default_factory=dict)
    seed: dict = field(
        default_factory=dict
    )  # file in the private home -> file it starts as a copy of

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Policy:
        data = json.loads(text)
        return cls(**{**data, **{key: tuple(data[key]) for key in ("hide", "keep", "cgroups")}})


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
    for folder in sorted(dict.fromkeys((*policy.hide, *WORLD_WRITABLE)), key=len):
        if os.path.isdir(folder) and not _inside(
            folder, hidden
        ):  # inside a hidden one: hidden already
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
    return seeds


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


def confine(policy: Policy) -> None:
    """Confine this process (run as root); returns in the confined kernel process.

    Raises ``OSError`` if the machine does not allow it; nothing has changed then
    unless the namespaces were already entered.
    """
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWPID), "unshare")
    seeds = _hide_and_rebind(policy)
    child = os.fork()  # the first process of the new PID namespace
    if child:
        _supervise(child)
    _become_sandboxed(policy, seeds)


def sandbox_user() -> tuple[int, int]:
    """``(uid, gid)`` of the sandbox user; ``KeyError`` if it does not exist."""
    entry = pwd.getpwnam(SANDBOX_USER)
    return entry.pw_uid, entry.pw_gid


def probe(policy: Policy) -> str | None:
    """Start the launcher with ``policy`` on a command that imports the course package.

    Returns why the sandbox cannot be used here, or ``None`` if it works.
    """
    import subprocess

    check = "import helpers.checks, socket; socket.create_connection(('127.0.0.1', 9), timeout=1)"
    command = [
        sys.executable,
        "-m",
        "helpers.grading.sandbox",
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

    uid, gid = sandbox_user()
    runtime = tempfile.mkdtemp(prefix="nbgrader-kernel-", dir="/tmp")
    os.chown(runtime, uid, gid)
    os.chmod(runtime, 0o700)
    hide = (
        str(course_root),
        os.path.expanduser("~"),
        "/root",
        "/home",
        exchange_root or DEFAULT_EXCHANGE,
    )
    caches = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    limits = Policy(workdir="", runtime="")
    return Policy(
        workdir=str(workdir),
        runtime=runtime,
        cgroups=make_cgroups(Path(runtime).name, limits.processes, limits.memory_bytes),
        hide=hide,
        keep=(sys.prefix, str(Path(helpers.__file__).parent)),
        uid=uid,
        gid=gid,
        # An ordinary kernel would rebuild matplotlib's font list in its empty home: start from ours.
        env={"MPLCONFIGDIR": "/tmp/home/.config/matplotlib"},
        seed={f".config/matplotlib/{cache.name}": str(cache) for cache in caches},
    )


@contextmanager
def lent_to_the_sandbox(policy: Policy):
    """Give the student's folder to the sandbox user while the kernel runs, then take it back."""
    workdir = Path(policy.workdir)
    owners = {
        path: (path.stat().st_uid, path.stat().st_gid) for path in (workdir, *workdir.rglob("*"))
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


def main(argv=None) -> None:
    """Launcher for ordinary kernels: ``python -m helpers.grading.sandbox POLICY -- COMMAND``."""
    argv = sys.argv[1:] if argv is None else argv
    separator = argv.index("--")
    policy, command = Policy.from_json(argv[0]), argv[separator + 1 :]
    confine(policy)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()
