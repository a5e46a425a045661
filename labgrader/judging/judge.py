"""Judge a part: from the record a test cell published (in the grader), or from values (on an
instructor's machine).

:func:`grade_payload` is what :class:`labgrader.autograde.verify.VerifyAnswers` calls
during ``nbgrader autograde``: the record is untrusted plain data, read again
with the students' own readers and judged by the shape check of
:mod:`helpers.parts` and the hidden property of :mod:`labgrader.judging.properties`.
:func:`judge_in_kernel` is what a test cell's hidden region runs where the
grader is installed (``nbgrader validate`` of the source notebooks): ``helpers`` finds it
by the name of its entry point, :data:`helpers.checks.JUDGE_ENTRY_POINT`, never by import.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from helpers import answers as read
from helpers.answers import AnswerError
from helpers.checks import read_answer
from helpers.data import loaded_dataset
from helpers.parts import PARTS, CheckFailed
from labgrader.judging.mismatch import another_dataset_hint, length_hint
from labgrader.judging.properties import judge_answers
from labgrader.judging.reference import LabReference, lab_reference


@dataclass(frozen=True)
class Verdict:
    """The grader's judgement of one part.

    ``another_dataset`` marks a failed answer that comes from another dataset than the
    student's own (a copy, or values typed in): the grade report notes it.
    """

    passed: bool
    message: str
    another_dataset: bool = False


def _joined(message: str, hint: str) -> str:
    if not hint:
        return message
    return f"{message.rstrip()}{'' if message.rstrip().endswith('.') else '.'} {hint}"


class NotRecorded(Exception):
    """A record that holds no readable answer (the message says why)."""


def read_payload(part_name: str, payload, reference: LabReference) -> dict:
    """The answers a test cell recorded, read again with the students' readers.

    Raises
    ------
    NotRecorded
        If the record is not the part's, or lacks an answer.
    AnswerError
        If an answer cannot be read for this dataset (the kernel's reading error included).
    """
    part = PARTS[part_name]
    if not isinstance(payload, Mapping) or payload.get("part") != part.name:
        raise NotRecorded(f"the test cell did not record the answer for part {part.name!r}")
    recorded = payload.get("answers")
    answers = {}
    for name, kind in part.answers:
        entry = recorded.get(name) if isinstance(recorded, Mapping) else None
        if not isinstance(entry, Mapping) or entry.get("kind") != kind:
            raise NotRecorded(f"{name} was not recorded")
        if "error" in entry:
            raise AnswerError(str(entry["error"])[:2000])
        value = read.decode_value(kind, entry.get("data"))
        answers[name] = read_answer(kind, value, name, reference.dataset)
    return answers


def grade_payload(part_name: str, payload, reference: LabReference | None = None) -> Verdict:
    """Judge a part from the answers a test cell published (untrusted data).

    ``reference`` is the student's dataset (by default the lab's own). On a dataset of one's
    own, a failure that does not fit the data at all says so (:mod:`labgrader.judging.mismatch`).
    """
    reference = reference or lab_reference()
    try:
        answers = read_payload(part_name, payload, reference)
    except NotRecorded as missing:
        return Verdict(False, str(missing))
    except AnswerError as failure:
        hint = length_hint(str(failure), reference)
        return Verdict(False, _joined(str(failure), hint), another_dataset=bool(hint))
    try:
        return Verdict(True, judge_answers(part_name, answers, reference))
    except CheckFailed as failure:
        hint, sure = another_dataset_hint(part_name, answers, reference)
        return Verdict(False, _joined(str(failure), hint), another_dataset=sure)


def judge_in_kernel(part_name: str, *values) -> None:
    """Judge the answers in this kernel, as the autograder would; raise with the reason if wrong.

    They are judged on the dataset this kernel last loaded (:func:`helpers.data.loaded_dataset`).
    """
    part = PARTS[part_name]
    course, made_for = loaded_dataset() or (None, None)
    reference = lab_reference() if course is None else lab_reference(course, made_for.name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answers = {
            name: read_answer(kind, value, name, reference.dataset)
            for (name, kind), value in zip(part.answers, values, strict=True)
        }
        message = judge_answers(part_name, answers, reference)
    print(f"Passed the autograder's checks: {message}.")
