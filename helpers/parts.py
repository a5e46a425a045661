"""The lab's graded parts: what each reads, and the property every correct answer has.

Each :class:`Part` names the answers its test cell reads and two checks:
``visible`` (has the answer the right shape) and ``hidden`` (does it have the
property every correct method has, measured on the lab's data). Checks compare
with :func:`helpers.reference.lab_reference`, never with the notebook's
variables. :mod:`helpers.checks` runs them, in the kernel and in the grader.
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from helpers.reference import LabReference

TIE_BREAK_MIN_ACCURACY = 0.86
ANNOTATOR_SCORE_MIN_AUC = 0.8
MAJORITY_VOTE_MIN_BAD_FOUND = 5
CROWDLAB_MIN_ACCURACY = 0.93
CROWDLAB_MIN_BAD_FOUND = 6
ORACLE_ACCURACY = 0.99


class CheckFailed(AssertionError):
    """An answer that can be read but does not have the required property."""


@dataclass(frozen=True)
class Part:
    """One graded part: the answers its test cell reads and how they are judged.

    Attributes
    ----------
    name : str
        The part's id; its test cell's ``grade_id`` is ``"test_" + name``.
    title : str
        What the part asks, for feedback.
    answers : tuple of (str, str)
        ``(variable name, kind)`` pairs; kinds are those of :mod:`helpers.answers`.
    visible, hidden : callable
        ``check(answers, reference) -> str``: a sentence saying what passed, or
        raise :class:`CheckFailed`.
    """

    name: str
    title: str
    answers: tuple
    visible: Callable[[dict, LabReference], str]
    hidden: Callable[[dict, LabReference], str]

    @property
    def grade_id(self) -> str:
        return f"test_{self.name}"


def _votes_text(reference: LabReference, row: int) -> str:
    counts = reference.vote_counts[row]
    return ", ".join(f"class {k}: {int(c)}" for k, c in enumerate(counts) if c)


def _require_majority_votes(labels, reference: LabReference, name: str) -> None:
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


def _accuracy(labels, reference: LabReference) -> float:
    return float(np.mean(np.asarray(labels) == reference.true_labels))


def _bad_found(ids, reference: LabReference) -> int:
    return len(set(ids) & reference.bad_annotators)


def _require_practical_pred_probs(pred_probs, reference: LabReference, name: str) -> None:
    if np.all(pred_probs.max(axis=1) == 1.0):
        raise CheckFailed(
            f"every row of {name} is certain (a single 1): these are labels, or predictions of a "
            "model on the very examples it was trained on. CROWDLAB needs out-of-sample predicted "
            "probabilities, like those train_model returns."
        )
    if np.allclose(pred_probs, reference.pred_probs_from_true_labels, rtol=0, atol=1e-9):
        raise CheckFailed(
            f"{name} are the predictions of the model fit to the true labels, which a curator "
            "never has. Use pred_probs from a model fit to labels derived from the annotations."
        )
    agreement = _accuracy(pred_probs.argmax(axis=1), reference)
    if agreement >= ORACLE_ACCURACY:
        raise CheckFailed(
            f"the most likely classes in {name} match the true labels on {agreement:.3f} of rows, "
            "more than any model fit to these annotations reaches: they must have been built "
            "from the true labels. Use pred_probs from a model fit to annotation-derived labels."
        )


def crowdlab_consensus(reference: LabReference, pred_probs: np.ndarray) -> np.ndarray:
    """CROWDLAB's consensus labels for the lab's annotations and ``pred_probs``."""
    from cleanlab.multiannotator import get_label_quality_multiannotator

    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        results = get_label_quality_multiannotator(
            reference.multiannotator_labels, pred_probs, verbose=False
        )
    return results["label_quality"]["consensus_label"].to_numpy()


# --- the parts --------------------------------------------------------------


def _labels_shape(name: str) -> Callable:
    def visible(answers: dict, reference: LabReference) -> str:
        return f"{name} has one class (0 to {reference.n_classes - 1}) for each of the {reference.n_examples} rows"

    return visible


def _hidden_majority_vote(answers: dict, reference: LabReference) -> str:
    _require_majority_votes(
        answers["labels_from_majority_vote"], reference, "labels_from_majority_vote"
    )
    return "every label in labels_from_majority_vote is a most-voted class of its row"


def _hidden_tie_breaker(answers: dict, reference: LabReference) -> str:
    name = "labels_from_majority_vote_after_tie_breaker"
    labels = answers[name]
    _require_majority_votes(labels, reference, name)
    accuracy = _accuracy(labels, reference)
    if accuracy < TIE_BREAK_MIN_ACCURACY:
        raise CheckFailed(
            f"{name} are valid majority votes, but only {accuracy:.3f} of them match the true "
            f"labels; a tie-break that uses more information than the votes themselves (the "
            f"model's pred_probs, or how trustworthy each annotator is) reaches at least "
            f"{TIE_BREAK_MIN_ACCURACY}."
        )
    return f"{name} are valid majority votes whose tie-breaks reach accuracy {accuracy:.3f}"


def _visible_scores(answers: dict, reference: LabReference) -> str:
    return f"annotator_scores gives each of the {len(reference.annotator_ids)} annotators a score in [0, 1]"


def _hidden_scores(answers: dict, reference: LabReference) -> str:
    scores = answers["annotator_scores"]
    values = np.array([scores[a] for a in reference.annotator_ids])
    for truth in reference.accuracy_against_truth:
        if np.allclose(values, truth.to_numpy(), rtol=0, atol=1e-9):
            raise CheckFailed(
                "annotator_scores are each annotator's accuracy against the true labels, which a "
                "curator never has. Estimate quality from agreement with the consensus labels."
            )
    bad = np.array([a in reference.bad_annotators for a in reference.annotator_ids])
    below = values[bad][:, None] < values[~bad][None, :]
    ties = values[bad][:, None] == values[~bad][None, :]
    auc = float(np.mean(below + 0.5 * ties))
    if auc < ANNOTATOR_SCORE_MIN_AUC:
        raise CheckFailed(
            f"annotator_scores barely separates careful annotators from careless ones (ranking "
            f"quality {auc:.2f}; scores based on agreement with the consensus reach 0.9 or more). "
            "An annotator whose labels agree less often with the consensus should score lower."
        )
    return (
        f"annotator_scores ranks careless annotators below careful ones (ranking quality {auc:.2f})"
    )


def _worst(name: str, minimum: int, method: str) -> tuple[Callable, Callable]:
    def visible(answers: dict, reference: LabReference) -> str:
        ids = answers[name]
        if len(ids) != 10 or len(set(ids)) != 10:
            raise CheckFailed(
                f"{name} should hold 10 distinct annotator ids, got {len(ids)} ({len(set(ids))} distinct)"
            )
        return f"{name} holds 10 distinct annotator ids"

    def hidden(answers: dict, reference: LabReference) -> str:
        found = _bad_found(answers[name], reference)
        if found < minimum:
            raise CheckFailed(
                f"only {found} of the 10 annotators in {name} are among those designed to be "
                f"careless; ranking annotators by {method} finds at least {minimum}."
            )
        return f"{found} of the 10 annotators in {name} are among those designed to be careless"

    return visible, hidden


def _visible_pred_probs(answers: dict, reference: LabReference) -> str:
    return f"pred_probs_for_crowdlab has a probability for each of the {reference.n_classes} classes in each of the {reference.n_examples} rows"


def _hidden_pred_probs(answers: dict, reference: LabReference) -> str:
    _require_practical_pred_probs(
        answers["pred_probs_for_crowdlab"], reference, "pred_probs_for_crowdlab"
    )
    return "pred_probs_for_crowdlab are out-of-sample predictions of a model you could train in practice"


def _hidden_crowdlab(answers: dict, reference: LabReference) -> str:
    labels = np.asarray(answers["labels_from_crowdlab"])
    pred_probs = answers["pred_probs_for_crowdlab"]
    consensus = crowdlab_consensus(reference, pred_probs)
    differ = np.flatnonzero(labels != consensus)
    if differ.size:
        raise CheckFailed(
            f"labels_from_crowdlab differs in {differ.size} rows (for example rows "
            f"{', '.join(map(str, differ[:3]))}) from the consensus CROWDLAB returns for the "
            "stored pred_probs_for_crowdlab. Store exactly the pred_probs you passed to "
            "get_label_quality_multiannotator, and use its default settings."
        )
    accuracy = _accuracy(labels, reference)
    if accuracy < CROWDLAB_MIN_ACCURACY:
        raise CheckFailed(
            f"labels_from_crowdlab is CROWDLAB's consensus for your pred_probs, but only "
            f"{accuracy:.3f} of it matches the true labels: these pred_probs come from a weak "
            f"model. pred_probs from a model fit to majority-vote labels reach at least "
            f"{CROWDLAB_MIN_ACCURACY}."
        )
    return f"labels_from_crowdlab is CROWDLAB's consensus for your pred_probs (accuracy {accuracy:.3f})"


_worst_mv = _worst(
    "worst_annotators_from_majority_vote",
    MAJORITY_VOTE_MIN_BAD_FOUND,
    "agreement with the majority vote",
)
_worst_cl = _worst(
    "worst_annotators_from_crowdlab", CROWDLAB_MIN_BAD_FOUND, "CROWDLAB's annotator quality"
)

PARTS: dict[str, Part] = {
    part.name: part
    for part in (
        Part(
            "majority_vote",
            "Majority-vote consensus labels",
            (("labels_from_majority_vote", "labels"),),
            _labels_shape("labels_from_majority_vote"),
            _hidden_majority_vote,
        ),
        Part(
            "annotator_scores",
            "Annotator quality from the majority vote",
            (("annotator_scores", "scores"),),
            _visible_scores,
            _hidden_scores,
        ),
        Part(
            "worst_annotators_majority_vote",
            "The 10 worst annotators by majority vote",
            (("worst_annotators_from_majority_vote", "ids"),),
            *_worst_mv,
        ),
        Part(
            "tie_breaker",
            "Majority vote with a better tie-break",
            (("labels_from_majority_vote_after_tie_breaker", "labels"),),
            _labels_shape("labels_from_majority_vote_after_tie_breaker"),
            _hidden_tie_breaker,
        ),
        Part(
            "pred_probs_for_crowdlab",
            "pred_probs for CROWDLAB",
            (("pred_probs_for_crowdlab", "probabilities"),),
            _visible_pred_probs,
            _hidden_pred_probs,
        ),
        Part(
            "crowdlab_labels",
            "CROWDLAB consensus labels",
            (("labels_from_crowdlab", "labels"), ("pred_probs_for_crowdlab", "probabilities")),
            _labels_shape("labels_from_crowdlab"),
            _hidden_crowdlab,
        ),
        Part(
            "worst_annotators_crowdlab",
            "The 10 worst annotators by CROWDLAB",
            (("worst_annotators_from_crowdlab", "ids"),),
            *_worst_cl,
        ),
    )
}
