"""Course folders, their nbgrader configuration, and nbgrader's commands run in them.

Used by the grader's commands, the sample class, the tests and the benchmarks alike.
nbgrader itself is imported only where a function needs it: importing it takes more
than a second, which a grading worker spends while its warm-kernel server starts.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from traitlets.config.loader import KVArgParseConfigLoader, PyFileConfigLoader

from labgrader.course.assignment import ASSIGNMENT

REPO_ROOT = Path(__file__).resolve().parents[2]
BIN_DIR = Path(sys.executable).parent


def nbgrader_env(extra: dict | None = None) -> dict:
    """Environment for nbgrader commands: it runs ``alembic`` by name from ``PATH``."""
    return {
        **os.environ,
        "PATH": f"{BIN_DIR}{os.pathsep}{os.environ.get('PATH', '')}",
        **(extra or {}),
    }


def course_config(course_root: Path, options: list = ()):
    """The course's ``nbgrader_config.py`` with the ``--Class.trait=value`` ``options`` merged in."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course_root)).load_config()
    settings = [option for option in options if option.startswith("--") and "=" in option]
    config.merge(KVArgParseConfigLoader(argv=settings).load_config())
    return config


def course_db_url(course_root: Path) -> str:
    """The gradebook URL that ``nbgrader_config.py`` in ``course_root`` sets, here."""
    from nbgrader.coursedir import CourseDirectory  # imports all of nbgrader: only when asked

    return CourseDirectory(config=course_config(course_root), root=str(course_root)).db_url


def run_nbgrader(
    course_root: Path, *args: str, check: bool = True, timeout: float = 3600
) -> subprocess.CompletedProcess:
    """Run ``nbgrader <args>`` in ``course_root``; fail with its output if it fails and ``check``."""
    result = subprocess.run(
        [str(BIN_DIR / "nbgrader"), *args],
        cwd=course_root,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if check and result.returncode != 0:
        raise RuntimeError(
            f"nbgrader {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result


def new_course(root: Path, repo_root: Path = REPO_ROOT, extra_config: str = "") -> Path:
    """A course directory with the repository's source and config, its release generated.

    ``extra_config`` (lines of Python) is appended to the course's ``nbgrader_config.py``
    first, as an instructor would set a switch such as ``c.DatasetVariants.course``.
    """
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(repo_root / "source", root / "source")
    config = (repo_root / "nbgrader_config.py").read_text()
    (root / "nbgrader_config.py").write_text(
        config + (f"\n{extra_config}\n" if extra_config else "")
    )
    run_nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    return root
