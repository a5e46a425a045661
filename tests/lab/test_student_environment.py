"""What students install (``make student-env``): the lab runs there, and the grader is not there."""

from __future__ import annotations

import json
import subprocess
import textwrap
from pathlib import Path

import pytest

from labgrader.course.assignment import NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import REPO_ROOT
from labgrader.sample.submissions import fill_answers
from tests.support.builders import RELEASE_DIR, SOURCE_DIR, write_notebook

pytestmark = pytest.mark.slow

RUNNER = textwrap.dedent(
    """
    import json, sys
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(sys.argv[1], 4)
    try:
        NotebookClient(nb, timeout=120, kernel_name="python3").execute(cwd=sys.argv[2])
        stopped = None
    except CellExecutionError as error:
        stopped = error.ename
    outputs = [
        [o.get("text", "") or o.get("ename", "") for o in c.get("outputs", [])]
        for c in nb.cells
    ]
    print(json.dumps({"stopped": stopped, "outputs": outputs}))
    """
)


def pins(path: Path) -> set[str]:
    return {
        line.strip() for line in path.read_text().splitlines() if line.strip() and line[0] != "#"
    }


def run_in(venv: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(venv / "bin" / "python"), *args],
        cwd=cwd or venv,
        capture_output=True,
        text=True,
        timeout=600,
        env={"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(venv.parent)},
    )


def test_every_student_pin_is_the_course_pin():
    student, everything = (
        pins(REPO_ROOT / "requirements-student.txt"),
        pins(REPO_ROOT / "requirements.txt"),
    )
    assert student <= everything, sorted(student - everything)
    assert {"numpy==2.4.6", "cleanlab==2.9.0", "nbgrader==0.9.6"} <= student


def test_the_environment_holds_helpers_and_the_stack_but_not_the_grader(student_environment):
    probe = run_in(
        student_environment,
        "-c",
        "import helpers, cleanlab, importlib.util, json, sys; "
        "print(json.dumps([helpers.__file__, sys.prefix, importlib.util.find_spec('labgrader') is None]))",
    )
    assert probe.returncode == 0, probe.stderr
    location, prefix, no_grader = json.loads(probe.stdout)
    assert location.startswith(prefix) and "site-packages" in location  # a copy, not this checkout
    assert no_grader
    installed = run_in(student_environment, "-m", "pip", "list", "--format=json")
    names = {package["name"] for package in json.loads(installed.stdout)}
    assert "multiannotator-lab-helpers" in names and "multiannotator-lab-grader" not in names
    assert run_in(student_environment, "-m", "pip", "check").returncode == 0


def execute_in(venv: Path, nb, folder: Path) -> dict:
    path = folder / "notebook.ipynb"
    write_notebook(nb, path)
    (folder / "run.py").write_text(RUNNER)
    result = run_in(venv, str(folder / "run.py"), str(path), str(folder), cwd=folder)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_the_release_runs_to_the_first_stub_and_the_visible_tests_run(
    name, student_environment, tmp_path
):
    release = read_notebook(RELEASE_DIR / f"{name}.ipynb")
    handed_out = execute_in(student_environment, release, tmp_path)
    assert handed_out["stopped"] == "NotImplementedError"

    answered = fill_answers(release, solution_answers(read_notebook(SOURCE_DIR / f"{name}.ipynb")))
    (tmp_path / "answered").mkdir()
    run = execute_in(student_environment, answered, tmp_path / "answered")
    assert run["stopped"] is None
    tests = [
        "".join(outputs)
        for cell, outputs in zip(answered.cells, run["outputs"], strict=True)
        if cell.metadata.get("nbgrader", {}).get("grade") and cell.cell_type == "code"
    ]
    assert tests and all("Shape checked: " in text for text in tests), tests
    assert not any("Passed" in text for text in tests)  # nothing is judged without the grader
