"""Calibrate the grading rules on many datasets of one's own: does every right method pass?

For each of N students of a calibration course it builds that student's dataset, runs the
release notebooks' own cells as a grading kernel would (plots left out), with the answer cells
of the calibration's methods (:mod:`labgrader.sample.calibration_methods`, the instructor's
solutions where a method changes nothing), and judges every recorded answer exactly as the
autograder does (:func:`labgrader.judging.judge.grade_payload` on that student's reference).
A classmate's answers, handed in verbatim, are judged too.

``summarize`` makes the table: for each part and method, on how many datasets it failed
(every legitimate method must fail on none, each wrong one on at least 95%), and, for each
constant of :mod:`labgrader.judging.rules`, the worst any legitimate method came to it and the
best any wrong one did, in the rule's own units. ``benchmarks/calibrate_rules.py`` runs it and
writes ``labgrader/judging/calibration.json``, which a test holds against the constants.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import warnings

import cleanlab.multiannotator
import matplotlib.pyplot as plt
import numpy as np

import helpers.checks
import helpers.data
from helpers.checks import answer_record
from helpers.identity import GRADED_STUDENT_VARIABLE
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import REPO_ROOT
from labgrader.judging import rules
from labgrader.judging.judge import NotRecorded, grade_payload, read_payload
from labgrader.judging.reference import lab_reference
from labgrader.judging.variants import SETUP_CELL, stamp_setup_source
from labgrader.sample.calibration_methods import AIMED_AT, COPIED, LEGITIMATE, RUNS, WRONG

COURSE = "rules-calibration"
RELEASE = {
    nb: read_notebook(REPO_ROOT / "release" / ASSIGNMENT / f"{nb}.ipynb") for nb in NOTEBOOKS
}
SOLUTIONS = {
    nb: solution_answers(read_notebook(REPO_ROOT / "source" / ASSIGNMENT / f"{nb}.ipynb"))
    for nb in NOTEBOOKS
}
# constant -> (part, its rule in the rule's own units: share)
RULES = {
    "TIE_BREAK_MAX_LOSS": ("tie_breaker", lambda a, r: rules.tie_break(a[0], r)),
    "TIE_BREAK_FIXED_RULE_MAX_SHARE": ("tie_breaker", lambda a, r: rules.fixed_tie_break(a[0], r)),
    "SCORES_MIN_SHARE": (
        "annotator_scores",
        lambda a, r: rules.annotator_scores([a[0][i] for i in r.annotator_ids], r),
    ),
    "MAJORITY_VOTE_WORST_MIN_SHARE": (
        "worst_annotators_majority_vote",
        lambda a, r: rules.worst_by_majority_vote(a[0], r),
    ),
    "CROWDLAB_WORST_MIN_SHARE": (
        "worst_annotators_crowdlab",
        lambda a, r: rules.worst_by_crowdlab(a[0], r),
    ),
    "CROWDLAB_MODEL_MAX_LOSS": ("crowdlab_labels", lambda a, r: rules.crowdlab_model(a[1], r)),
    "PRED_PROBS_MIN_KAPPA": (
        "pred_probs_for_crowdlab",
        lambda a, r: rules.pred_probs_fit_the_data(a[0], r),
    ),
}
LOWER_IS_BETTER = {
    "TIE_BREAK_MAX_LOSS",
    "TIE_BREAK_FIXED_RULE_MAX_SHARE",
    "CROWDLAB_MODEL_MAX_LOSS",
}


def _draws(source: str) -> bool:
    return "helpers.plot_" in source or "plt." in source


_CROWDLAB = cleanlab.multiannotator.get_label_quality_multiannotator
_crowdlab_seen: dict = {}


def _crowdlab_once(labels, pred_probs, **options):
    """cleanlab's CROWDLAB, run once per input: many runs of a dataset call it on the same
    annotations and pred_probs, and it is deterministic (a copy of the result each time)."""
    key = (id(labels), hashlib.sha1(np.ascontiguousarray(pred_probs, dtype=float)).hexdigest(),
           repr(sorted(options.items())))  # fmt: skip
    if key not in _crowdlab_seen:
        _crowdlab_seen[key] = (labels, _CROWDLAB(labels, pred_probs, **options))
    return copy.deepcopy(_crowdlab_seen[key][1])


def run_notebook(notebook: str, answers: dict, prefix: dict) -> dict:
    """Each part's record when the notebook runs with these answer cells, from a namespace
    ``prefix`` in which its cells up to the first answer already ran (:func:`given_cells`)."""
    records = {}

    def record(part, *values, hidden=False):
        records[part] = json.loads(json.dumps(answer_record(part, *values)))

    namespace = dict(prefix["namespace"])
    real, helpers.checks.check_answer = helpers.checks.check_answer, record
    cleanlab.multiannotator.get_label_quality_multiannotator = _crowdlab_once
    try:
        with _kernel_state(prefix["loaded"], prefix["student"]):
            for cell in RELEASE[notebook].cells[prefix["first_answer"] :]:
                meta = cell.metadata.get("nbgrader", {})
                if cell.cell_type != "code" or _draws(cell.source):
                    continue
                source = cell.source
                if meta.get("solution"):
                    source = answers.get(meta["grade_id"], SOLUTIONS[notebook][meta["grade_id"]])
                exec(compile(source, f"<{notebook}>", "exec"), namespace)
    finally:
        helpers.checks.check_answer = real
        cleanlab.multiannotator.get_label_quality_multiannotator = _CROWDLAB
    return records


@contextlib.contextmanager
def _kernel_state(loaded=None, student: str | None = None):
    """For the cells run here: the dataset loaded and the student, as in that student's grading
    kernel; this process's own are put back afterwards."""
    saved = helpers.data._loaded, os.environ.get(GRADED_STUDENT_VARIABLE)
    if student is not None:
        os.environ[GRADED_STUDENT_VARIABLE] = student
    helpers.data._loaded = loaded
    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        helpers.data._loaded = saved[0]
        if saved[1] is None:
            os.environ.pop(GRADED_STUDENT_VARIABLE, None)
        else:
            os.environ[GRADED_STUDENT_VARIABLE] = saved[1]
        plt.close("all")


def given_cells(notebook: str, student: str, course: str | None) -> dict:
    """Run the notebook's cells before its first answer for ``student``, as a grading kernel
    (the release as it is, the lab's own dataset, when ``course`` is ``None``)."""
    namespace: dict = {"__name__": "__main__"}
    cells = RELEASE[notebook].cells
    first_answer = next(
        i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("solution")
    )
    with _kernel_state(student=student):
        for cell in cells[:first_answer]:
            if cell.cell_type != "code" or _draws(cell.source):
                continue
            source = cell.source
            if course and cell.metadata.get("nbgrader", {}).get("grade_id") == SETUP_CELL:
                source = stamp_setup_source(source, course)
            exec(compile(source, f"<{notebook}>", "exec"), namespace)
        loaded = helpers.data.loaded_dataset()
    return {
        "namespace": namespace,
        "first_answer": first_answer,
        "loaded": loaded,
        "student": student,
    }


def judge_dataset(task: tuple) -> list:
    """``(part, method, kind, passed, share)`` of every run on one dataset: ``(course, index)``,
    or ``(None, 0)`` for the lab's own dataset (where a classmate's answers are right)."""
    course, index = task
    _crowdlab_seen.clear()
    student, classmate = f"student-{index:04d}", f"student-{index:04d}-classmate"
    copied = {}
    for notebook in NOTEBOOKS if course else ():
        copied.update(run_notebook(notebook, {}, given_cells(notebook, classmate, course)))
    reference = lab_reference(course, student) if course else lab_reference()
    rows = []
    for notebook in NOTEBOOKS:
        prefix = given_cells(notebook, student, course)
        runs = [r for r in RUNS if r.notebook == notebook]
        if course:
            copy = dict.fromkeys(_parts_of(notebook), WRONG)
            runs.append(type(runs[0])(COPIED, notebook, {}, copy))
        for run in runs:
            try:
                records = (
                    copied if run.name == COPIED else run_notebook(notebook, run.answers, prefix)
                )
            except Exception as error:  # a method that crashes would be "detected": stop instead
                raise RuntimeError(f"{run.name!r} stopped with {error!r} on {student}") from error
            for part, kind in run.judged.items():
                verdict = grade_payload(part, records.get(part), reference)
                rows.append(
                    (
                        part,
                        run.name,
                        kind,
                        verdict.passed,
                        _shares(part, records.get(part), reference),
                    )
                )
    return rows


def _parts_of(notebook: str) -> list:
    return [c.metadata["nbgrader"]["grade_id"].removeprefix("test_") for c in RELEASE[notebook].cells
            if c.metadata.get("nbgrader", {}).get("grade") and c.cell_type == "code"]  # fmt: skip


def _shares(part: str, record, reference) -> dict:
    """``{constant: share}`` of every rule of ``part`` for the recorded answers (none if they
    cannot be read)."""
    constants = [constant for constant, (of, _) in RULES.items() if of == part]
    try:
        answers = list(read_payload(part, record, reference).values()) if constants else []
    except (NotRecorded, ValueError, KeyError):
        return {}
    return {constant: float(RULES[constant][1](answers, reference).share) for constant in constants}


def summarize(rows: list, datasets: int, course: str, lab_rows: list = ()) -> dict:
    on_the_labs_own = {(part, method): passed for part, method, _, passed, _ in lab_rows}
    table = {}
    for part, method, kind, passed, shares in rows:
        entry = table.setdefault((part, method), {"part": part, "method": method, "kind": kind,
                                                  "failed": 0, "datasets": 0, "shares": {}})  # fmt: skip
        entry["datasets"] += 1
        entry["failed"] += not passed
        for constant, share in shares.items():
            entry["shares"].setdefault(constant, []).append(share)
    margins = {}
    for constant, (part, _) in RULES.items():
        sign = -1 if constant in LOWER_IS_BETTER else 1
        legit = [
            s
            for e in table.values()
            if e["part"] == part and e["kind"] == LEGITIMATE
            for s in e["shares"].get(constant, [])
        ]
        wrong = [min(e["shares"][constant], key=lambda s: -sign * s) for e in table.values()
                 if e["part"] == part and e["method"] in AIMED_AT[constant]
                 and e["shares"].get(constant)]  # fmt: skip
        margins[constant] = {
            "value": rules.CONSTANTS[constant],
            "worst_legitimate": min(legit, key=lambda s: sign * s) if legit else None,
            "best_wrong": max(wrong, key=lambda s: sign * s) if wrong else None,
        }
    entries = [{k: v for k, v in e.items() if k != "shares"} for e in table.values()]
    for entry in entries:
        entry["passes_on_the_labs_own"] = on_the_labs_own.get((entry["part"], entry["method"]))
    return {"course": course, "datasets": datasets, "constants": dict(rules.CONSTANTS),
            "rows": entries, "margins": margins}  # fmt: skip


def print_table(result: dict) -> None:
    n = result["datasets"]
    print(f"Rules calibrated on {n} datasets of one's own (course {result['course']!r}).\n")
    print("| part | method | kind | failed on | result | on the lab's own dataset |")
    print("| --- | --- | --- | --- | --- | --- |")
    for row in result["rows"]:
        rate = row["failed"] / row["datasets"]
        if row["kind"] == LEGITIMATE:
            verdict = "ok" if row["failed"] == 0 else "FALSE FAILS"
        elif row["kind"] == WRONG:
            verdict = f"{rate:.1%} detected" + ("" if rate >= 0.95 else " (BELOW 95%)")
        else:
            verdict = f"passes on {1 - rate:.1%} (either is fine)"
        own = {True: "passes", False: "fails", None: "-"}[row["passes_on_the_labs_own"]]
        print(
            f"| `{row['part']}` | {row['method']} | {row['kind']} | "
            f"{row['failed']} of {row['datasets']} | {verdict} | {own} |"
        )
    print("\nEach constant in the rule's own units: the worst any legitimate method reached on any")
    print("dataset, and the best a wrong method it is there to catch reached.\n")
    print("| constant | value | worst legitimate | best wrong |")
    print("| --- | --- | --- | --- |")
    for constant, margin in result["margins"].items():
        cells = [
            f"{margin[k]:.3f}" if margin[k] is not None else "-"
            for k in ("worst_legitimate", "best_wrong")
        ]
        print(f"| `{constant}` | {margin['value']} | {cells[0]} | {cells[1]} |")
