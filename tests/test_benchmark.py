"""A small run of the grading benchmark: every method runs, and all of them agree on the grades."""

import csv
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT, nbgrader_env

pytestmark = pytest.mark.slow


def test_small_benchmark_run(tmp_path):
    table = tmp_path / "results.csv"
    run = subprocess.run(
        [
            sys.executable,
            str(REPO_ROOT / "benchmarks" / "grading_benchmark.py"),
            "--students",
            "8",
            "--csv",
            str(table),
        ],
        env=nbgrader_env(),
        capture_output=True,
        text=True,
        timeout=2400,
    )
    print(run.stdout[-3000:])
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "same gradebook from every grader: yes" in run.stdout
    with table.open() as handle:
        rows = list(csv.DictReader(handle))
    methods = [row["method"] for row in rows]
    assert methods[:2] == ["nbgrader", "nbclient"] and len(methods) == 8
    assert all(float(row["seconds_per_student"]) > 0 for row in rows)
    assert float(rows[0]["speedup_vs_nbgrader"]) == 1.0
