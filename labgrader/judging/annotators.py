"""The hidden properties of the annotator parts (1b and the two lists of ten worst, 1b and 2c).

Scores must rank annotators by their real accuracy, and the ten named must be clearly worse
annotators than the average, each by a rule set on the student's own dataset
(:mod:`labgrader.judging.rules`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from helpers.parts import CheckFailed
from labgrader.judging import rules
from labgrader.judging.reference import LabReference


def _bad_found(ids, reference: LabReference) -> int:
    return len(set(ids) & reference.bad_annotators)


def annotator_scores_property(answers: dict, reference: LabReference) -> str:
    scores = answers["annotator_scores"]
    values = np.array([scores[a] for a in reference.annotator_ids])
    for truth in reference.accuracy_against_truth:
        if np.allclose(values, truth.to_numpy(), rtol=0, atol=1e-9):
            raise CheckFailed(
                "annotator_scores are each annotator's accuracy against the true labels, which a "
                "curator never has. Estimate quality from agreement with the consensus labels."
            )
    measured = rules.annotator_scores(values, reference)
    if not measured.passed:
        raise CheckFailed(
            f"annotator_scores barely separates careful annotators from careless ones (ranking "
            f"quality {measured.value:.2f}: how well your scores order the annotators by their "
            f"real accuracy, 1 being perfect and 0 no better than chance; scores based on "
            f"agreement with the consensus reach {measured.threshold / rules.SCORES_MIN_SHARE:.2f} "
            f"on this dataset, and {measured.threshold:.2f} is needed). An annotator whose labels "
            "agree less often with the consensus should score lower."
        )
    return (
        f"annotator_scores ranks careless annotators below careful ones (ranking quality "
        f"{measured.value:.2f}, at least {measured.threshold:.2f} needed on this dataset)"
    )


def worst_annotators_property(name: str, rule: Callable, method: str) -> Callable:
    def hidden(answers: dict, reference: LabReference) -> str:
        ids = answers[name]
        found = _bad_found(ids, reference)
        measured = rule(ids, reference)
        average = float(reference.accuracy_against_truth[0].mean())
        if not measured.passed:
            raise CheckFailed(
                f"only {found} of the 10 annotators in {name} are among those designed to be "
                f"careless: on average their labels match the true labels {measured.value:.3f} "
                f"of the time, not clearly less often than the average annotator's "
                f"({average:.3f}). On this dataset the ten named must match at most "
                f"{measured.threshold:.3f}, as the ten worst by {method} do."
            )
        return (
            f"{found} of the 10 annotators in {name} are among those designed to be careless "
            f"(their labels match the true labels {measured.value:.3f} of the time on average, "
            f"at most {measured.threshold:.3f} needed on this dataset)"
        )

    return hidden
