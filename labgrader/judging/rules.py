"""The rules the hidden checks apply, each set on the student's own dataset.

A fixed bar measured on one dataset (say, tie-break accuracy at least 0.86) is too hard on some
datasets and too easy on others. So each rule compares an answer with what fixed methods reach
on *the same dataset* (:class:`labgrader.judging.reference.LabReference`), and only the constants below
are shared by every dataset. They were calibrated on hundreds of datasets by
``python -m benchmarks.calibrate_rules``, which checks that every legitimate method of the cohort
passes on every one and each wrong method fails on nearly all; its result,
``labgrader/judging/calibration.json``, is kept beside this file and a test checks the two agree.

Each rule returns a :class:`Measured`: what the answer reaches, what it must reach on this
dataset, and the same in the rule's own units (``share``), which the constant bounds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import spearmanr

from labgrader.judging.reference import LabReference
from labgrader.judging.tie_breaks import closest_fixed_rule

TIE_BREAK_MAX_LOSS = 0.6
"""Tie-breaks may fall below a random choice among the tied classes by at most this share of
what the model tie-break gains over it."""

TIE_BREAK_FIXED_RULE_MAX_SHARE = 0.95
"""Tie-breaks fail when they agree with one rule that ignores the example (a fixed order of the
classes, or the order of the annotator columns: :mod:`labgrader.judging.tie_breaks`) on at least
this share of the tied rows."""

SCORES_MIN_SHARE = 0.62
"""Scores must rank annotators, by their real accuracy, at least this share as well as the
lab's agreement with the majority vote does (rank correlations)."""

MAJORITY_VOTE_WORST_MIN_SHARE = 0.5
"""The ten named must be below the average annotator's accuracy by at least this share of the
margin by which the lab's ten worst (agreement with the majority vote) are."""

CROWDLAB_WORST_MIN_SHARE = 0.65
"""The same for CROWDLAB's ten worst, against CROWDLAB's own with the given model."""

CROWDLAB_MODEL_MAX_LOSS = 0.8
"""The pred_probs given to CROWDLAB may be less accurate (held-out accuracy of their most likely
class) than Exercise 2's given majority-vote model by at most this share of what that model gains
over the notebooks' model fit to one random annotation per example."""

PRED_PROBS_MIN_KAPPA = 0.22
"""The most likely classes of pred_probs must agree with the dataset's majority vote at least
this much beyond chance (Cohen's kappa): below it, they were not computed from this data."""

ORACLE_ACCURACY = 0.99
"""pred_probs whose most likely classes match the truth this often were built from it."""

CONSTANTS = {
    "TIE_BREAK_MAX_LOSS": TIE_BREAK_MAX_LOSS,
    "TIE_BREAK_FIXED_RULE_MAX_SHARE": TIE_BREAK_FIXED_RULE_MAX_SHARE,
    "SCORES_MIN_SHARE": SCORES_MIN_SHARE,
    "MAJORITY_VOTE_WORST_MIN_SHARE": MAJORITY_VOTE_WORST_MIN_SHARE,
    "CROWDLAB_WORST_MIN_SHARE": CROWDLAB_WORST_MIN_SHARE,
    "CROWDLAB_MODEL_MAX_LOSS": CROWDLAB_MODEL_MAX_LOSS,
    "PRED_PROBS_MIN_KAPPA": PRED_PROBS_MIN_KAPPA,
}
"""Every calibrated constant by name: what ``labgrader/judging/calibration.json`` records."""


@dataclass(frozen=True)
class Measured:
    """An answer measured by one rule on one dataset.

    Attributes
    ----------
    value : float
        What the answer reaches (an accuracy, a correlation, a mean accuracy).
    threshold : float
        What it must reach on this dataset.
    share : float
        The answer in the rule's own units, which the rule's constant bounds.
    passed : bool
    """

    value: float
    threshold: float
    share: float
    passed: bool


def tie_break(labels, reference: LabReference) -> Measured:
    """Accuracy of valid majority votes against random and model tie-breaks on this dataset."""
    accuracy = reference.accuracy(labels)
    random_mean, random_sd = reference.random_tie_break
    gain = max(reference.model_tie_break_accuracy - random_mean, random_sd)
    loss = (random_mean - accuracy) / gain
    threshold = random_mean - TIE_BREAK_MAX_LOSS * gain
    return Measured(accuracy, threshold, loss, loss <= TIE_BREAK_MAX_LOSS)


def fixed_tie_break(labels, reference: LabReference) -> Measured:
    """How much of the tie-breaks the closest rule that ignores the example explains."""
    closest = closest_fixed_rule(labels, reference)
    share = 0.0 if closest is None else closest.agreement
    limit = TIE_BREAK_FIXED_RULE_MAX_SHARE
    return Measured(share, limit, share, share < limit)


def rank_correlation(scores, accuracies) -> float:
    """Spearman correlation, ``0.0`` where it is undefined (constant scores)."""
    value = spearmanr(np.asarray(scores, dtype=float), np.asarray(accuracies, dtype=float),
                      nan_policy="omit").statistic  # fmt: skip
    return 0.0 if not np.isfinite(value) else float(value)


def annotator_scores(values: np.ndarray, reference: LabReference) -> Measured:
    """How well scores (in ``reference.annotator_ids`` order) rank annotators by real accuracy."""
    truth = reference.accuracy_against_truth[0].to_numpy()
    correlation = rank_correlation(values, truth)
    lab = rank_correlation(reference.lab_annotator_scores.to_numpy(), truth)
    share = correlation / lab if lab > 0 else correlation
    return Measured(correlation, SCORES_MIN_SHARE * lab, share, share >= SCORES_MIN_SHARE)


def _worst(ids, lab_ids, minimum_share: float, reference: LabReference) -> Measured:
    average = float(reference.accuracy_against_truth[0].mean())
    chosen = reference.mean_accuracy_of(ids)
    margin = max(average - reference.mean_accuracy_of(lab_ids), 1e-9)
    share = (average - chosen) / margin
    return Measured(chosen, average - minimum_share * margin, share, share >= minimum_share)


def worst_by_majority_vote(ids, reference: LabReference) -> Measured:
    """Mean real accuracy of the ten named, against the lab's ten worst by agreement."""
    return _worst(ids, reference.lab_worst_annotators(), MAJORITY_VOTE_WORST_MIN_SHARE, reference)


def worst_by_crowdlab(ids, reference: LabReference) -> Measured:
    """Mean real accuracy of the ten named, against CROWDLAB's ten worst with the given model."""
    stats = reference.crowdlab_with_given_model["annotator_stats"]
    return _worst(ids, list(stats.index[:10]), CROWDLAB_WORST_MIN_SHARE, reference)


def crowdlab_model(pred_probs: np.ndarray, reference: LabReference) -> Measured:
    """Held-out accuracy of the model behind the pred_probs given to CROWDLAB, against the given
    majority-vote model and the one-random-annotation model on this dataset."""
    accuracy = reference.accuracy(np.asarray(pred_probs).argmax(axis=1))
    given = reference.given_model_accuracy
    # The gain is floored at the sampling error of an accuracy on this many examples: on a
    # dataset where the two models happen to tie, noise alone must not decide.
    noise = np.sqrt(given * (1 - given) / reference.n_examples)
    gain = max(given - reference.one_random_annotation_model_accuracy, noise)
    loss = (given - accuracy) / gain
    threshold = given - CROWDLAB_MODEL_MAX_LOSS * gain
    return Measured(accuracy, threshold, loss, loss <= CROWDLAB_MODEL_MAX_LOSS)


def agreement_beyond_chance(labels, other) -> tuple[float, float, float]:
    """``(agreement, chance agreement, Cohen's kappa)`` of two label vectors."""
    labels, other = np.asarray(labels), np.asarray(other)
    agreement = float(np.mean(labels == other))
    classes = np.union1d(labels, other)
    chance = float(sum(np.mean(labels == k) * np.mean(other == k) for k in classes))
    kappa = (agreement - chance) / (1 - chance) if chance < 1 else 0.0
    return agreement, chance, kappa


def pred_probs_fit_the_data(pred_probs: np.ndarray, reference: LabReference) -> Measured:
    """Whether the most likely classes of ``pred_probs`` agree with this dataset's votes."""
    most_likely = np.asarray(pred_probs).argmax(axis=1)
    _, _, kappa = agreement_beyond_chance(most_likely, reference.lowest_class_votes)
    return Measured(kappa, PRED_PROBS_MIN_KAPPA, kappa, kappa >= PRED_PROBS_MIN_KAPPA)


def chance_of_a_majority_vote(labels, reference: LabReference) -> tuple[float, float]:
    """``(share of labels that are a most-voted class of their row, the share expected of labels
    as frequent but unrelated to this dataset's rows)``: how well labels fit this dataset."""
    labels = np.asarray(labels)
    valid = float(reference.most_voted[np.arange(len(labels)), labels].mean())
    frequencies = np.bincount(labels, minlength=reference.n_classes) / len(labels)
    chance = float((reference.most_voted * frequencies[None, :]).sum(axis=1).mean())
    return valid, chance
