"""The lab's classifier: out-of-sample predicted probabilities from K nearest neighbors."""

from __future__ import annotations

import numpy as np
from sklearn.model_selection import cross_val_predict
from sklearn.neighbors import KNeighborsClassifier

from helpers.answers import as_class_labels
from helpers.votes import _plain_majority_vote

N_FOLDS = 5


def out_of_sample_pred_probs(
    features: np.ndarray, labels_to_fit, n_classes: int = 3, n_folds: int = N_FOLDS
) -> np.ndarray:
    """Predicted class probabilities for every example from a model that never saw it.

    Fits ``KNeighborsClassifier(weights="distance")`` in ``n_folds``-fold
    cross-validation, as the lab does. Classes that ``labels_to_fit`` never
    uses get a column of zeros, so the result always has ``n_classes``
    columns in class order.

    Parameters
    ----------
    features : numpy.ndarray
        ``(n_examples, n_features)`` features.
    labels_to_fit : array-like
        One class per example, ``0 .. n_classes - 1``.
    n_classes : int, default 3
    n_folds : int, default 5

    Returns
    -------
    numpy.ndarray
        ``(n_examples, n_classes)`` probabilities; rows sum to 1.
    """
    features = np.asarray(features, dtype=float)
    labels = np.array(
        as_class_labels(labels_to_fit, len(features), n_classes, name="labels_to_fit")
    )
    used_classes = np.unique(labels)
    model = KNeighborsClassifier(weights="distance")
    fitted = cross_val_predict(model, X=features, y=labels, cv=n_folds, method="predict_proba")
    pred_probs = np.zeros((len(features), n_classes))
    pred_probs[:, used_classes] = fitted
    return pred_probs


def accuracy(predicted_labels, true_labels) -> float:
    """Fraction of examples whose predicted label equals the true one."""
    predicted = np.asarray(predicted_labels)
    truth = np.asarray(true_labels)
    if predicted.shape != truth.shape:
        raise ValueError(f"shapes differ: {predicted.shape} vs {truth.shape}")
    return float(np.mean(predicted == truth))


def held_out_accuracy(pred_probs: np.ndarray, true_labels) -> float:
    """Accuracy of the most likely class of each row of ``pred_probs``."""
    return accuracy(np.argmax(pred_probs, axis=1), true_labels)


def pred_probs_from_majority_vote_model(
    features: np.ndarray, multiannotator_labels, n_classes: int = 3, n_folds: int = N_FOLDS
) -> np.ndarray:
    """Out-of-sample pred_probs of the lab's model fit to a plain majority vote.

    The labels the model is fit to are each example's most-voted class, with
    every tie going to the lowest class number: a deliberately plain consensus,
    so that Exercise 2 does not depend on your Exercise 1. Only the predicted
    probabilities are returned.

    Parameters
    ----------
    features : numpy.ndarray
        ``(n_examples, n_features)`` features.
    multiannotator_labels : pandas.DataFrame
        Annotations, ``<NA>`` where missing.
    n_classes : int, default 3
    n_folds : int, default 5

    Returns
    -------
    numpy.ndarray
        ``(n_examples, n_classes)`` probabilities; rows sum to 1.
    """
    labels = _plain_majority_vote(multiannotator_labels, n_classes)
    return out_of_sample_pred_probs(features, labels, n_classes, n_folds)
