"""A synthetic class for the similarity report: independent answers, with copies planted among them.

The independent students answer each part with the cohort's legitimate methods
(:mod:`labgrader.sample.answer_cells`), a different method each: ``independent_<i>`` takes
method ``i`` of every part, or leaves the part unanswered when the part has fewer methods.
Among them are planted, for every independent student:

- ``copy_<i>_<kind>_<seed>``: all of student ``i``'s answers, disguised by one of
  :mod:`labgrader.sample.copies`' transformations, or all four at once;
- ``partial_<i>``: student ``i``'s longest answer, disguised by all four, and the other parts
  answered as student ``i + 1`` did.

:func:`pair_kind` says what a pair is: two copies of one answer (``copy``), answers of
different sources (``independent``), or for the whole notebook, one copied part among others
(``partly copied``, neither).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook
from labgrader.course.config import REPO_ROOT
from labgrader.reporting.similarity import WHOLE_NOTEBOOK, given_names
from labgrader.reporting.similarity_sources import code_parts, released_code
from labgrader.sample.answer_cells import exercise1 as one
from labgrader.sample.answer_cells import exercise2 as two
from labgrader.sample.answer_cells import tie_breaks as ties
from labgrader.sample.answer_cells.solutions import SOLUTION
from labgrader.sample.copies import ALL_FOUR, KINDS, make_copy
from labgrader.sample.submissions import fill_answers

EX1, EX2 = NOTEBOOKS

METHODS = {
    EX1: {
        "answer_majority_vote": {
            "instructor": SOLUTION[EX1]["answer_majority_vote"], "loops": one.MV_LOOPS,
            "numpy counts": one.MV_NUMPY, "pandas mode": one.MV_PANDAS_MODE,
            "cleanlab": one.MV_CLEANLAB,
        },
        "answer_annotator_quality": {
            "instructor": SOLUTION[EX1]["answer_annotator_quality"],
            "all rows": one.QUALITY_ALL_ROWS, "leave one out": one.QUALITY_LEAVE_ONE_OUT,
            "CROWDLAB's quality": one.QUALITY_CROWDLAB,
        },
        "answer_tie_breaker": {
            "instructor": SOLUTION[EX1]["answer_tie_breaker"], "own model": ties.TB_OWN_MODEL,
            "summed scores": ties.TB_SUMMED_SCORES, "least trusted supporter": ties.TB_MIN_SCORE,
            "cleanlab": ties.TB_CLEANLAB, "EM": ties.TB_EM,
            "CROWDLAB restricted": ties.TB_CROWDLAB_RESTRICTED,
        },
    },
    EX2: {
        # The original lab's model (PP_ANNOTATOR_SCORE_MODEL) is left out: it holds the
        # instructor's majority vote that "Exercise 1's model" holds too, so it is not a
        # source of its own.
        "answer_pred_probs_for_crowdlab": {
            "instructor": SOLUTION[EX2]["answer_pred_probs_for_crowdlab"],
            "own model": two.PP_OWN_MODEL, "Exercise 1's model": two.PP_EXERCISE1_MODEL,
        },
        "answer_crowdlab": {
            "instructor": SOLUTION[EX2]["answer_crowdlab"], "as a list": two.CROWDLAB_AS_LIST,
            "as floats": two.CROWDLAB_AS_FLOATS, "from a frame": two.CROWDLAB_FROM_FRAME,
        },
        "answer_worst_annotators_crowdlab": {
            "instructor": SOLUTION[EX2]["answer_worst_annotators_crowdlab"],
            "head of the frame": two.WORST_CROWDLAB_FRAME,
            "NumPy strings": two.WORST_CROWDLAB_NUMPY_STRINGS,
        },
    },
}  # fmt: skip
"""The cohort's legitimate methods, by notebook, part and name: the independent answers."""

SEEDS = (0, 1, 2)
COPY_KINDS = (*((kind,) for kind in KINDS), KINDS)
COPY, INDEPENDENT, PARTLY = "copy", "independent", "partly copied"


@dataclass(frozen=True)
class SyntheticStudent:
    """One student of the synthetic class: a notebook per name, and where each answer came from."""

    name: str
    notebooks: dict  # notebook -> nbformat notebook
    sources: dict  # notebook -> {part: method name, or None where unanswered}


def _kind_name(kinds: tuple) -> str:
    return ALL_FOUR if kinds == KINDS else kinds[0]


def synthetic_class(repo_root=REPO_ROOT) -> list[SyntheticStudent]:
    """The independent students first, then the planted copies."""
    release = {
        nb: read_notebook(repo_root / "release" / ASSIGNMENT / f"{nb}.ipynb") for nb in NOTEBOOKS
    }
    keep = {nb: given_names([released_code(release[nb])]) for nb in NOTEBOOKS}
    count = max(len(methods) for parts in METHODS.values() for methods in parts.values())

    def answers_of(index: int) -> dict:
        chosen = {}
        for notebook, parts in METHODS.items():
            chosen[notebook] = {}
            for part, methods in parts.items():
                names = list(methods)
                if index < len(names):
                    chosen[notebook][part] = (names[index], methods[names[index]])
        return chosen

    def student(name: str, chosen: dict) -> SyntheticStudent:
        notebooks = {nb: fill_answers(release[nb], {p: c for p, (_, c) in chosen[nb].items()})
                     for nb in NOTEBOOKS}  # fmt: skip
        sources = {
            nb: {p: chosen[nb].get(p, (None, ""))[0] for p in METHODS[nb]} for nb in NOTEBOOKS
        }
        return SyntheticStudent(name, notebooks, sources)

    def disguised(chosen: dict, rng: random.Random, kinds: tuple, parts=None) -> dict:
        return {
            nb: {
                p: (source, make_copy(code, rng, kinds, keep[nb]))
                for p, (source, code) in chosen[nb].items()
                if parts is None or p in parts[nb]
            }
            for nb in NOTEBOOKS
        }

    independents = [answers_of(i) for i in range(count)]
    students = [student(f"independent_{i}", chosen) for i, chosen in enumerate(independents)]
    for i, chosen in enumerate(independents):
        for seed in SEEDS:
            for kinds in COPY_KINDS:
                rng = random.Random(f"{i}-{_kind_name(kinds)}-{seed}")
                name = f"copy_{i}_{_kind_name(kinds).replace(' ', '_')}_{seed}"
                students.append(student(name, disguised(chosen, rng, kinds)))
        longest = {
            nb: {max(chosen[nb], key=lambda p: len(chosen[nb][p][1]))} if chosen[nb] else set()
            for nb in NOTEBOOKS
        }
        copied = disguised(chosen, random.Random(f"partial-{i}"), KINDS, longest)
        own = independents[(i + 1) % count]
        mixed = {nb: {**own[nb], **copied[nb]} for nb in NOTEBOOKS}
        students.append(student(f"partial_{i}", mixed))
    return students


def pair_kind(a: SyntheticStudent, b: SyntheticStudent, notebook: str, part: str) -> str | None:
    """``copy``, ``independent``, ``partly copied`` (whole notebook only), or ``None``
    (neither answered)."""
    if part == WHOLE_NOTEBOOK:
        answered = [{p for p, v in s.sources[notebook].items() if v} for s in (a, b)]
        kinds = {pair_kind(a, b, notebook, p) for p in METHODS[notebook]} - {None}
        if not kinds:
            return None
        same_parts = answered[0] == answered[1]
        return kinds.pop() if len(kinds) == 1 and same_parts else PARTLY
    source_a, source_b = a.sources[notebook][part], b.sources[notebook][part]
    if source_a is None or source_b is None:
        return None
    return COPY if source_a == source_b else INDEPENDENT


def class_answers(students: list[SyntheticStudent]) -> dict:
    """The class's code by notebook, part and student, as the report reads a course's."""
    by_notebook = {nb: {} for nb in NOTEBOOKS}
    for student in students:
        for notebook, nb in student.notebooks.items():
            for part, code in code_parts(nb).items():
                by_notebook[notebook].setdefault(part, {})[student.name] = code
    return by_notebook
