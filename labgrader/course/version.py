"""Which version of the course a machine grades with, so that machines that differ can refuse.

A grade depends on the course files (``source/``, ``release/``,
``nbgrader_config.py``), on the grader and the students' package, and on the
versions of the stack. :func:`course_version` fingerprints all of them on one
machine; :func:`differences` says, in words an instructor can act on, why two
fingerprints differ. The git commit is only named, in messages: a checkout may
have no ``.git`` (an image build), and a commit says nothing of local edits.
"""

from __future__ import annotations

import hashlib
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

COURSE_FILES = ("source", "release", "nbgrader_config.py")
STACK = ("nbgrader", "numpy", "pandas", "scikit-learn", "scipy", "cleanlab", "matplotlib")
SKIPPED_PARTS = ("__pycache__", ".ipynb_checkpoints")
GRADING_FILES = (".py", ".j2", ".json")  # in the packages: code, templates, the rules' calibration


@dataclass(frozen=True)
class CourseVersion:
    """What grading depends on, on one machine.

    Attributes
    ----------
    files : dict
        ``{name: sha256}`` of every course file (relative to the course root), grader module
        (``labgrader/...``) and students' module (``helpers/...``), and ``{"stack/numpy":
        "2.4.6", ...}`` for the pinned stack.
    commit : str
        The checkout's git commit (``+changes`` when course or package files are edited), or
        ``"no git checkout"``; for messages only.
    """

    files: dict = field(default_factory=dict)
    commit: str = "no git checkout"

    @property
    def digest(self) -> str:
        text = "\n".join(f"{name} {value}" for name, value in sorted(self.files.items()))
        return hashlib.sha256(text.encode()).hexdigest()


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files_under(folder: Path, prefix: str, suffixes: tuple | None = None) -> dict:
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if not path.is_file() or any(part in SKIPPED_PARTS for part in relative.parts):
            continue
        if suffixes is None or path.suffix in suffixes:
            found[f"{prefix}{relative.as_posix()}"] = _sha256(path)
    return found


def _package_folder(name: str) -> Path:
    module = __import__(name)
    return Path(module.__file__).resolve().parent


def _commit(course_root: Path) -> str:
    # A checkout owned by another account (a Dask worker run as its own user, as the manual
    # advises) is one git refuses to read ("dubious ownership") unless told it is safe.
    safe = f"safe.directory={Path(course_root).resolve()}"

    def git(*args):
        return subprocess.run(
            ["git", "-c", safe, "-C", str(course_root), *args],
            capture_output=True,
            text=True,
            timeout=30,
        )

    try:
        head = git("rev-parse", "--short=12", "HEAD")
    except (OSError, subprocess.TimeoutExpired):
        return "no git checkout"
    if head.returncode != 0:
        return "no git checkout"
    edited = git("status", "--porcelain", "--", *COURSE_FILES, "labgrader", "helpers").stdout
    return head.stdout.strip() + ("+changes" if edited.strip() else "")


def course_version(course_root: Path) -> CourseVersion:
    """The fingerprint of the course at ``course_root`` and of the installed grader and stack."""
    course_root = Path(course_root)
    files = {}
    for name in COURSE_FILES:
        path = course_root / name
        if path.is_dir():
            files.update(_files_under(path, f"{name}/"))
        elif path.is_file():
            files[name] = _sha256(path)
    for package in ("labgrader", "helpers"):
        files.update(_files_under(_package_folder(package), f"{package}/", GRADING_FILES))
    for distribution in STACK:
        try:
            files[f"stack/{distribution}"] = metadata.version(distribution)
        except metadata.PackageNotFoundError:
            files[f"stack/{distribution}"] = "not installed"
    return CourseVersion(files, _commit(course_root))


def differences(mine: CourseVersion, theirs: CourseVersion, limit: int = 4) -> str:
    """Why ``theirs`` differs from ``mine``, naming a few files; ``""`` if they are the same."""
    names = sorted(
        name
        for name in mine.files.keys() | theirs.files.keys()
        if mine.files.get(name) != theirs.files.get(name)
    )
    if not names:
        return ""

    def describe(name):
        if name.startswith("stack/"):
            return (
                f"{name[6:]} {theirs.files.get(name, 'missing')} instead of {mine.files.get(name)}"
            )
        if name not in theirs.files:
            return f"{name} missing"
        return f"{name} added" if name not in mine.files else f"{name} changed"

    shown = ", ".join(describe(name) for name in names[:limit])
    more = f" and {len(names) - limit} more" if len(names) > limit else ""
    return f"{len(names)} file(s) differ: {shown}{more}"
