"""The hidden properties of Exercise 2 (2a, 2b): practical pred_probs, and CROWDLAB's consensus.

2a's pred_probs must come from a model a curator could train on this dataset; 2b's labels must
be CROWDLAB's consensus for them (recomputed here, cached by content) from a model accurate
enough on this dataset (:mod:`labgrader.judging.rules`).
"""

from __future__ import annotations

import hashlib

import numpy as np

from helpers.parts import CheckFailed
from labgrader.judging import rules
from labgrader.judging.reference import LabReference, crowdlab_results
from labgrader.judging.rules import ORACLE_ACCURACY


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

    Cached by content (annotations and pred_probs): most students hand in one of the few
    pred_probs the notebooks give, and CROWDLAB takes 0.1 s to find the same labels again.
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


def pred_probs_property(answers: dict, reference: LabReference) -> str:
    _require_practical_pred_probs(
        answers["pred_probs_for_crowdlab"], reference, "pred_probs_for_crowdlab"
    )
    return "pred_probs_for_crowdlab are out-of-sample predictions of a model you could train in practice"


def crowdlab_labels_property(answers: dict, reference: LabReference) -> str:
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
