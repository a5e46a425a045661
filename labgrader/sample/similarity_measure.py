"""The similarity report's thresholds, measured on the synthetic class of
:mod:`labgrader.sample.similarity_class`.

For each part (each answer cell, and the whole notebook), every pair of the class is scored as
the report scores a course, and sorted by what it is: independent answers, copies of an answer
with enough code of its own to tell (at least :data:`~labgrader.reporting.similarity.SUBSTANTIAL`
tokens, boilerplate and everyone's code left out), and copies of short answers
(weighed down: they cannot be told from answers written alike). The threshold of a part lies
halfway between its independent pairs' highest score and its copies' lowest; a part with no
answer long enough to tell gets :data:`DEFAULT_THRESHOLD`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook
from labgrader.course.config import REPO_ROOT
from labgrader.reporting.similarity import SUBSTANTIAL, WHOLE_NOTEBOOK, PartResult
from labgrader.reporting.similarity_sources import compare_notebooks
from labgrader.sample.similarity_class import (
    COPY,
    INDEPENDENT,
    PARTLY,
    class_answers,
    pair_kind,
    synthetic_class,
)

DEFAULT_THRESHOLD = 0.8
"""The threshold of a part with no copy long enough to measure one on."""


@dataclass
class Separation:
    """One part's measurement: the closest independent pair against the least alike copy."""

    notebook: str
    part: str
    independent_pairs: int
    independent_max: float
    independent_closest: str
    copies: int
    copies_min: float | None  # None: no answer of this part long enough to tell
    copies_least_alike: str
    short_copies: int
    short_copies_max: float
    short_answers: str  # the methods too short to tell, with their own tokens
    partly_copied_min: float | None
    threshold: float


def _extreme(scored: list, pick):
    if not scored:
        return 0.0, ""
    score, a, b = pick(scored)
    return score, f"{a} / {b}"


def separation(result: PartResult, students: dict, sources_of: dict) -> Separation:
    """Sort one part's pairs by what they are, and put the threshold between them."""
    independent, copies, short, partly = [], [], [], []
    for pair in result.pairs:
        kind = pair_kind(
            students[pair.student_a], students[pair.student_b], result.notebook, result.part
        )
        entry = (pair.score, pair.student_a, pair.student_b)
        if kind == INDEPENDENT:
            independent.append(entry)
        elif kind == PARTLY:
            partly.append(entry)
        elif kind == COPY:
            origin = sources_of[(result.notebook, result.part, pair.student_a)]
            (copies if result.lengths.get(origin, 0) >= SUBSTANTIAL else short).append(entry)
    top, closest = _extreme(independent, max)
    low, least = _extreme(copies, min)
    threshold = round((top + low) / 2, 3) if copies and low > top else DEFAULT_THRESHOLD
    origins = {sources_of[(result.notebook, result.part, name)] for _, name, _ in short}
    short_answers = ", ".join(
        f"{students[name].sources[result.notebook].get(result.part, name)} ({result.lengths[name]})"
        for name in sorted(origins)
    )
    return Separation(
        result.notebook, result.part, len(independent), top, closest, len(copies),
        low if copies else None, least, len(short), max([s for s, *_ in short] or [0.0]), short_answers,
        min([s for s, *_ in partly]) if partly else None, threshold,
    )  # fmt: skip


def measure(repo_root=REPO_ROOT) -> list[Separation]:
    """Score the synthetic class and measure the separation of every part."""
    class_ = synthetic_class(repo_root)
    students = {s.name: s for s in class_}
    release = {
        nb: read_notebook(repo_root / "release" / ASSIGNMENT / f"{nb}.ipynb") for nb in NOTEBOOKS
    }
    results = compare_notebooks(class_answers(class_), release, {"default": float("inf")})
    # Each copy's origin: the independent student who wrote what it copies.
    sources_of = {}
    for result in results:
        for student in result.lengths:
            origin = _origin(students, student, result.notebook, result.part)
            sources_of[(result.notebook, result.part, student)] = origin
    return [separation(result, students, sources_of) for result in results]


def _origin(students: dict, name: str, notebook: str, part: str) -> str:
    """The independent student whose answer ``name``'s answer to ``part`` (or notebook) is."""
    mine = students[name].sources[notebook]
    wanted = mine if part == WHOLE_NOTEBOOK else {part: mine.get(part)}
    for candidate, student in students.items():
        theirs = student.sources[notebook]
        if candidate.startswith("independent_") and all(
            theirs.get(p) == v for p, v in wanted.items()
        ):
            return candidate
    return name


def thresholds_of(separations: list[Separation]) -> dict:
    """The thresholds by notebook and part, as ``similarity_thresholds.json`` holds them."""
    table = {"default": DEFAULT_THRESHOLD}
    for item in separations:
        table.setdefault(item.notebook, {})[item.part] = item.threshold
    return table


def as_records(separations: list[Separation]) -> list[dict]:
    return [asdict(item) for item in separations]
