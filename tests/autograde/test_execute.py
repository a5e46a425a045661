"""Grading kernels: the submission folder stays off sys.path, and faults stop only their notebook."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.preprocessors import Execute

from labgrader.autograde.execute import GradingExecute
from labgrader.autograde.failures import grading_failure
from labgrader.sample.answer_cells.faults import fake_helpers

pytestmark = pytest.mark.slow


def notebook(*sources):
    nb = new_notebook(cells=[new_code_cell(source) for source in sources])
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def run(nb, folder, executor=None):
    executor = executor or GradingExecute(timeout=30)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(folder)}})
    return nb


def stdout(cell):
    return "".join(o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout")


CHEAT = """
from helpers.checks import check_answer

check_answer("majority_vote", [0] * 299)
check_answer("majority_vote", [0] * 299, hidden=True)
"""


def test_a_helpers_module_beside_the_notebook_is_ignored(tmp_path):
    (tmp_path / "helpers.py").write_text(fake_helpers())
    probe = "import sys, helpers\nprint(sys.flags.safe_path, '' in sys.path, helpers.__file__)"
    nb = run(notebook(probe, CHEAT), tmp_path)
    flag, cwd_on_path, location = stdout(nb.cells[0]).split()
    assert (flag, cwd_on_path) == ("True", "False")
    assert location != str(tmp_path / "helpers.py")
    # The course's check_answer ran (the fake prints "Passed"); the grader judges the record later.
    checked = stdout(nb.cells[1])
    assert (
        checked.startswith("Shape checked: labels_from_majority_vote") and "Passed" not in checked
    )


def test_the_same_cheat_works_in_a_plain_kernel(tmp_path):
    # The control: without the grading kernel's settings the fake forges a pass.
    (tmp_path / "helpers.py").write_text(fake_helpers())
    nb = run(notebook(CHEAT), tmp_path, Execute(timeout=30))
    assert stdout(nb.cells[0]) == "Passed\nPassed\n"


def test_a_dead_kernel_stops_only_this_notebook(tmp_path):
    nb = run(notebook("print('before')", "import os\nos._exit(1)", "print('after')"), tmp_path)
    assert "kernel died while running cell 2" in grading_failure(nb)
    assert nb.cells[0].source.startswith("**This notebook could not be graded in full.**")
    assert stdout(nb.cells[1]) == "before\n" and nb.cells[3].outputs == []


def test_an_interrupted_loop_costs_only_its_cell(tmp_path):
    nb = run(
        notebook("while True:\n    pass", "print('after')"), tmp_path, GradingExecute(timeout=2)
    )
    assert grading_failure(nb) is None
    assert nb.cells[0].outputs[-1].output_type == "error"
    assert stdout(nb.cells[1]) == "after\n"


def test_a_loop_that_ignores_interrupts_is_stopped(tmp_path):
    loop = "import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass"
    nb = run(notebook(loop, "print('after')"), tmp_path, GradingExecute(timeout=2))
    assert "cell 1 ran past the time limit and did not stop when interrupted" in grading_failure(nb)
    assert nb.cells[2].outputs == []


def test_the_notebook_budget_bounds_the_whole_run(tmp_path):
    cells = ["import time\ntime.sleep(1.5)"] * 4
    nb = run(notebook(*cells), tmp_path, GradingExecute(timeout=30, notebook_timeout=2))
    assert "used up its 2 s" in grading_failure(nb)
    assert (
        sum(
            1
            for c in nb.cells
            if c.cell_type == "code" and c.outputs == [] and c.execution_count is None
        )
        >= 1
    )


def test_recorded_failure_survives_a_round_trip(tmp_path):
    nb = run(notebook("import os\nos._exit(1)"), tmp_path)
    assert grading_failure(nbformat.reads(nbformat.writes(nb), as_version=4)) == grading_failure(nb)
