"""The committed release: exactly what nbgrader generates from source, and nothing a student must not see."""

import json

import pytest

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook
from tests.support.builders import RELEASE_DIR, SOURCE_DIR


def release_text(name):
    return (RELEASE_DIR / f"{name}.ipynb").read_text()


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_is_what_generate_assignment_makes_from_source(name, generated_course):
    fresh = read_notebook(generated_course / "release" / ASSIGNMENT / f"{name}.ipynb")
    committed = read_notebook(RELEASE_DIR / f"{name}.ipynb")
    assert committed == fresh, "release/ is stale: run `make release` and commit it"


def test_release_holds_exactly_the_two_notebooks():
    assert sorted(p.name for p in RELEASE_DIR.iterdir()) == sorted(
        f"{nb}.ipynb" for nb in NOTEBOOKS
    )


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_has_no_outputs_solutions_or_hidden_tests(name, solutions):
    text = release_text(name)
    nb = json.loads(text)
    for cell in nb["cells"]:
        assert not cell.get("outputs") and cell.get("execution_count") is None
    for marker in ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "hidden=True"):
        assert marker not in text
    source_text = "".join(c.source for c in read_notebook(SOURCE_DIR / f"{name}.ipynb").cells)
    release_cells = "".join("".join(c["source"]) for c in nb["cells"])
    for answer in solutions[name].values():
        for line in answer.splitlines():
            line = line.strip()
            given_elsewhere = source_text.count(line) > 1  # also part of a given cell
            if len(line) > 12 and not line.startswith("#") and not given_elsewhere:
                assert line not in release_cells, f"solution line leaked into the release: {line}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_answer_cells_hold_the_stubs(name):
    for cell in read_notebook(RELEASE_DIR / f"{name}.ipynb").cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            assert cell.source == "# YOUR CODE HERE\nraise NotImplementedError()"
        elif meta.get("solution"):
            assert cell.source == "YOUR ANSWER HERE"
