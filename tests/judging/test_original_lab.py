"""The original lab's methods (labgrader.judging.original_lab): its printed numbers, and the edge cases of a
majority vote."""

import numpy as np
import pytest

from helpers.model import accuracy, held_out_accuracy, out_of_sample_pred_probs
from labgrader.judging.original_lab import (
    annotator_agreement,
    majority_vote,
    most_voted_mask,
    worst_annotators,
)
from tests.support.builders import annotations

# The reference notebook's "Worst 10 annotators" after the first-seen majority vote.
REFERENCE_WORST_BY_MAJORITY_VOTE = [
    ("A0048", 0.4062), ("A0044", 0.4286), ("A0046", 0.4828), ("A0043", 0.4848),
    ("A0045", 0.5000), ("A0022", 0.5625), ("A0041", 0.5714), ("A0042", 0.5714),
    ("A0050", 0.5750), ("A0049", 0.5833),
]  # fmt: skip
# The reference notebook's `cleanlab_results['annotator_stats'].head(10)`.
REFERENCE_WORST_BY_CROWDLAB = [
    "A0043", "A0048", "A0044", "A0042", "A0046", "A0041", "A0040", "A0045", "A0050", "A0049",
]  # fmt: skip


@pytest.fixture(scope="module")
def first_seen(lab):
    return majority_vote(lab.multiannotator_labels)


@pytest.fixture(scope="module")
def first_seen_scores(lab, first_seen):
    return annotator_agreement(lab.multiannotator_labels, first_seen)


def test_first_seen_majority_vote_matches_reference(lab, first_seen):
    assert accuracy(first_seen, lab.true_labels) == 0.882943143812709
    pred_probs = out_of_sample_pred_probs(lab.features, first_seen)
    assert held_out_accuracy(pred_probs, lab.true_labels) == 0.9464882943143813


def test_worst_annotators_match_reference(first_seen_scores):
    worst = worst_annotators(first_seen_scores)
    assert worst == [annotator for annotator, _ in REFERENCE_WORST_BY_MAJORITY_VOTE]
    for annotator, printed in REFERENCE_WORST_BY_MAJORITY_VOTE:
        assert f"{first_seen_scores[annotator]:.4f}" == f"{printed:.4f}"


def test_model_tie_break_matches_reference(lab, first_seen):
    pred_probs = out_of_sample_pred_probs(lab.features, first_seen)
    labels = majority_vote(lab.multiannotator_labels, "model", pred_probs=pred_probs)
    assert accuracy(labels, lab.true_labels) == 0.9130434782608695
    refit = out_of_sample_pred_probs(lab.features, labels)
    assert held_out_accuracy(refit, lab.true_labels) == 0.9565217391304348


def test_annotator_score_tie_break_matches_reference(lab, first_seen_scores):
    labels = majority_vote(
        lab.multiannotator_labels, "annotator_score", annotator_scores=first_seen_scores
    )
    assert accuracy(labels, lab.true_labels) == 0.8762541806020067
    refit = out_of_sample_pred_probs(lab.features, labels)
    assert held_out_accuracy(refit, lab.true_labels) == 0.9498327759197325


def test_crowdlab_on_the_annotator_score_model_matches_reference(lab, first_seen_scores):
    """Exercise 2 as first taught: CROWDLAB on the model fit to the annotator-score tie-break."""
    from cleanlab.multiannotator import get_label_quality_multiannotator

    labels = majority_vote(
        lab.multiannotator_labels, "annotator_score", annotator_scores=first_seen_scores
    )
    pred_probs = out_of_sample_pred_probs(lab.features, labels)
    results = get_label_quality_multiannotator(lab.multiannotator_labels, pred_probs, verbose=False)
    consensus = results["label_quality"]["consensus_label"].to_numpy()
    assert accuracy(consensus, lab.true_labels) == 0.9765886287625418
    refit = out_of_sample_pred_probs(lab.features, consensus)
    assert held_out_accuracy(refit, lab.true_labels) == 0.9732441471571907
    stats = results["annotator_stats"]
    assert list(stats.index[:10]) == REFERENCE_WORST_BY_CROWDLAB
    assert f"{stats['annotator_quality'].iloc[0]:.6f}" == "0.358109"


def test_every_tie_break_is_a_majority_vote(lab, first_seen, first_seen_scores):
    labels = lab.multiannotator_labels
    pred_probs = out_of_sample_pred_probs(lab.features, first_seen)
    mask = most_voted_mask(labels)
    for tie_break, extra in [
        ("first_seen", {}),
        ("lowest_class", {}),
        ("model", {"pred_probs": pred_probs}),
        ("annotator_score", {"annotator_scores": first_seen_scores}),
    ]:
        chosen = majority_vote(labels, tie_break, **extra)
        assert mask[np.arange(len(chosen)), chosen].all(), tie_break


def test_single_annotation_row_takes_that_label():
    frame = annotations([None, 2, None], [1, 1, 0])
    for tie_break in ("first_seen", "lowest_class"):
        np.testing.assert_array_equal(majority_vote(frame, tie_break), [2, 1])


def test_ties_are_broken_as_documented():
    frame = annotations([2, 0, None, None], [1, 2, 2, 1])
    np.testing.assert_array_equal(majority_vote(frame, "first_seen"), [2, 1])
    np.testing.assert_array_equal(majority_vote(frame, "lowest_class"), [0, 1])
    pred_probs = np.array([[0.1, 0.1, 0.8], [0.2, 0.1, 0.7]])
    np.testing.assert_array_equal(majority_vote(frame, "model", pred_probs=pred_probs), [2, 2])
    # The model's favourite is not tied: fall back to the first seen.
    pred_probs = np.array([[0.1, 0.8, 0.1], [0.8, 0.1, 0.1]])
    np.testing.assert_array_equal(majority_vote(frame, "model", pred_probs=pred_probs), [2, 1])
    scores = {"A0001": 0.9, "A0002": 0.4, "A0003": 0.8, "A0004": 0.7}
    np.testing.assert_array_equal(
        majority_vote(frame, "annotator_score", annotator_scores=scores), [2, 1]
    )


def test_unused_class_is_never_chosen():
    frame = annotations([0, 0, None], [1, None, 1])
    mask = most_voted_mask(frame)
    assert not mask[:, 2].any()
    np.testing.assert_array_equal(majority_vote(frame), [0, 1])


def test_agreement_skips_rows_with_one_annotation_by_default():
    frame = annotations([0, None], [1, 1], [2, 0])
    consensus = [0, 1, 2]
    only_shared = annotator_agreement(frame, consensus)
    every_row = annotator_agreement(frame, consensus, min_annotators=1)
    assert only_shared["A0001"] == 1.0 and only_shared["A0002"] == 0.5
    assert every_row["A0001"] == 1.0
    assert annotator_agreement(annotations([1, None], [None, 2]), [1, 2]).isna().all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: majority_vote(f, "coin_flip"), "tie_break must be one of"),
        (lambda f: majority_vote(f, "model"), "needs pred_probs"),
        (lambda f: majority_vote(f, "annotator_score"), "needs annotator_scores"),
        (lambda f: majority_vote(f, "annotator_score", annotator_scores={"A0001": 1}), "no score"),
        (lambda f: majority_vote(f.to_numpy()), "must be a pandas DataFrame"),
        (lambda f: annotator_agreement(f, [0]), "one consensus label per example"),
        (lambda f: majority_vote(annotations([None, None])), "at least one annotation"),
    ],
)
def test_bad_arguments_fail_clearly(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call(annotations([0, 1], [1, 1]))
