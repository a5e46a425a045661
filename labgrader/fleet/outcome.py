"""What happened to each student of a grading run, and the progress line both graders print."""

from __future__ import annotations

import time
from dataclasses import dataclass

ATTEMPTS = 2
"""Tries a student gets: a worker that dies grading them loses nobody, unless it happens twice."""


@dataclass
class Outcome:
    """What happened to one student."""

    student: str
    status: str  # "graded" or "failed"
    seconds: float = 0.0
    detail: str = ""
    attempts: int = 1


def print_progress(stream, outcomes: dict, total: int, started: float, final=False) -> None:
    """The progress line: students graded, failed and left, and the seconds since ``started``."""
    graded = sum(o.status == "graded" for o in outcomes.values())
    failed = len(outcomes) - graded
    left = total - len(outcomes)
    done = int(30 * len(outcomes) / max(total, 1))
    elapsed = time.monotonic() - started
    line = f"\r[{'#' * done}{'.' * (30 - done)}] graded {graded}, failed {failed}, left {left} ({elapsed:.0f} s)"
    print(line, end="\n" if final else "", file=stream, flush=True)
