"""The lab's model: out-of-sample pred_probs and the demonstration accuracies."""

import numpy as np
import pytest

from helpers.answers import AnswerError
from helpers.model import accuracy, held_out_accuracy, out_of_sample_pred_probs


def test_demonstration_models_match_reference(lab):
    random_model = out_of_sample_pred_probs(lab.features, lab.labels_from_random_annotators)
    true_model = out_of_sample_pred_probs(lab.features, lab.true_labels)
    assert held_out_accuracy(random_model, lab.true_labels) == 0.8093645484949833
    assert held_out_accuracy(true_model, lab.true_labels) == 0.9765886287625418


def test_pred_probs_are_probabilities(lab):
    pred_probs = out_of_sample_pred_probs(lab.features, lab.true_labels)
    assert pred_probs.shape == (299, 3)
    np.testing.assert_allclose(pred_probs.sum(axis=1), 1.0)
    assert pred_probs.min() >= 0


def test_unused_class_gets_a_zero_column(lab):
    # predict_proba returns only the classes it saw; the lab's pred_probs keep all three.
    labels = np.where(lab.true_labels == 1, 0, lab.true_labels)
    pred_probs = out_of_sample_pred_probs(lab.features, labels)
    assert pred_probs.shape == (299, 3)
    assert np.all(pred_probs[:, 1] == 0)
    np.testing.assert_allclose(pred_probs.sum(axis=1), 1.0)


def test_accepts_lists_series_and_whole_floats(lab):
    import pandas as pd

    expected = out_of_sample_pred_probs(lab.features, lab.true_labels)
    for labels in (
        list(lab.true_labels),
        pd.Series(lab.true_labels),
        lab.true_labels.astype(float),
    ):
        np.testing.assert_array_equal(out_of_sample_pred_probs(lab.features, labels), expected)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.zeros(10), "has 10 entries"),
        (np.full(299, 3), "classes 0 .. 2"),
        (np.full(299, 0.5), "whole numbers"),
    ],
)
def test_bad_labels_fail_clearly(lab, labels, message):
    with pytest.raises(AnswerError, match=message):
        out_of_sample_pred_probs(lab.features, labels)


def test_accuracy_needs_matching_shapes():
    assert accuracy([0, 1, 2], [0, 1, 1]) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="shapes differ"):
        accuracy([0, 1], [0, 1, 2])
