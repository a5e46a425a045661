"""The project's shape holds: the import contract, small modules, a short README, no path tricks.

The import contract is written in ``pyproject.toml`` (``[tool.importlinter]``) and checked here
with ``lint-imports``; a copy of the code with one import against the direction shows that the
check can fail.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import helpers
import labgrader
from labgrader.course.config import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
MAX_MODULE_LINES = 300
MAX_README_LINES = 150
PYTHON_TREES = ("helpers", "labgrader", "tests", "benchmarks", "docs")


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(root / "pyproject.toml"), "--no-cache"],
        cwd=root,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_import_contract_is_kept():
    run = lint_imports(REPO_ROOT)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 kept, 0 broken" in run.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("labgrader/judging/rules.py", "import labgrader.fleet.cli", "import downwards only"),
        ("helpers/votes.py", "import labgrader.judging.judge", "holds nothing of the grader"),
        ("labgrader/judging/reference.py", "import labgrader.course.config", "helpers alone"),
        ("labgrader/judging/original_lab.py", "import labgrader.judging.rules", "in a loop"),
    ],
    ids=["upwards", "students-import-the-grader", "judging-imports-the-course", "a-loop"],
)
def test_the_contract_catches_an_import_against_it(tmp_path, module, bad_import, contract):
    for name in ("helpers", "labgrader"):
        shutil.copytree(
            REPO_ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    path = tmp_path / module
    path.write_text(path.read_text() + f"\n{bad_import}  # against the contract\n")
    run = lint_imports(tmp_path)
    assert run.returncode != 0, run.stdout
    broken = [line for line in run.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), run.stdout


def python_files() -> list[Path]:
    return sorted(
        path
        for tree in PYTHON_TREES
        for path in (REPO_ROOT / tree).rglob("*.py")
        if "_build" not in path.parts
    )


def test_no_module_is_over_300_lines():
    long = {
        str(path.relative_to(REPO_ROOT)): lines
        for package in (helpers, labgrader)
        for path in Path(package.__file__).parent.rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    }
    assert not long


def test_every_group_of_the_grader_says_what_it_is():
    groups = [info.name for info in pkgutil.iter_modules(labgrader.__path__) if info.ispkg]
    assert len(groups) >= 9, groups
    for group in groups:
        module = importlib.import_module(f"labgrader.{group}")
        first = (module.__doc__ or "").strip().split("\n\n")[0]
        assert len(first) > 40, f"labgrader.{group} has no paragraph saying what it is"


def test_nothing_edits_sys_path_or_imports_a_test_module():
    for path in python_files():
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "path":
                if isinstance(node.value, ast.Name) and node.value.id == "sys":
                    parent = next(
                        (p for p in ast.walk(tree) if node in ast.iter_child_nodes(p)), None
                    )
                    edited = isinstance(parent, ast.Attribute) and parent.attr in (
                        "insert",
                        "append",
                        "extend",
                    )
                    assert not edited, f"{path}: edits sys.path"
            if isinstance(node, ast.ImportFrom) and node.module:
                names = node.module.split(".")
                imports_a_test = names[0] == "tests" and (
                    names[-1].startswith("test_") or names[-1] == "conftest"
                )
                assert not imports_a_test, f"{path}: imports {node.module}"


def test_the_notebooks_import_the_installed_helpers():
    for notebook in sorted((REPO_ROOT / "source").rglob("*.ipynb")):
        text = notebook.read_text()
        assert "sys.path" not in text and "import helpers" in text, notebook


def test_the_readme_is_a_front_door():
    lines = (REPO_ROOT / "README.md").read_text().splitlines()
    assert len(lines) <= MAX_README_LINES, len(lines)


def test_every_module_is_in_the_api_reference():
    """The manual renders every module's docstrings (only the ``__main__`` scripts are left out)."""
    documented = set()
    for page in (REPO_ROOT / "docs" / "api").glob("*.md"):
        documented |= set(re.findall(r"\.\. automodule:: ([\w.]+)", page.read_text()))
    modules = {
        info.name
        for package in (helpers, labgrader)
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}.")
        if not info.name.endswith("__main__")
    }
    modules |= {"helpers", "labgrader"}
    assert not modules - documented, sorted(modules - documented)
