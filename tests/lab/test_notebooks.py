"""The instructor notebooks: how they are built, what they print, and how nbgrader validates them."""

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from helpers.parts import PARTS
from labgrader.course.assignment import NOTEBOOKS, read_notebook
from labgrader.course.config import run_nbgrader
from tests.support.builders import RELEASE_DIR, SOURCE_DIR

# Every line of numbers the source notebooks print (Exercise 1's as the original lab printed them).
PRINTED = {
    "exercise1_majority_vote": [
        "Accuracy of random annotators' labels against ground truth labels: 0.6822742474916388",
        "Accuracy of held-out model predictions against ground truth labels: 0.8093645484949833",
        "Accuracy of held-out model predictions against ground truth labels: 0.9765886287625418",
        "Accuracy of majority vote labels against ground truth labels: 0.882943143812709",
        "Accuracy of held-out model predictions against ground truth labels: 0.9464882943143813",
        "Worst 10 annotators:\nA0048, 0.4062\nA0044, 0.4286\nA0046, 0.4828\nA0043, 0.4848\n"
        "A0045, 0.5000\nA0022, 0.5625\nA0041, 0.5714\nA0042, 0.5714\nA0050, 0.5750\nA0049, 0.5833",
        "Accuracy of majority vote labels after tie breaker against ground truth labels: 0.9130434782608695",
        "Accuracy of held-out model predictions against ground truth labels: 0.9565217391304348",
    ],
    # Exercise 2 gives CROWDLAB the model fit to a plain majority vote (ties to the lowest class),
    # not the original lab's annotator-score tie-break: that one answers Exercise 1. Its own numbers
    # (0.9765886287625418, ...) are asserted in tests/test_methods.py.
    "exercise2_crowdlab": [
        "Accuracy of random annotators' labels against ground truth labels: 0.6822742474916388",
        "Accuracy of held-out model predictions against ground truth labels: 0.9063545150501672",
        "Accuracy of CROWDLAB consensus labels against ground truth labels: 0.9364548494983278",
        "Accuracy of held-out model predictions against ground truth labels: 0.9498327759197325",
    ],
}
CROWDLAB_WORST = [
    "A0043", "A0044", "A0046", "A0048", "A0041", "A0042", "A0040", "A0049", "A0050", "A0047",
]  # fmt: skip
CROWDLAB_WORST_QUALITY = "0.363501"


def nbgrader_meta(cell):
    return cell.metadata.get("nbgrader", {})


def execute(nb, folder):
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(folder)}}
    ).execute()
    return nb


@pytest.fixture(scope="module")
def executed_sources():
    """Each source notebook, executed once for the whole module."""
    cache = {}

    def executed(name):
        if name not in cache:
            cache[name] = execute(read_notebook(SOURCE_DIR / f"{name}.ipynb"), SOURCE_DIR)
        return cache[name]

    return executed


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_is_stored_clean(name):
    nb = read_notebook(SOURCE_DIR / f"{name}.ipynb")
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, cell.id


def test_both_notebooks_share_the_same_setup():
    setups = [
        next(
            c.source
            for c in read_notebook(SOURCE_DIR / f"{nb}.ipynb").cells
            if nbgrader_meta(c).get("grade_id") == "setup"
        )
        for nb in NOTEBOOKS
    ]
    assert setups[0] == setups[1]
    assert "import helpers" in setups[0] and "sys.path" not in setups[0]


def test_every_part_has_one_test_cell_that_says_what_it_checks():
    seen = []
    for name in NOTEBOOKS:
        for cell in read_notebook(SOURCE_DIR / f"{name}.ipynb").cells:
            meta = nbgrader_meta(cell)
            if not meta.get("grade") or cell.cell_type != "code":
                continue
            first_line = cell.source.splitlines()[0]
            assert first_line.startswith('"""Checks ') and first_line.endswith('"""'), cell.source
            assert meta["locked"] and meta["points"] > 0
            part = meta["grade_id"].removeprefix("test_")
            assert part in PARTS, meta["grade_id"]
            assert "### BEGIN HIDDEN TESTS" in cell.source
            seen.append(part)
    assert sorted(seen) == sorted(PARTS)


def test_written_answers_are_graded_by_hand():
    for name in NOTEBOOKS:
        written = [
            c
            for c in read_notebook(SOURCE_DIR / f"{name}.ipynb").cells
            if c.cell_type == "markdown" and nbgrader_meta(c).get("solution")
        ]
        assert (
            len(written) == 1
            and nbgrader_meta(written[0])["grade"]
            and nbgrader_meta(written[0])["points"] == 2
        )


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_source_runs_top_to_bottom_and_prints_the_lab_numbers(name, executed_sources):
    nb = executed_sources(name)
    stdout = "".join(
        output.text
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "stream" and output.name == "stdout"
    )
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
    for line in PRINTED[name]:
        assert line in stdout, line
    images = sum(
        "image/png" in o.get("data", {})
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    )
    assert images >= 3, "the data, the label errors and annotator quality are plotted"


@pytest.mark.slow
def test_crowdlab_worst_annotators_are_printed(executed_sources):
    nb = executed_sources("exercise2_crowdlab")
    table = next(
        o.data["text/plain"]
        for c in nb.cells
        if nbgrader_meta(c).get("grade_id") == "answer_worst_annotators_crowdlab"
        for o in c.outputs
        if o.output_type == "execute_result"
    )
    # pandas may wrap the columns into blocks, repeating the index: keep the first block.
    rows = list(
        dict.fromkeys(line.split()[0] for line in table.splitlines() if line.startswith("A0"))
    )
    assert rows == CROWDLAB_WORST
    assert (
        next(line for line in table.splitlines() if line.startswith("A0043")).split()[1]
        == CROWDLAB_WORST_QUALITY
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_nbgrader_validate_passes_source_and_fails_release(name, tmp_path):
    passed = run_nbgrader(tmp_path, "validate", str(SOURCE_DIR / f"{name}.ipynb"), check=False)
    assert "Success! Your notebook passes all the tests." in passed.stdout, (
        passed.stdout + passed.stderr
    )
    failed = run_nbgrader(tmp_path, "validate", str(RELEASE_DIR / f"{name}.ipynb"), check=False)
    assert "VALIDATION FAILED ON" in failed.stdout, failed.stdout + failed.stderr


@pytest.mark.slow
@pytest.mark.parametrize("name", NOTEBOOKS)
def test_release_runs_cleanly_up_to_the_first_answer_stub(name):
    nb = read_notebook(RELEASE_DIR / f"{name}.ipynb")
    with pytest.raises(CellExecutionError) as stopped:
        execute(nb, RELEASE_DIR)
    assert stopped.value.ename == "NotImplementedError"
    first_answer = next(
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and nbgrader_meta(c).get("solution")
    )
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        if index < first_answer:
            assert cell.execution_count is not None and not errors, cell.source
        elif index == first_answer:
            assert errors and errors[0].ename == "NotImplementedError"
