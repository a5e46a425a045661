"""Measure the similarity report's thresholds on the synthetic class, and print the separation.

    python -m benchmarks.similarity_thresholds [--write]

Run from the repository's root. What it measures, and how, is
:mod:`labgrader.sample.similarity_measure`; ``--write`` keeps the thresholds and the figures in
``labgrader/reporting/similarity_thresholds.json``, which the report reads and
``tests/reporting/test_similarity.py`` holds against a new measurement.
"""

from __future__ import annotations

import argparse
import json
import sys

from labgrader.reporting.similarity import COMMON_SHARE, NOISE, SUBSTANTIAL, THRESHOLDS_FILE
from labgrader.sample.similarity_measure import as_records, measure, thresholds_of


def _figure(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_table(separations) -> None:
    print(
        f"{'notebook':<24} {'part':<33} {'indep.':>6} {'highest':>7} {'copies':>6} {'lowest':>6}"
        f" {'short':>5} {'highest':>7} {'threshold':>9}"
    )
    for s in separations:
        print(
            f"{s.notebook:<24} {s.part:<33} {s.independent_pairs:>6} {s.independent_max:>7.3f}"
            f" {s.copies:>6} {_figure(s.copies_min):>6} {s.short_copies:>5} {s.short_copies_max:>7.3f}"
            f" {s.threshold:>9.3f}"
        )
    print("\nclosest independent pair, and least alike copy, of each part:")
    for s in separations:
        print(
            f"  {s.notebook} {s.part}: {s.independent_closest or '-'} ({s.independent_max:.3f});"
            f" {s.copies_least_alike or '-'} ({_figure(s.copies_min)})"
        )
    print("\nshort answers (weighed down; their copies cannot be told from answers written alike):")
    for s in separations:
        if s.short_answers:
            print(f"  {s.notebook} {s.part}: {s.short_answers}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"write {THRESHOLDS_FILE.name}")
    args = parser.parse_args(argv)
    separations = measure()
    print_table(separations)
    unseparated = [s for s in separations if s.copies and s.copies_min <= s.independent_max]
    unseparated += [s for s in separations if s.independent_max >= s.threshold]
    for s in unseparated:
        print(f"NOT SEPARATED: {s.notebook} {s.part}", file=sys.stderr)
    if args.write:
        record = {
            "measured_with": {
                "noise": NOISE,
                "substantial": SUBSTANTIAL,
                "common_share": COMMON_SHARE,
            },
            "thresholds": thresholds_of(separations),
            "separation": as_records(separations),
        }
        THRESHOLDS_FILE.write_text(json.dumps(record, indent=2, allow_nan=False) + "\n")
        print(f"\nwrote {THRESHOLDS_FILE}")
    return 1 if unseparated else 0


if __name__ == "__main__":
    sys.exit(main())
