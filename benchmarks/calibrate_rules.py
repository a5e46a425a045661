"""Calibrate the grading rules on many datasets of one's own, and print the table.

    python -m benchmarks.calibrate_rules [--datasets 500] [--workers 2]
                                         [--json labgrader/judging/calibration.json]

Run from the repository's root. What it measures, and how, is
:mod:`labgrader.sample.calibration`; the table and the constants' margins are printed, and
written to the JSON file that ``tests/judging/test_calibration.py`` holds against the rules.
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import sys
import time
from pathlib import Path

import matplotlib

from labgrader.sample.calibration import COURSE, judge_dataset, print_table, summarize
from labgrader.sample.calibration_methods import LEGITIMATE, WRONG


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=300)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--course",
        default=COURSE,
        help="the calibration course: its students' datasets are judged (another name, others)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        help="write the result here (the committed one: labgrader/judging/calibration.json)",
    )
    parser.add_argument("--csv", type=Path, help="write every verdict here, dataset by dataset")
    args = parser.parse_args(argv)
    matplotlib.use("Agg")  # the notebooks' cells run here, with no screen
    started = time.monotonic()
    tasks = [(args.course, index) for index in range(1, args.datasets + 1)]
    with multiprocessing.get_context("fork").Pool(args.workers) as pool:
        lab_rows = pool.apply_async(judge_dataset, ((None, 0),))
        per_dataset = list(pool.imap(judge_dataset, tasks))
        lab_rows = lab_rows.get()
    if args.csv:
        with args.csv.open("w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["dataset", "part", "method", "kind", "passed", "shares"])
            for (_, index), dataset_rows in zip(tasks, per_dataset, strict=True):
                writer.writerows([index, *row[:4], json.dumps(row[4])] for row in dataset_rows)
    result = summarize(
        [row for rows in per_dataset for row in rows], args.datasets, args.course, lab_rows
    )
    print_table(result)
    print(
        f"\n{args.datasets} datasets in {time.monotonic() - started:.0f} s with {args.workers} workers"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    bad = [r for r in result["rows"] if (r["kind"] == LEGITIMATE and r["failed"])
           or (r["kind"] == WRONG and r["failed"] < 0.95 * r["datasets"])]  # fmt: skip
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
