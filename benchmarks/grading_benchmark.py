"""How fast can a class be graded? Plain nbgrader against warm kernels, every core and Dask.

    python -m benchmarks.grading_benchmark [--students 60] [--csv benchmarks/results.csv]
                                           [--flat 20,60,200] [--methods nbgrader,dask-2,...]

Run from the repository's root. Builds a synthetic class of N students from the cohort
(:mod:`labgrader.sample.cohort`: correct, wrong and cheating submissions; not the ones that
wait for a timeout), then grades the very same submissions, each time in a fresh
copy of the course, with:

- ``nbgrader``: plain sequential ``nbgrader autograde`` with ordinary kernels;
- ``nbclient``: bare execution of the same notebooks with nbclient, no nbgrader;
- ``grader-1-cold`` / ``grader-1-warm``: ``multiannotator-autograde --workers 1``;
- ``grader-N-cold`` / ``grader-N-warm``: the same with a worker per core;
- ``...-unsandboxed``: the same without the sandbox, to measure what it costs;
- ``dask-2``: ``multiannotator-autograde --scheduler`` on a Dask cluster of two local
  ``dask worker`` processes, each with its own copy of the course, into a throwaway
  PostgreSQL gradebook (needs root and Debian's PostgreSQL; skipped otherwise). The
  cluster's start is not timed; the workers' set-up for the course is.

All but the unsandboxed ones confine student code (:mod:`labgrader.sandbox`)
where the machine allows it.

It prints seconds per student and the speed-up over plain nbgrader, and, from the
notebooks' own timings (:mod:`labgrader.autograde.timings`, see :mod:`breakdown`), the limit (the
cells' own time in an already-started kernel, per student), each grader's own time per
notebook, its efficiency and where its own time goes. It checks that every grader produced
the same gradebook and writes the figures to a CSV. With ``--flat`` it also times the
fastest grader at several class sizes.
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
from datetime import datetime
from pathlib import Path

from nbclient import NotebookClient

from benchmarks.breakdown import Breakdown, breakdown, field, limit_per_student, mean
from labgrader.autograde import timings
from labgrader.course.assignment import ASSIGNMENT, read_notebook
from labgrader.course.config import BIN_DIR, REPO_ROOT, nbgrader_env, new_course
from labgrader.reporting.report import gradebook_snapshot
from labgrader.sample.cohort import STUDENTS, write_cohort
from tests.support.dask_cluster import LocalCluster
from tests.support.postgres import running_postgres, why_no_postgres

LIMIT_METHOD = "grader-1-warm"  # whose cell timings are the limit: one warm kernel at a time

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


def time_nbgrader(course: Path, env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(
        [str(BIN_DIR / "nbgrader"), "autograde", ASSIGNMENT, "--GradingExecute.warm_kernels=False"],
        cwd=course, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    return time.perf_counter() - started


def _cell_seconds(nb) -> float:
    total = 0.0
    for cell in nb.cells:
        timing = cell.get("metadata", {}).get("execution", {})
        if "shell.execute_reply" in timing and "iopub.execute_input" in timing:
            total += (
                datetime.fromisoformat(timing["shell.execute_reply"])
                - datetime.fromisoformat(timing["iopub.execute_input"])
            ).total_seconds()
    return total


def time_nbclient(course: Path, env: dict) -> float:
    notebooks = sorted((course / "submitted").glob(f"*/{ASSIGNMENT}/*.ipynb"))
    entries = []
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
            # The kernel's "running over TCP without encryption" line, once per notebook, is
            # nothing to act on here: this baseline is nbclient's defaults, as they are.
            client.execute(stderr=subprocess.DEVNULL)
        except Exception:  # a dying kernel ends that notebook, as it would for nbgrader
            pass
        entries.append({"student": path.parent.parent.name, "cells": _cell_seconds(nb)})
    seconds = time.perf_counter() - started
    timings.append_to_file(entries, env[timings.TIMINGS_FILE_VARIABLE])
    return seconds


def time_grader(course: Path, env: dict, workers: int, warm: bool, sandbox: bool = True) -> float:
    command = [str(BIN_DIR / "multiannotator-autograde"), "--workers", str(workers)]
    if not warm:
        command.append("--no-warm")
    if not sandbox:
        command.append("--no-sandbox")
    started = time.perf_counter()
    subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, check=False)
    return time.perf_counter() - started


def time_dask(course: Path, env: dict, workers: int = 2) -> tuple[float, dict]:
    """Grade on a local Dask cluster into a throwaway PostgreSQL gradebook: (seconds, gradebook)."""
    from distributed import Client

    with running_postgres() as postgres:
        env = {**env, "MULTIANNOTATOR_DB_URL": postgres.url}
        subprocess.run(
            [str(BIN_DIR / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"],
            cwd=course, env=env, capture_output=True, check=True,
        )  # fmt: skip
        names = [f"worker-{i + 1}" for i in range(workers)]
        cluster = LocalCluster(
            course.parent / f"{course.name}-cluster", course, postgres.url, names
        )
        try:
            with Client(cluster.address, timeout=60) as client:
                client.wait_for_workers(workers, timeout=120)
            started = time.perf_counter()
            subprocess.run(
                [str(BIN_DIR / "multiannotator-autograde"), "--scheduler", cluster.address],
                cwd=course, env=env, capture_output=True, text=True, check=False,
            )  # fmt: skip
            seconds = time.perf_counter() - started
        finally:
            cluster.stop()
        return seconds, gradebook_snapshot(postgres.url)


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


def methods(cores: int) -> list[tuple]:
    """``(name, cores it uses, run)``; ``run(course, env)`` returns seconds, or (seconds, gradebook)."""
    return [
        ("nbgrader", 1, time_nbgrader),
        ("nbclient", 1, time_nbclient),
        ("grader-1-cold", 1, lambda c, e: time_grader(c, e, 1, False)),
        ("grader-1-warm", 1, lambda c, e: time_grader(c, e, 1, True)),
        ("grader-1-warm-unsandboxed", 1, lambda c, e: time_grader(c, e, 1, True, sandbox=False)),
        (f"grader-{cores}-cold", cores, lambda c, e: time_grader(c, e, cores, False)),
        (f"grader-{cores}-warm", cores, lambda c, e: time_grader(c, e, cores, True)),
        (
            f"grader-{cores}-warm-unsandboxed",
            cores,
            lambda c, e: time_grader(c, e, cores, True, sandbox=False),
        ),
        ("dask-2", 2, time_dask),
    ]


FIELDS = [
    "method", "students", "seconds", "seconds_per_student", "speedup_vs_nbgrader", "cores",
    "notebooks", "cells_per_notebook", "limit_per_notebook", "own_per_notebook", "efficiency",
    *[field(name) for name in Breakdown.columns()],
]  # fmt: skip


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=60)
    parser.add_argument("--csv", type=Path, default=REPO_ROOT / "benchmarks" / "results.csv")
    parser.add_argument(
        "--flat", default="", help="class sizes for the flatness check, e.g. 20,60,200"
    )
    parser.add_argument("--methods", default="", help="only these methods, comma-separated")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1
    chosen = [m for m in methods(cores) if not args.methods or m[0] in args.methods.split(",")]
    if any(name == "dask-2" for name, _, _ in chosen) and why_no_postgres():
        print(f"skipping dask-2: {why_no_postgres()}")
        chosen = [m for m in chosen if m[0] != "dask-2"]
    rows, gradebooks, entries = [], {}, {}
    with tempfile.TemporaryDirectory(prefix="grading-benchmark-") as scratch:
        scratch = Path(scratch)
        template = prepared_course(scratch / "template", synthetic_class(args.students))
        for name, used, run in chosen:
            course = fresh_copy(template, scratch / name)
            timings_file = scratch / f"{name}.timings.jsonl"
            env = nbgrader_env({timings.TIMINGS_FILE_VARIABLE: str(timings_file)})
            result = run(course, env)
            seconds, gradebook = result if isinstance(result, tuple) else (result, None)
            if name != "nbclient":
                gradebooks[name] = gradebook or gradebook_snapshot(
                    f"sqlite:///{course / 'gradebook.db'}"
                )
            entries[name] = timings.read_file(timings_file)
            rows.append(
                {
                    "method": name,
                    "students": args.students,
                    "seconds": round(seconds, 2),
                    "seconds_per_student": round(seconds / args.students, 3),
                    "cores": used,
                }
            )
            print(
                f"{name:>26}: {seconds:7.1f} s, {seconds / args.students:6.2f} s per student",
                flush=True,
            )
            shutil.rmtree(course)
        baseline = next((r["seconds"] for r in rows if r["method"] == "nbgrader"), None)
        limit_source = LIMIT_METHOD if entries.get(LIMIT_METHOD) else rows[0]["method"]
        limit = mean(entries[limit_source], "cells")
        for row in rows:
            row["speedup_vs_nbgrader"] = round(baseline / row["seconds"], 2) if baseline else ""
            figures = breakdown(entries[row["method"]], row["seconds"], row["cores"], limit)
            if figures:
                row.update(
                    notebooks=figures.notebooks,
                    cells_per_notebook=round(figures.cells, 3),
                    limit_per_notebook=round(limit, 3),
                    own_per_notebook=round(figures.own, 3),
                    efficiency=round(figures.efficiency, 3),
                    **{field(k): round(v, 3) for k, v in figures.parts.items()},
                )
        for size in [int(n) for n in args.flat.split(",") if n]:
            course = prepared_course(scratch / f"flat-{size}", synthetic_class(size))
            seconds = time_grader(course, nbgrader_env(), cores, True)
            rows.append(
                {
                    "method": f"grader-{cores}-warm",
                    "students": size,
                    "seconds": round(seconds, 2),
                    "seconds_per_student": round(seconds / size, 3),
                    "cores": cores,
                }
            )
            shutil.rmtree(course)
    reference = gradebooks.get("nbgrader") or next(iter(gradebooks.values()), None)
    same = all(snapshot == reference for snapshot in gradebooks.values())
    print(f"\nmachine: {machine()}")
    print(f"same gradebook from every grader: {'yes' if same else 'NO'}\n")
    report(rows, entries, limit, limit_source)
    args.csv.parent.mkdir(parents=True, exist_ok=True)
    with args.csv.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    print(f"\nwrote {args.csv}")
    return 0 if same else 1


def report(rows: list[dict], entries: dict, limit: float, limit_source: str) -> None:
    """Print the table, then the limit and the targets."""
    header = ["method", "students", "s per student", "speed-up vs nbgrader", "cores",
              "cells per notebook", "grader's own s per notebook", "efficiency",
              *Breakdown.columns()]  # fmt: skip
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for row in rows:
        cells = [row["method"], str(row["students"]), f"{row['seconds_per_student']:.2f}",
                 str(row.get("speedup_vs_nbgrader", "")), str(row["cores"])]  # fmt: skip
        if "own_per_notebook" in row:
            cells += [
                f"{row['cells_per_notebook']:.2f}",
                f"{row['own_per_notebook']:.2f}",
                f"{100 * row['efficiency']:.0f}%",
                *(
                    f"{row[field(name)]:.2f}" if field(name) in row else ""
                    for name in Breakdown.columns()
                ),
            ]
        print("| " + " | ".join(cells + [""] * (len(header) - len(cells))) + " |")
    students = limit_per_student(entries[limit_source])
    if students:
        per_student = sorted(students.values())
        print(
            f"\nlimit (the cells' own time in an already-started warm kernel, from {limit_source}): "
            f"{limit:.2f} s per notebook; per student mean {sum(per_student) / len(per_student):.2f} s, "
            f"min {per_student[0]:.2f} s, max {per_student[-1]:.2f} s"
        )
        print(
            f"lab's own cells (all but the answer cells), per notebook: "
            f"{mean(entries[limit_source], 'lab_cells'):.2f} s (target 0.5 s)"
        )
    for row in rows:
        warm = "-warm" in row["method"] or row["method"] == "dask-2"
        if warm and "own_per_notebook" in row and row["students"] == rows[0]["students"]:
            print(
                f"grader's own time per notebook, {row['method']}: "
                f"{row['own_per_notebook']:.2f} s (target 0.3 s with warm kernels)"
            )


if __name__ == "__main__":
    sys.exit(main())
