"""Fixtures the whole suite shares: the lab's data, throwaway courses, the graded cohort.

What they are built from lives outside the tests: :mod:`tests.support` (paths, recorded
answers, servers, the browser) and :mod:`labgrader.sample` (the classes that get graded).
Fixtures that build something expensive (a course, a graded class, an environment) are
session-scoped, so that each is built once per test process.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import matplotlib
import pytest

from helpers.data import load_lab_data
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import REPO_ROOT, nbgrader_env, new_course, run_nbgrader
from labgrader.judging.reference import lab_reference
from labgrader.sample.cohort import STUDENTS, write_cohort
from tests.support.builders import (
    AUTOGRADE_OUTPUT,
    COHORT_CELL_TIMEOUT,
    RELEASE_DIR,
    SOURCE_DIR,
)
from tests.support.shared import built_once

matplotlib.use("Agg")  # tests draw in this process, with no screen

# The files that take longest, longest first (from `pytest --durations`): with one file per
# worker at a time, starting them first lets the short ones fill in around them.
SLOWEST_FIRST = (
    "hub/test_hub.py",
    "autograde/test_cohort.py",
    "sandbox/test_sandbox.py",
    "fleet/test_cluster.py",
    "fleet/test_benchmark.py",
    "fleet/test_local.py",
    "lab/test_student_browser.py",
    "kernels/test_warm_kernels.py",
    "autograde/test_cohort_variants.py",
    "sandbox/test_sandbox_layouts.py",
    "course/test_exchange_cycle.py",
)


def pytest_collection_modifyitems(items) -> None:
    def rank(item) -> int:
        path = item.nodeid.split("::")[0].removeprefix("tests/")
        return SLOWEST_FIRST.index(path) if path in SLOWEST_FIRST else len(SLOWEST_FIRST)

    items.sort(key=rank)  # stable: the order within a file, and of the rest, is kept


@pytest.fixture(scope="session")
def lab():
    return load_lab_data()


@pytest.fixture(scope="session")
def reference():
    return lab_reference()


@pytest.fixture(scope="session")
def generated_course(tmp_path_factory) -> Path:
    """One course with a fresh release, shared by tests that only read it."""
    return new_course(tmp_path_factory.mktemp("course"))


@pytest.fixture(scope="session")
def solutions() -> dict:
    """Instructor answers by notebook, then by answer cell ``grade_id``."""
    return {nb: solution_answers(read_notebook(SOURCE_DIR / f"{nb}.ipynb")) for nb in NOTEBOOKS}


@pytest.fixture(scope="session")
def release_notebooks() -> dict:
    return {nb: read_notebook(RELEASE_DIR / f"{nb}.ipynb") for nb in NOTEBOOKS}


@pytest.fixture(scope="session")
def sequential_cohort(tmp_path_factory) -> Path:
    """The synthetic class of :mod:`labgrader.sample.cohort`, graded by one plain ``nbgrader
    autograde`` run with ordinary kernels: the baseline every faster way of grading must
    reproduce. Built once per test run (:mod:`tests.support.shared`); tests only read it."""

    def grade(folder: Path) -> None:
        root = new_course(folder / "course")
        write_cohort(root)
        started = time.monotonic()
        graded = run_nbgrader(
            root,
            "autograde",
            ASSIGNMENT,
            f"--Execute.timeout={COHORT_CELL_TIMEOUT}",
            "--GradingExecute.warm_kernels=False",
        )
        seconds = time.monotonic() - started
        (root / AUTOGRADE_OUTPUT).write_text(graded.stdout + graded.stderr)
        print(f"\nsequential nbgrader autograde of {len(STUDENTS)} students: {seconds:.0f} s")

    return built_once(tmp_path_factory, "sequential-cohort", grade) / "course"


@pytest.fixture(scope="session")
def sample_class(tmp_path_factory) -> tuple[Path, str]:
    """The bundled sample class graded with ``python -m labgrader.sample`` (the README's first
    command), once per test run, and what it printed. Tests only read it: one that changes a
    grade works on :func:`tests.support.builders.copy_of`."""

    def grade(folder: Path) -> None:
        root = folder / "course"
        root.mkdir()
        (root / "source").symlink_to(SOURCE_DIR.parent)
        (root / "nbgrader_config.py").write_bytes((REPO_ROOT / "nbgrader_config.py").read_bytes())
        job = subprocess.run(
            [sys.executable, "-m", "labgrader.sample", "--course-root", str(root)],
            env=nbgrader_env(),
            capture_output=True,
            text=True,
            timeout=900,
        )
        assert job.returncode == 0, job.stdout + job.stderr
        (folder / "printed.txt").write_text(job.stdout + job.stderr)

    folder = built_once(tmp_path_factory, "sample-class", grade)
    return folder / "course", (folder / "printed.txt").read_text()


@pytest.fixture(scope="session")
def student_environment(tmp_path_factory) -> Path:
    """The student environment, built as ``make student-env`` builds it, in a folder of its own
    (once per test run)."""

    def build(folder: Path) -> None:
        built = subprocess.run(
            ["make", "--no-print-directory", "student-env", f"STUDENT_VENV={folder / 'venv'}"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=1200,
        )
        assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]

    return built_once(tmp_path_factory, "student-environment", build) / "venv"
