"""A small run of the grading benchmark: every method runs, all agree on the grades, and the
table gives the limit, each grader's own time, its efficiency and where that time goes."""

import csv
import subprocess
import sys

import pytest

from labgrader.course.config import REPO_ROOT, nbgrader_env
from tests.support.postgres import why_no_postgres

pytestmark = pytest.mark.slow

BREAKDOWN = ("kernel_start", "around_cells", "re_judging", "gradebook", "nbgrader_steps", "rest")


def test_small_benchmark_run(tmp_path):
    table = tmp_path / "results.csv"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks.grading_benchmark",
            "--students",
            "4",
            "--csv",
            str(table),
        ],
        cwd=REPO_ROOT,
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=2400,
    )
    print(run.stdout[-5000:])
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "same gradebook from every grader: yes" in run.stdout
    with table.open() as handle:
        rows = list(csv.DictReader(handle))
    methods = [row["method"] for row in rows]
    dask = [] if why_no_postgres() else ["dask-2"]
    assert methods[:2] == ["nbgrader", "nbclient"] and len(methods) == 8 + len(dask)
    assert ("dask-2" in methods) == bool(dask)
    assert all(float(row["seconds_per_student"]) > 0 for row in rows)
    assert float(rows[0]["speedup_vs_nbgrader"]) == 1.0
    graded = [row for row in rows if row["method"] != "nbclient"]
    for row in graded:  # every grader recorded every notebook it ran, and the parts add up
        assert int(row["notebooks"]) >= 8, row
        parts = sum(float(row[name]) for name in BREAKDOWN)
        slower = float(row["slower_cells"])
        assert abs(parts + slower - float(row["own_per_notebook"])) < 0.01, row
        assert 0 < float(row["efficiency"]) < 1, row
    limits = {row["limit_per_notebook"] for row in graded}
    assert len(limits) == 1 and float(limits.pop()) > 0  # one limit, the same for every grader
    assert "| method | students | s per student |" in run.stdout
    assert "grader's own s per notebook | efficiency | kernel start |" in run.stdout
    assert "limit (the cells' own time in an already-started warm kernel" in run.stdout
    assert "lab's own cells (all but the answer cells), per notebook:" in run.stdout
