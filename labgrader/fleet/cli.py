"""``multiannotator-autograde``: autograde every submission, on this machine or a Dask cluster.

With no option it grades on this machine with a worker per core (:mod:`labgrader.fleet.local`);
``--scheduler`` sends the class to the workers of a Dask cluster instead
(:mod:`labgrader.fleet.cluster`). Either way a progress line shows students graded, failed
and left, nbgrader's log goes to ``reports/autograde.log``, and every student who could not be
graded is named at the end with the reason.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from labgrader.fleet.local import Grader, check_the_sandbox, find_students, leave


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Autograde every submission on every core.")
    parser.add_argument("assignment", nargs="?", default="multiannotator")
    parser.add_argument(
        "--workers", type=int, help="worker processes on this machine (default: one per core)"
    )
    parser.add_argument("--student", action="append", help="grade only these students (repeatable)")
    parser.add_argument("--course-root", type=Path, default=Path.cwd())
    parser.add_argument("--force", action="store_true", help="regrade students already autograded")
    parser.add_argument(
        "--no-warm", action="store_true", help="ordinary kernels instead of warm ones"
    )
    parser.add_argument(
        "--no-sandbox", action="store_true", help="run student code unconfined (not advised)"
    )
    parser.add_argument("--timeout", type=int, help="per-cell timeout in seconds (Execute.timeout)")
    parser.add_argument(
        "--scheduler",
        metavar="tcp://HOST:PORT",
        help="grade on the workers of this Dask scheduler instead of on this machine",
    )
    parser.add_argument(
        "--wait-for-workers",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="with --scheduler: how long to wait for a worker that accepts the course",
    )
    args = parser.parse_args(argv)
    if args.scheduler and args.workers:
        parser.error(
            "--workers is for grading on this machine; with --scheduler, the cluster's workers grade"
        )
    options = ["--force"] if args.force else []
    if args.no_warm:
        options.append("--GradingExecute.warm_kernels=False")
    if args.no_sandbox:
        options.append("--GradingExecute.sandbox=False")
    if args.timeout:
        options.append(f"--Execute.timeout={args.timeout}")
    students = args.student or find_students(args.course_root, args.assignment)
    if not students:
        print(
            f"no submissions for {args.assignment} in {args.course_root / 'submitted'}",
            file=sys.stderr,
        )
        return 1
    if args.scheduler:
        from labgrader.fleet.cluster import ClusterGrader  # Dask takes 0.4 s to import: only here

        grader = ClusterGrader(
            args.course_root.resolve(),
            args.assignment,
            args.scheduler,
            [option for option in options if option != "--force"],
            wait_for_workers=args.wait_for_workers,
        )
        outcomes = grader.run(students, force=args.force)
    else:
        root = args.course_root.resolve()
        grader = Grader(
            root,
            args.assignment,
            args.workers or os.cpu_count() or 1,
            options,
            preflight=lambda: check_the_sandbox(root, options),
        )
        outcomes = grader.run(students)
    failed = [o for o in outcomes if o.status != "graded"]
    for outcome in failed:
        print(
            f"FAILED {outcome.student} after {outcome.attempts} attempt(s): {outcome.detail}",
            file=sys.stderr,
        )
    return 1 if failed else 0


def cli() -> None:
    """The ``multiannotator-autograde`` command."""
    leave(main())


if __name__ == "__main__":
    cli()
