"""Say so when a failed answer does not fit the student's dataset at all.

When every student has a dataset of their own, an answer copied from another
student's notebook, or typed in from the lab's own dataset, fails its checks like
any wrong answer. :func:`another_dataset_hint` adds the reason a student needs to
hear: the answer was not computed on *their* data, whose fingerprint it names.
It is only asked about answers that already failed, on a dataset of one's own.
"""

from __future__ import annotations

from helpers.parts import CheckFailed
from labgrader.judging import rules
from labgrader.judging.properties import judge_answers
from labgrader.judging.reference import LabReference, lab_reference

LABEL_PARTS = ("majority_vote", "tie_breaker")
ANNOTATOR_PARTS = (
    "annotator_scores",
    "worst_annotators_majority_vote",
    "worst_annotators_crowdlab",
)
FIT_FLOOR = 0.25
"""Labels that are a most-voted class of their row less often than chance plus this share of
the way to always fit no other dataset's rows but someone else's."""


def _own(reference: LabReference) -> str:
    return (
        f"Your dataset is {reference.fingerprint}, made for you: every student has one of their "
        "own, so answers from another notebook do not fit it. Compute them in your notebook."
    )


def length_hint(error: str, reference: LabReference) -> str:
    """For an answer of the wrong length: a sentence if it comes from another dataset."""
    if not reference.is_own_dataset:
        return ""
    if "entries, but there are" not in error and "should have shape (" not in error:
        return ""
    return (
        f"This answer does not match your dataset, which has {reference.n_examples} examples: "
        f"it was computed on another one. {_own(reference)}"
    )


def _labels_fit(labels, reference: LabReference) -> bool:
    valid, chance = rules.chance_of_a_majority_vote(labels, reference)
    return valid >= chance + FIT_FLOOR * (1 - chance)


def _fits_the_labs_own_dataset(part_name: str, answers: dict) -> bool:
    try:
        judge_answers(part_name, answers, lab_reference())
    except CheckFailed:
        return False
    return True


def another_dataset_hint(part_name: str, answers: dict, reference: LabReference) -> tuple:
    """``(sentence, sure)`` for a failed answer on a student's own dataset: the sentence says
    the answer does not fit it (``""`` if nothing is to be said), ``sure`` whether the answer
    certainly comes from another dataset rather than being merely wrong."""
    if not reference.is_own_dataset:
        return "", False
    if part_name in LABEL_PARTS:
        (labels,) = answers.values()
        if not _labels_fit(labels, reference):
            return (
                "These labels are a most-voted class of their row hardly more often than labels "
                f"unrelated to your dataset would be: they do not match your data. {_own(reference)}"
            ), True
    elif part_name in ("pred_probs_for_crowdlab", "crowdlab_labels"):
        fit = rules.pred_probs_fit_the_data(answers["pred_probs_for_crowdlab"], reference)
        labels = answers.get("labels_from_crowdlab")
        if not fit.passed or (labels is not None and not _labels_fit(labels, reference)):
            return f"These answers do not match your data. {_own(reference)}", True
    elif part_name in ANNOTATOR_PARTS:
        if _fits_the_labs_own_dataset(part_name, answers):
            return (
                "This answer fits the lab's own dataset, the one without datasets of one's own, "
                f"not yours. {_own(reference)}"
            ), True
        return (
            "Each dataset has careless annotators of its own, so scores or ids taken from another "
            f"dataset do no better than chance on yours ({reference.fingerprint})."
        ), False
    return "", False
