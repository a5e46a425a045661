"""The sandbox in every layout a course team uses, and never quietly stepping aside.

Each layout grades one notebook that reports what its kernel sees: which user it
runs as, whether the checkout the packages come from, the course and the grader
are within reach. Where the sandbox should work but cannot be set up (here: a venv
in a folder the sandbox user may not enter), ``nbgrader autograde`` stops before
the first student and says why.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from labgrader.autograde.execute import GradingExecute
from labgrader.course.assignment import ASSIGNMENT
from labgrader.course.config import REPO_ROOT, nbgrader_env, new_course
from labgrader.sample.cohort import STUDENTS, write_cohort
from labgrader.sandbox import readiness
from labgrader.sandbox.policy import sandbox_user

pytestmark = pytest.mark.slow

LOOK_AROUND = textwrap.dedent(
    """
    import json, os
    def grader():
        try:
            import labgrader
            return labgrader.__file__
        except ModuleNotFoundError:
            return None
    import helpers
    print("SEEN " + json.dumps({{
        "uid": os.getuid(),
        "helpers": helpers.__file__,
        "grader": grader(),
        "checkout": os.path.exists("{checkout}/source"),
        "course": os.path.exists("{course}/gradebook.db"),
    }}))
    """
)

RUN_ONE = textwrap.dedent(
    """
    import json, sys
    import nbformat
    from traitlets.config import Config
    from labgrader.autograde.execute import GradingExecute

    notebook, course, workdir, warm = sys.argv[1:5]
    executor = GradingExecute(
        config=Config({"CourseDirectory": {"root": course}}), timeout=60, warm_kernels=warm == "warm"
    )
    executor.preflight()
    nb, _ = executor.preprocess(nbformat.read(notebook, 4), {"metadata": {"path": workdir}})
    print("\\n".join(o.get("text", "") for o in nb.cells[0].outputs))
    """
)


def sandboxed_view(python: Path, course: Path, tmp_path: Path, warm: str) -> dict:
    """Grade the look-around notebook with ``python``; return what the kernel saw."""
    nb = new_notebook(cells=[new_code_cell(LOOK_AROUND.format(checkout=REPO_ROOT, course=course))])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    workdir = tmp_path / f"student-{warm}"
    workdir.mkdir()
    notebook = tmp_path / f"look-{warm}.ipynb"
    nbformat.write(nb, str(notebook))
    script = tmp_path / "run_one.py"
    script.write_text(RUN_ONE)
    result = subprocess.run(
        [str(python), str(script), str(notebook), str(course), str(workdir), warm],
        env=nbgrader_env(),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("SEEN ")]
    return json.loads(line.removeprefix("SEEN "))


def assert_confined(seen: dict, checkout_hidden: bool = True) -> None:
    assert seen["uid"] == sandbox_user()[0], seen
    assert seen["grader"] is None and not seen["course"], seen
    assert seen["checkout"] is not checkout_hidden, seen


def venv_on_this_stack(folder: Path, *, editable: bool) -> Path:
    """A venv using this environment's packages, with the course's two packages either linked
    to this checkout (editable) or copied into it (a plain install, as in a course image)."""
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--without-pip", str(folder)], check=True)
    packages = folder / "lib" / "python3.11" / "site-packages"
    ours = next(Path(p) for p in site.getsitepackages() if p.startswith(sys.prefix))
    # Sorts before the packages' own .pth files, which import from it.
    (packages / "000-stack.pth").write_text(f"{ours}\n")
    if editable:
        for pth in ours.glob("__editable__.multiannotator_lab_*.pth"):
            shutil.copy(pth, packages / pth.name)
    else:
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
             "--target", str(packages), "./helpers", "."],
            cwd=REPO_ROOT, check=True, capture_output=True,
        )  # fmt: skip
    return folder / "bin" / "python"


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    return new_course(tmp_path_factory.mktemp("layouts") / "course")


@pytest.mark.parametrize("warm", ["warm", "cold"])
def test_a_course_copy_graded_with_a_venv_from_another_checkout(course, tmp_path, warm):
    """The venv (here: this checkout's .venv, outside the course) is editable from a checkout
    that is not the course: that checkout is hidden as well, helpers alone comes back."""
    seen = sandboxed_view(Path(sys.executable), course, tmp_path, warm)
    assert_confined(seen)
    assert seen["helpers"] == str(REPO_ROOT / "helpers" / "__init__.py")


@pytest.mark.parametrize("warm", ["warm", "cold"])
def test_a_venv_inside_the_course_root(tmp_path, warm):
    """The layout of `make sample-class`: the course root is the checkout, the venv inside it."""
    seen = sandboxed_view(Path(sys.executable), REPO_ROOT, tmp_path, warm)
    assert_confined(seen)


@pytest.mark.parametrize("warm", ["warm", "cold"])
def test_a_plain_install_in_a_venv(course, tmp_path, warm):
    """Copies of helpers and labgrader in the venv: the grader's folder is there, concealed."""
    python = venv_on_this_stack(tmp_path / "plain-venv", editable=False)
    seen = sandboxed_view(python, course, tmp_path, warm)
    # This checkout is only where the test's venv finds its stack, not where the course's
    # packages come from: a real plain install has no checkout to hide.
    assert_confined(seen, checkout_hidden=False)
    assert seen["helpers"].startswith(str(tmp_path / "plain-venv"))


def test_a_venv_the_sandbox_user_cannot_enter_stops_grading_with_the_reason(tmp_path):
    locked = Path(tempfile.mkdtemp(prefix="locked-grading-venv-", dir="/opt"))  # mode 0700
    try:
        python = venv_on_this_stack(locked / "venv", editable=True)
        course = new_course(tmp_path / "course")
        write_cohort(course, [s for s in STUDENTS if s.name == "instructor_solution"])
        job = subprocess.run(
            [str(python), "-m", "nbgrader", "autograde", ASSIGNMENT],
            cwd=course, env=nbgrader_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        printed = job.stdout + job.stderr
        assert job.returncode != 0, printed
        assert "Grading stopped before the first student" in printed
        assert f"{locked} is mode 700" in printed and "/usr/bin/python3 -m venv" in printed
        assert not (course / "autograded" / "instructor_solution").exists()
    finally:
        shutil.rmtree(locked)


def test_the_parallel_grader_stops_too(tmp_path):
    """Its coordinator checks while its workers start, before any of them is given a student."""
    locked = Path(tempfile.mkdtemp(prefix="locked-grading-venv-", dir="/opt"))
    try:
        python = venv_on_this_stack(locked / "venv", editable=True)
        course = new_course(tmp_path / "course")
        write_cohort(course, [s for s in STUDENTS if s.name == "instructor_solution"])
        job = subprocess.run(
            [str(python), "-m", "labgrader.fleet.cli", "--workers", "1"],
            cwd=course, env=nbgrader_env(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert job.returncode != 0 and "Grading stopped before the first student" in job.stderr
        assert not (course / "autograded").exists()
    finally:
        shutil.rmtree(locked)


def test_a_machine_that_cannot_sandbox_grades_unconfined_and_says_why(monkeypatch, tmp_path):
    """Not root and no user namespaces: unconfined, the reason in every notebook's record."""
    monkeypatch.setattr(readiness, "_checked", {})
    monkeypatch.setattr(readiness.os, "geteuid", lambda: 65534)  # nobody
    monkeypatch.setattr(readiness, "_namespaces_refused", lambda first=0: "refused")
    why_not = readiness.sandbox_readiness(tmp_path)
    assert why_not.startswith("grading does not run as root and this machine allows no user")
    policy, confinement = GradingExecute(timeout=5).confinement({})
    assert policy is None and confinement == f"not sandboxed: {why_not}"
