"""The hidden properties of the lab's graded parts.

For each part of :data:`helpers.parts.PARTS` (what a test cell reads, and its
shape check), :data:`HIDDEN` holds the property every correct method has:
``check(answers, reference) -> str`` returns a sentence saying what passed, or
raises :class:`CheckFailed` saying what is wrong and why. Checks compare with the
grader's own reference for the student's dataset (:mod:`labgrader.reference`),
never with the notebook's variables; where a bar is needed, it is set on that
dataset by :mod:`labgrader.rules`. :mod:`labgrader.judge` runs them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

from helpers.parts import PARTS, CheckFailed
from labgrader import rules
from labgrader.reference import LabReference, crowdlab_results
from labgrader.rules import ORACLE_ACCURACY


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
    agreement = reference.accuracy(pred_probs.argmax(axis=1))
    if agreement >= ORACLE_ACCURACY:
        raise CheckFailed(
            f"the most likely classes in {name} match the true labels on {agreement:.3f} of rows, "
            "more than any model fit to these annotations reaches: they must have been built "
            "from the true labels. Use pred_probs from a model fit to annotation-derived labels."
        )
    fit = rules.pred_probs_fit_the_data(pred_probs, reference)
    if not fit.passed:
        raise CheckFailed(
            f"the most likely classes in {name} agree with this dataset's majority vote hardly "
            f"more than chance would (Cohen's kappa {fit.value:.2f}; a model fit to these "
            f"annotations reaches well above {rules.PRED_PROBS_MIN_KAPPA}): they were not "
            "computed from this dataset's features and annotations. Use pred_probs from "
            "train_model(...) or the arrays the notebook gives."
        )


CONSENSUS_CACHE_SIZE = 64
_consensus_cache: dict[str, np.ndarray] = {}


def _content_key(*arrays) -> str:
    digest = hashlib.sha256()
    for array in arrays:
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def crowdlab_consensus(reference: LabReference, pred_probs: np.ndarray) -> np.ndarray:
    """CROWDLAB's consensus labels for the reference's annotations and ``pred_probs``.

    Cached by content (the annotations are each student's own): most students hand in one of
    the few pred_probs the notebooks give, and CROWDLAB takes 0.1 s to find the same labels
    again.
    """
    pred_probs = np.asarray(pred_probs)
    labels = reference.multiannotator_labels
    key = _content_key(labels.to_numpy(dtype=float, na_value=np.nan), pred_probs)
    if key not in _consensus_cache:
        results = crowdlab_results(reference, pred_probs, annotator_stats=False)
        if len(_consensus_cache) >= CONSENSUS_CACHE_SIZE:
            del _consensus_cache[next(iter(_consensus_cache))]  # the oldest
        _consensus_cache[key] = results["label_quality"]["consensus_label"].to_numpy()
    return _consensus_cache[key].copy()


# --- the hidden checks, by part ------------------------------------------------------


def _hidden_majority_vote(answers: dict, reference: LabReference) -> str:
    _require_majority_votes(
        answers["labels_from_majority_vote"], reference, "labels_from_majority_vote"
    )
    return "every label in labels_from_majority_vote is a most-voted class of its row"


def _hidden_tie_breaker(answers: dict, reference: LabReference) -> str:
    name = "labels_from_majority_vote_after_tie_breaker"
    labels = answers[name]
    _require_majority_votes(labels, reference, name)
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


def _hidden_scores(answers: dict, reference: LabReference) -> str:
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


def _worst(name: str, rule: Callable, method: str) -> Callable:
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
    accuracy = reference.accuracy(labels)
    if np.all(pred_probs.max(axis=1) == 1.0):
        raise CheckFailed(
            f"labels_from_crowdlab is CROWDLAB's consensus for your pred_probs, but those are "
            f"certain in every row, so the consensus is just the model's own labels (accuracy "
            f"{accuracy:.3f}): CROWDLAB weighs annotators against the model only when the model's "
            "pred_probs are out-of-sample (2a)."
        )
    model = rules.crowdlab_model(pred_probs, reference)
    if not model.passed:
        raise CheckFailed(
            f"labels_from_crowdlab is CROWDLAB's consensus for your pred_probs, but only "
            f"{accuracy:.3f} of it matches the true labels: these pred_probs come from a weak "
            f"model (its most likely class is right on {model.value:.3f} of rows). pred_probs "
            f"from a model fit to majority-vote labels reach at least {model.threshold:.3f} on "
            f"this dataset (the model the notebook gives: {reference.given_model_accuracy:.3f}; "
            f"the one fit to one random annotation per example: "
            f"{reference.one_random_annotation_model_accuracy:.3f})."
        )
    return (
        f"labels_from_crowdlab is CROWDLAB's consensus for your pred_probs (accuracy "
        f"{accuracy:.3f}), from a model accurate enough ({model.value:.3f})"
    )


HIDDEN: dict[str, Callable[[dict, LabReference], str]] = {
    "majority_vote": _hidden_majority_vote,
    "annotator_scores": _hidden_scores,
    "worst_annotators_majority_vote": _worst(
        "worst_annotators_from_majority_vote",
        rules.worst_by_majority_vote,
        "agreement with the majority vote",
    ),
    "tie_breaker": _hidden_tie_breaker,
    "pred_probs_for_crowdlab": _hidden_pred_probs,
    "crowdlab_labels": _hidden_crowdlab,
    "worst_annotators_crowdlab": _worst(
        "worst_annotators_from_crowdlab", rules.worst_by_crowdlab, "CROWDLAB's annotator quality"
    ),
}
if set(HIDDEN) != set(PARTS):  # every part a student sees is judged, and nothing else
    raise ImportError(f"hidden checks {sorted(HIDDEN)} do not match the parts {sorted(PARTS)}")
