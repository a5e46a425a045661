"""How fast can a class be graded? Plain nbgrader against warm kernels and every core.

    python benchmarks/grading_benchmark.py [--students 60] [--csv benchmarks/results.csv]
                                           [--flat 20,60,200]

Builds a synthetic class of N students from the cohort of the tests
(``tests/cohort.py``: correct, wrong and cheating submissions; not the ones that
wait for a timeout), then grades the very same submissions, each time in a fresh
copy of the course, with:

- ``nbgrader``: plain sequential ``nbgrader autograde`` with ordinary kernels;
- ``nbclient``: bare execution of the same notebooks with nbclient, no nbgrader;
- ``grader-1-cold`` / ``grader-1-warm``: ``multiannotator-autograde --workers 1``;
- ``grader-N-cold`` / ``grader-N-warm``: the same with a worker per core;
- ``...-unsandboxed``: the same without the sandbox, to measure what it costs.

All but the unsandboxed ones confine student code (``labgrader.sandbox``)
where the machine allows it.

It prints seconds per student and the speed-up over plain nbgrader, checks that
every grader produced the same gradebook, and writes the figures to a CSV. With
``--flat`` it also times the fastest grader at several class sizes.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))  # tests.cohort is the class generator

from nbclient import NotebookClient  # noqa: E402

from labgrader.course import BIN_DIR, nbgrader_env, new_course, run_nbgrader  # noqa: E402
from labgrader.report import gradebook_snapshot  # noqa: E402
from labgrader.submissions import ASSIGNMENT, read_notebook  # noqa: E402
from tests.cohort import STUDENTS, write_cohort  # noqa: E402

SLOW_ON_PURPOSE = {
    "timeout_ex2",
    "unresponsive_loop_ex1",
}  # they measure the timeout, not the grader


def synthetic_class(size: int) -> list:
    """``size`` students, cycling through the cohort, each with a unique name."""
    variants = [s for s in STUDENTS if s.name not in SLOW_ON_PURPOSE]
    return [
        dataclasses.replace(
            variants[i % len(variants)], name=f"s{i:04d}_{variants[i % len(variants)].name}"
        )
        for i in range(size)
    ]


def prepared_course(folder: Path, students: list) -> Path:
    course = new_course(folder)
    write_cohort(course, students)
    return course


def fresh_copy(template: Path, folder: Path) -> Path:
    shutil.copytree(template, folder)
    return folder


def time_nbgrader(course: Path) -> float:
    started = time.perf_counter()
    run_nbgrader(
        course, "autograde", ASSIGNMENT, "--GradingExecute.warm_kernels=False", check=False
    )
    return time.perf_counter() - started


def time_nbclient(course: Path) -> float:
    notebooks = sorted((course / "submitted").glob(f"*/{ASSIGNMENT}/*.ipynb"))
    started = time.perf_counter()
    for path in notebooks:
        try:
            nb = read_notebook(path)
        except Exception:  # the unreadable submissions cost nothing here
            continue
        client = NotebookClient(
            nb,
            timeout=60,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(path.parent)}},
        )
        try:
            client.execute()
        except Exception:  # a dying kernel ends that notebook, as it would for nbgrader
            pass
    return time.perf_counter() - started


def time_grader(course: Path, workers: int, warm: bool, sandbox: bool = True) -> float:
    command = [str(BIN_DIR / "multiannotator-autograde"), "--workers", str(workers)]
    if not warm:
        command.append("--no-warm")
    if not sandbox:
        command.append("--no-sandbox")
    started = time.perf_counter()
    subprocess.run(
        command, cwd=course, env=nbgrader_env(), capture_output=True, text=True, check=False
    )
    return time.perf_counter() - started


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            model,
        )
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {memory:.0f} GiB, Python {platform.python_version()}"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--csv", type=Path, default=REPO_ROOT / "benchmarks" / "results.csv")
    parser.add_argument(
        "--flat", default="", help="class sizes for the flatness check, e.g. 20,60,200"
    )
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    rows = []
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as scratch:
        scratch = Path(scratch)
        template = prepared_course(scratch / "template", synthetic_class(args.students))
        gradebooks = {}
        methods = [
            ("nbgrader", time_nbgrader),
            ("nbclient", time_nbclient),
            ("grader-1-cold", lambda c: time_grader(c, 1, False)),
            ("grader-1-warm", lambda c: time_grader(c, 1, True)),
            ("grader-1-warm-unsandboxed", lambda c: time_grader(c, 1, True, sandbox=False)),
            (f"grader-{cores}-cold", lambda c: time_grader(c, cores, False)),
            (f"grader-{cores}-warm", lambda c: time_grader(c, cores, True)),
            (
                f"grader-{cores}-warm-unsandboxed",
                lambda c: time_grader(c, cores, True, sandbox=False),
            ),
        ]
        for name, run in methods:
            course = fresh_copy(template, scratch / name)
            seconds = run(course)
            rows.append(
                {
                    "method": name,
                    "students": args.students,
                    "seconds": round(seconds, 2),
                    "seconds_per_student": round(seconds / args.students, 3),
                }
            )
            if name != "nbclient":
                gradebooks[name] = gradebook_snapshot(f"sqlite:///{course / 'gradebook.db'}")
            print(
                f"{name:>16}: {seconds:7.1f} s, {seconds / args.students:6.2f} s per student",
                flush=True,
            )
            shutil.rmtree(course)
        baseline = rows[0]["seconds"]
        for row in rows:
            row["speedup_vs_nbgrader"] = round(baseline / row["seconds"], 2)
        for size in [int(n) for n in args.flat.split(",") if n]:
            course = prepared_course(scratch / f"flat-{size}", synthetic_class(size))
            seconds = time_grader(course, cores, True)
            rows.append(
                {
                    "method": f"grader-{cores}-warm",
                    "students": size,
                    "seconds": round(seconds, 2),
                    "seconds_per_student": round(seconds / size, 3),
                    "speedup_vs_nbgrader": "",
                }
            )
            shutil.rmtree(course)
    same = all(snapshot == gradebooks["nbgrader"] for snapshot in gradebooks.values())
    print(f"\nmachine: {machine()}")
    print(f"same gradebook from every grader: {'yes' if same else 'NO'}\n")
    print("| method | students | s per student | speed-up vs nbgrader |")
    print("| --- | --- | --- | --- |")
    for row in rows:
        print(
            f"| {row['method']} | {row['students']} | {row['seconds_per_student']:.2f} | {row['speedup_vs_nbgrader']} |"
        )
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    with args.csv.open("w", newline="") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "method",
                "students",
                "seconds",
                "seconds_per_student",
                "speedup_vs_nbgrader",
            ],
        )
        writer.writeheader()
        writer.writerows(rows)
    print(f"\nwrote {args.csv}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
