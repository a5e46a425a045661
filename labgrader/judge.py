"""Judge a part: from the record a test cell published (in the grader), or from values (on an
instructor's machine).

:func:`grade_payload` is what :class:`labgrader.verify.VerifyAnswers` calls
during ``nbgrader autograde``: the record is untrusted plain data, read again
with the students' own readers and judged by the shape check of
:mod:`helpers.parts` and the hidden property of :mod:`labgrader.parts`.
:func:`judge_in_kernel` is what a test cell's hidden region runs where the
grader is installed (``nbgrader validate`` of the source notebooks).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass

from helpers import answers as read
from helpers.answers import AnswerError
from helpers.checks import read_answer
from helpers.parts import PARTS, CheckFailed, Part
from labgrader.parts import HIDDEN
from labgrader.reference import LabReference, lab_reference


@dataclass(frozen=True)
class Verdict:
    """The grader's judgement of one part."""

    passed: bool
    message: str


def _judge(part: Part, answers: dict, reference: LabReference) -> str:
    part.shape(answers, reference.dataset)
    return HIDDEN[part.name](answers, reference)


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
            value = read.decode_value(kind, entry.get("data"))
            answers[name] = read_answer(kind, value, name, reference.dataset)
        return Verdict(True, _judge(part, answers, reference))
    except (AnswerError, CheckFailed) as failure:
        return Verdict(False, str(failure))


def judge_in_kernel(part_name: str, *values) -> None:
    """Judge the answers in this kernel, as the autograder would; raise with the reason if wrong."""
    part = PARTS[part_name]
    reference = lab_reference()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answers = {
            name: read_answer(kind, value, name, reference.dataset)
            for (name, kind), value in zip(part.answers, values, strict=True)
        }
        message = _judge(part, answers, reference)
    print(f"Passed the autograder's checks: {message}.")
