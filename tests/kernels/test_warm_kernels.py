"""Warm kernels: the same outputs as ordinary kernels, and nothing survives from one student to the next."""

from __future__ import annotations

import logging
import subprocess

import pytest

from labgrader.autograde import timings
from labgrader.autograde.execute import GradingExecute
from labgrader.course.assignment import NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import BIN_DIR, nbgrader_env, new_course, run_nbgrader
from labgrader.kernels import warm as warm_kernels
from labgrader.reporting.report import gradebook_snapshot
from labgrader.sample.answer_cells.solutions import MV_SOLUTION
from labgrader.sample.cohort import STUDENTS, Student, write_cohort
from labgrader.sample.submissions import fill_answers
from tests.support.builders import RELEASE_DIR, SOURCE_DIR

pytestmark = pytest.mark.slow

POLLUTER = {
    NOTEBOOKS[0]: {
        "answer_majority_vote": """
import os
import matplotlib
import numpy as np

import helpers
import helpers.checks

"""
        + MV_SOLUTION
        + """
np.mean = lambda *args, **kwargs: 1.0  # every accuracy is now perfect
np.random.seed(0)
helpers.checks.dataset_shape.cache_clear()
helpers.load_lab_data = lambda: None
helpers.checks.PARTS.clear()
matplotlib.rcParams["figure.dpi"] = 10
os.environ["STUDENT_WAS_HERE"] = "1"
open("left_behind.txt", "w").write("state")
open("/tmp/warm-kernel-polluter.txt", "w").write("state")
import builtins
builtins.print = lambda *args, **kwargs: None
"""
    }
}


def coalesced_outputs(nb) -> list:
    """Cell outputs without execution counts, consecutive stream chunks joined (their split is timing)."""
    cells = []
    for cell in nb.cells:
        merged = []
        for output in cell.get("outputs", []):
            output = {k: v for k, v in output.items() if k != "execution_count"}
            last = merged[-1] if merged else {}
            if (
                output.get("output_type") == last.get("output_type") == "stream"
                and output["name"] == last["name"]
            ):
                merged[-1] = {**last, "text": last["text"] + output["text"]}
            else:
                merged.append(output)
        cells.append(merged)
    return cells


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_warm_and_ordinary_kernels_give_identical_outputs(name, tmp_path):
    answers = solution_answers(read_notebook(SOURCE_DIR / f"{name}.ipynb"))
    outputs = {}
    for warm in (False, True):
        nb = fill_answers(read_notebook(RELEASE_DIR / f"{name}.ipynb"), answers)
        nb, _ = GradingExecute(timeout=60, warm_kernels=warm).preprocess(
            nb, {"metadata": {"path": str(tmp_path)}}
        )
        outputs[warm] = coalesced_outputs(nb)
    images = sum("image/png" in o.get("data", {}) for cell in outputs[True] for o in cell)
    assert images >= 3
    assert outputs[True] == outputs[False]


def test_a_student_who_pollutes_the_kernel_leaves_nothing_for_the_next(tmp_path):
    correct = next(s for s in STUDENTS if s.name == "instructor_solution")
    polluter = Student("a_polluter", "patches numpy and helpers, writes files", POLLUTER)
    together = new_course(tmp_path / "together")
    write_cohort(together, [polluter, correct])  # graded in this order, by one process, warm
    run_nbgrader(together, "autograde", "multiannotator")
    alone = new_course(tmp_path / "alone")
    write_cohort(alone, [correct])
    run_nbgrader(alone, "autograde", "multiannotator")

    graded = together / "autograded" / "a_polluter" / "multiannotator" / "left_behind.txt"
    assert graded.exists(), "the polluter really ran"

    def of_correct(course):
        snapshot = gradebook_snapshot(f"sqlite:///{course / 'gradebook.db'}")
        return {key: value for key, value in snapshot.items() if key[0] == correct.name}

    assert of_correct(together) == of_correct(alone)
    for name in NOTEBOOKS:
        path = f"autograded/{correct.name}/multiannotator/{name}.ipynb"
        assert coalesced_outputs(read_notebook(together / path)) == coalesced_outputs(
            read_notebook(alone / path)
        )


def test_the_next_notebooks_kernel_is_started_ahead_and_gives_the_same_outputs(tmp_path):
    """nbgrader autograde with warm kernels: the second notebook adopts a kernel started while
    the first one ran, and every output equals that of ordinary kernels."""
    correct = next(s for s in STUDENTS if s.name == "instructor_solution")
    outputs, started_ahead = {}, {}
    for warm in (True, False):
        course = new_course(tmp_path / f"warm-{warm}")
        write_cohort(course, [correct])
        timings_file = tmp_path / f"timings-{warm}.jsonl"
        graded = subprocess.run(
            [str(BIN_DIR / "nbgrader"), "autograde", "multiannotator",
             f"--GradingExecute.warm_kernels={warm}"],
            cwd=course, env=nbgrader_env({timings.TIMINGS_FILE_VARIABLE: str(timings_file)}),
            capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        assert graded.returncode == 0, graded.stderr[-3000:]
        started_ahead[warm] = {
            e["notebook"]: e["kernel_started_ahead"] for e in timings.read_file(timings_file)
        }
        outputs[warm] = {
            name: coalesced_outputs(
                read_notebook(course / f"autograded/{correct.name}/multiannotator/{name}.ipynb")
            )
            for name in NOTEBOOKS
        }
    assert started_ahead[True] == {NOTEBOOKS[0]: False, NOTEBOOKS[1]: True}
    assert started_ahead[False] == dict.fromkeys(NOTEBOOKS, False)
    assert outputs[True] == outputs[False]


def test_falls_back_to_ordinary_kernels_and_says_so(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(warm_kernels, "_unavailable", "RuntimeError: no fork server here")
    monkeypatch.setattr(GradingExecute, "_said_why_not_warm", False)
    answers = solution_answers(read_notebook(SOURCE_DIR / f"{NOTEBOOKS[0]}.ipynb"))
    nb = fill_answers(read_notebook(RELEASE_DIR / f"{NOTEBOOKS[0]}.ipynb"), answers)
    executor = GradingExecute(timeout=60)
    with caplog.at_level(logging.WARNING):
        nb, _ = executor.preprocess(nb, {"metadata": {"path": str(tmp_path)}})
    assert executor.kernel_manager_class.__name__ == "GradingKernelManager"
    assert "Warm kernels unavailable (RuntimeError: no fork server here)" in caplog.text
    assert not [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
