"""Run the lab's checks: in the student's kernel, and again in the grader from the record.

A test cell calls :func:`check_answer`, which reads the answers leniently
(:mod:`helpers.answers`), publishes them as plain data for the autograder, and
runs the part's checks (:mod:`helpers.parts`) in the kernel, so students and
``nbgrader validate`` see the result at once. During ``nbgrader autograde`` the
grader process reruns the same checks on the published record with
:func:`grade_payload` (see :mod:`helpers.grading.verify`): what the student's
kernel prints or patches cannot change a score.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from helpers import answers as read
from helpers.answers import ANSWER_MIME_TYPE, AnswerError
from helpers.parts import PARTS, CheckFailed, Part
from helpers.reference import LabReference, lab_reference

PAYLOAD_VERSION = 1


def _read(kind: str, value, name: str, reference: LabReference):
    if kind == "labels":
        return read.as_class_labels(value, reference.n_examples, reference.n_classes, name)
    if kind == "scores":
        return read.as_annotator_scores(value, reference.annotator_ids, name)
    if kind == "ids":
        return read.as_annotator_ids(value, reference.annotator_ids, name)
    return read.as_probabilities(value, reference.n_examples, reference.n_classes, name)


def _judge(part: Part, answers: dict, reference: LabReference, hidden: bool) -> str:
    message = part.visible(answers, reference)
    return part.hidden(answers, reference) if hidden else message


def _record(
    part: Part, values: tuple, reference: LabReference
) -> tuple[dict, dict, AnswerError | None]:
    """Read each answer; return the record to publish, the answers read, and the first error."""
    if len(values) != len(part.answers):
        raise TypeError(f"part {part.name!r} takes {len(part.answers)} answers, got {len(values)}")
    answers, record = {}, {"part": part.name, "version": PAYLOAD_VERSION, "answers": {}}
    first_error = None
    for (name, kind), value in zip(part.answers, values, strict=True):
        try:
            answers[name] = _read(kind, value, name, reference)
            record["answers"][name] = {"kind": kind, "data": read.encode_value(kind, answers[name])}
        except AnswerError as error:
            record["answers"][name] = {"kind": kind, "error": str(error)}
            first_error = first_error or error
    return record, answers, first_error


def answer_record(part_name: str, *values) -> dict:
    """The record a test cell publishes for these answers (plain, JSON-ready data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _record(PARTS[part_name], values, lab_reference())[0]


def check_answer(part_name: str, *values, hidden: bool = False) -> None:
    """Check a part's answers in the notebook; raise with an explanation if wrong.

    Without ``hidden`` it also publishes the answers (as plain data) for the
    autograder. Test cells call this; students do not need to. Warnings are
    silenced inside, so a student's ``warnings.simplefilter`` cannot break it.
    """
    part = PARTS[part_name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = lab_reference()
        record, answers, error = _record(part, values, reference)
        if not hidden:
            _publish(record, [name for name, _ in part.answers])
        if error is not None:
            raise error
        message = _judge(part, answers, reference, hidden)
    print(f"Passed: {message}.")


def _publish(payload: dict, names: list) -> None:
    from IPython.display import display

    text = f"(recorded {', '.join(names)} for grading)"
    display({ANSWER_MIME_TYPE: payload, "text/plain": text}, raw=True)


@dataclass(frozen=True)
class Verdict:
    """The grader's judgement of one part."""

    passed: bool
    message: str


def grade_payload(part_name: str, payload, reference: LabReference | None = None) -> Verdict:
    """Judge a part from the answers a test cell published (untrusted data)."""
    part = PARTS[part_name]
    reference = reference or lab_reference()
    if not isinstance(payload, Mapping) or payload.get("part") != part.name:
        return Verdict(False, f"the test cell did not record the answer for part {part.name!r}")
    recorded = payload.get("answers")
    answers = {}
    try:
        for name, kind in part.answers:
            entry = recorded.get(name) if isinstance(recorded, Mapping) else None
            if not isinstance(entry, Mapping) or entry.get("kind") != kind:
                return Verdict(False, f"{name} was not recorded")
            if "error" in entry:
                return Verdict(False, str(entry["error"])[:2000])
            answers[name] = _read(kind, read.decode_value(kind, entry.get("data")), name, reference)
        return Verdict(True, _judge(part, answers, reference, hidden=True))
    except (AnswerError, CheckFailed) as failure:
        return Verdict(False, str(failure))
