"""``multiannotator-similarity``: which students' code is alike, part by part, for a person to read.

Run in the course root after ``nbgrader autograde`` (or on ``submitted/`` alone: each student's
graded notebook is read where there is one, else the one handed in). It compares every pair of
students, answer cell by answer cell and whole notebook by whole notebook
(:mod:`~labgrader.reporting.similarity`), and writes ``reports/similarity.csv`` and
``reports/similarity.html``. It changes no grade; the grade report names the flagged pairs in
its ``notes`` column.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from labgrader.reporting.report import submitted_students
from labgrader.reporting.similarity import WHOLE_NOTEBOOK, load_thresholds
from labgrader.reporting.similarity_report import write_csv, write_html
from labgrader.reporting.similarity_sources import class_parts, compare_notebooks, read_release


def run(course_root: Path, output_dir: Path | None = None, students=None, stream=sys.stdout):
    """Compare the class, write both files, and print the flagged pairs; return the results."""
    course_root = Path(course_root)
    output_dir = Path(output_dir or course_root / "reports")
    students = list(students or submitted_students(course_root))
    release = read_release(course_root)
    thresholds = load_thresholds()
    by_notebook, skipped = class_parts(course_root, students)
    results = compare_notebooks(by_notebook, release, thresholds)
    write_csv(results, output_dir / "similarity.csv")
    write_html(results, thresholds, output_dir / "similarity.html", len(students), skipped)
    by_pair = {}
    for result in results:
        for pair in result.pairs:
            if pair.flagged:
                by_pair.setdefault((pair.student_a, pair.student_b), []).append(pair)
    for item in skipped:
        if "not a readable" in item.why:
            print(f"not compared: {item.student} {item.notebook}: {item.why}", file=stream)
    if by_pair:
        print(
            f"{len(by_pair)} pairs of students with alike code, for a person to read (a pointer, "
            f"never a verdict; no grade changes): {output_dir / 'similarity.html'}",
            file=stream,
        )
    for (a, b), pairs in sorted(by_pair.items(), key=lambda item: -max(p.score for p in item[1])):
        parts = ", ".join(
            f"{_label(p)} {p.score:.2f}" for p in sorted(pairs, key=lambda p: -p.score)
        )
        print(f"  {a} / {b}: {parts}", file=stream)
    return results


def _label(pair) -> str:
    return f"{pair.notebook} (whole)" if pair.part == WHOLE_NOTEBOOK else pair.part


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-root", type=Path, default=Path.cwd())
    parser.add_argument("--output-dir", type=Path, help="where to write (default: reports/)")
    parser.add_argument(
        "--student", action="append", help="compare only these students (repeat the option)"
    )
    args = parser.parse_args(argv)
    run(args.course_root, args.output_dir, args.student)
    return 0


if __name__ == "__main__":
    sys.exit(main())
