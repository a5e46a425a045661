"""The hidden properties of the majority-vote parts (1a, 1c): valid votes, informed tie-breaks.

Each property takes the answers a test cell recorded, read again in the grader, and the
reference of the student's dataset; it returns a sentence saying what passed, or raises
:class:`~helpers.parts.CheckFailed` saying what is wrong and why.
"""

from __future__ import annotations

import numpy as np

from helpers.parts import CheckFailed
from labgrader.judging import rules
from labgrader.judging.reference import LabReference


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


def tie_breaker_property(answers: dict, reference: LabReference) -> str:
    name = "labels_from_majority_vote_after_tie_breaker"
    labels = answers[name]
    require_majority_votes(labels, reference, name)
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
        f"{name} are valid majority votes whose tie-breaks reach accuracy {measured.value:.3f} "
        f"(at least {measured.threshold:.3f} needed on this dataset)"
    )
