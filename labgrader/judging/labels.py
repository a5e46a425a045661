"""The hidden properties of the majority-vote parts (1a, 1c): valid votes, informed tie-breaks.

1c's tie-breaks must follow the example (:mod:`labgrader.judging.tie_breaks`: no rule that
ignores it, such as "always the lowest class", may explain nearly all of them) and be accurate
enough (:func:`labgrader.judging.rules.tie_break`).

Each property takes the answers a test cell recorded, read again in the grader, and the
reference of the student's dataset; it returns a sentence saying what passed, or raises
:class:`~helpers.parts.CheckFailed` saying what is wrong and why.
"""

from __future__ import annotations

import numpy as np

from helpers.parts import CheckFailed
from labgrader.judging import rules
from labgrader.judging.reference import LabReference
from labgrader.judging.tie_breaks import closest_fixed_rule, how_the_ties_went


def _votes_text(reference: LabReference, row: int) -> str:
    counts = reference.vote_counts[row]
    return ", ".join(f"class {k}: {int(c)}" for k, c in enumerate(counts) if c)


def require_majority_votes(labels, reference: LabReference, name: str) -> None:
    labels = np.asarray(labels)
    valid = reference.most_voted[np.arange(len(labels)), labels]
    wrong = np.flatnonzero(~valid)
    if wrong.size:
        examples = "; ".join(
            f"row {row} has votes ({_votes_text(reference, row)}) and your label is {labels[row]}"
            for row in wrong[:3]
        )
        raise CheckFailed(
            f"{wrong.size} of the {len(labels)} labels in {name} are not a most-voted class of "
            f"their row, for example {examples}. A majority vote may only choose among the "
            "classes tied for the most votes."
        )


def majority_vote_property(answers: dict, reference: LabReference) -> str:
    require_majority_votes(
        answers["labels_from_majority_vote"], reference, "labels_from_majority_vote"
    )
    return "every label in labels_from_majority_vote is a most-voted class of its row"


def _require_informed_tie_breaks(labels, reference: LabReference, name: str) -> float:
    """Raise if a rule that ignores the example explains the tie-breaks; return how much the
    closest such rule does explain."""
    measured = rules.fixed_tie_break(labels, reference)
    if measured.passed:
        return measured.value
    closest = closest_fixed_rule(labels, reference)
    raise CheckFailed(
        f"{name} are valid majority votes, but {closest.agreeing} of the {closest.ties} ties "
        f"were settled by a rule that never looks at the example, {closest.rule.name}: "
        f"{how_the_ties_went(labels, closest, reference)}. 1c asks you to break each tie "
        "with information about that example: the model's pred_probs for it "
        "(pred_probs_from_model_fit_to_majority_vote), or how trustworthy the annotators who "
        "voted for each tied class are (your annotator_scores)."
    )


def tie_breaker_property(answers: dict, reference: LabReference) -> str:
    name = "labels_from_majority_vote_after_tie_breaker"
    labels = answers[name]
    require_majority_votes(labels, reference, name)
    explained = _require_informed_tie_breaks(labels, reference, name)
    measured = rules.tie_break(labels, reference)
    if not measured.passed:
        random_mean = reference.random_tie_break[0]
        raise CheckFailed(
            f"{name} are valid majority votes, but only {measured.value:.3f} of them match the "
            f"true labels: clearly fewer than breaking each tie at random would get "
            f"({random_mean:.3f} on average on this dataset), so the tie-breaks lean towards "
            f"wrong classes. A tie-break that uses more information than the votes themselves "
            f"(the model's pred_probs, or how trustworthy each annotator is) reaches at least "
            f"{measured.threshold:.3f} here; the model's reaches "
            f"{reference.model_tie_break_accuracy:.3f}."
        )
    return (
        f"{name} are valid majority votes whose tie-breaks follow the example (no rule that "
        f"ignores it explains more than {explained:.0%} of them) and reach accuracy "
        f"{measured.value:.3f} (at least {measured.threshold:.3f} needed on this dataset)"
    )
