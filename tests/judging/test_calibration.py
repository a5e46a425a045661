"""The rules' calibration: the committed result is of these rules and meets the bar; the script
that makes it runs and prints its table (on a few datasets: the full run takes minutes)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from helpers.parts import PARTS
from labgrader.course.config import REPO_ROOT
from labgrader.judging import rules
from labgrader.sample.calibration import LOWER_IS_BETTER
from labgrader.sample.calibration_methods import AIMED_AT, COPIED, EITHER, LEGITIMATE, RUNS, WRONG

CALIBRATION = REPO_ROOT / "labgrader" / "judging" / "calibration.json"


def expected_rows() -> dict:
    """``{(part, method): kind}`` of every verdict the calibration reports."""
    rows = {(part, run.name): kind for run in RUNS for part, kind in run.judged.items()}
    rows.update({(part, COPIED): WRONG for part in PARTS})
    return rows


@pytest.fixture(scope="module")
def committed() -> dict:
    return json.loads(CALIBRATION.read_text())


def test_the_committed_calibration_is_of_these_rules_and_methods(committed):
    assert committed["constants"] == rules.CONSTANTS
    assert set(committed["margins"]) == set(rules.CONSTANTS) == set(AIMED_AT)
    found = {(row["part"], row["method"]): row["kind"] for row in committed["rows"]}
    assert found == expected_rows()


def test_every_legitimate_method_passed_on_every_dataset_and_each_wrong_one_failed(committed):
    assert committed["datasets"] >= 500
    for row in committed["rows"]:
        assert row["datasets"] == committed["datasets"], row
        if row["kind"] == LEGITIMATE:
            assert row["failed"] == 0, row
        elif row["kind"] == WRONG:
            assert row["failed"] >= 0.95 * row["datasets"], row
        else:
            assert row["kind"] == EITHER


def test_every_constant_lies_between_the_legitimate_and_the_wrong(committed):
    for constant, margin in committed["margins"].items():
        sign = -1 if constant in LOWER_IS_BETTER else 1
        assert sign * margin["worst_legitimate"] >= sign * margin["value"], (constant, margin)


@pytest.mark.slow
def test_the_script_prints_its_table_and_writes_its_result(tmp_path):
    result_file = tmp_path / "calibration.json"
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.calibrate_rules", "--datasets", "2",
         "--workers", "1", "--course", "calibration-test", "--json", str(result_file)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode in (0, 1), run.stderr[-3000:]
    lines = run.stdout.splitlines()
    assert "| part | method | kind | failed on | result | on the lab's own dataset |" in lines
    table = [line.strip("| ").split(" | ") for line in lines if line.startswith("| `")]
    verdicts = [cells for cells in table if len(cells) == 6]
    assert {(cells[0].strip("`"), cells[1]) for cells in verdicts} == set(expected_rows())
    assert len(verdicts) == len(expected_rows())
    flagged = any("FALSE FAILS" in cells[4] or "BELOW 95%" in cells[4] for cells in verdicts)
    assert run.returncode == (1 if flagged else 0)
    result = json.loads(result_file.read_text())
    assert result["datasets"] == 2 and result["course"] == "calibration-test"
    assert result["constants"] == rules.CONSTANTS
    assert {(r["part"], r["method"]) for r in result["rows"]} == set(expected_rows())
    on_the_labs_own = {cells[5] for cells in verdicts}
    assert on_the_labs_own <= {"passes", "fails", "-"} and "passes" in on_the_labs_own
