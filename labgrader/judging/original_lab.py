"""The original lab's own methods: majority votes, tie-breaks, annotator agreement.

These reproduce the numbers the lab printed when it was first taught (the
first-seen majority vote, the tie-breaks by the model and by annotator score,
agreement on rows with two or more annotations), and :func:`most_voted_mask`
is what the hidden checks judge majority votes by. They live with the grader,
never in the students' ``helpers``: each one answers a graded part.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from helpers.votes import annotation_matrix, vote_counts

TIE_BREAKS = ("first_seen", "model", "annotator_score", "lowest_class")


def most_voted_mask(multiannotator_labels: pd.DataFrame, n_classes: int = 3) -> np.ndarray:
    """Which classes are tied for the most votes in each row.

    A label is a valid majority vote exactly where this mask is ``True``;
    rows with one annotation have a single most-voted class.

    Returns
    -------
    numpy.ndarray
        ``(n_examples, n_classes)`` booleans, at least one ``True`` per row
        that has any annotation.
    """
    counts = vote_counts(multiannotator_labels, n_classes)
    return (counts == counts.max(axis=1, keepdims=True)) & (counts > 0)


def first_seen_order(annotations: np.ndarray, n_classes: int) -> np.ndarray:
    """Column index at which each class is first given in each row (``inf`` if never)."""
    order = np.full((len(annotations), n_classes), np.inf)
    for k in range(n_classes):
        given = annotations == k
        has_class = given.any(axis=1)
        order[has_class, k] = given[has_class].argmax(axis=1)
    return order


def majority_vote(
    multiannotator_labels: pd.DataFrame,
    tie_break: str = "first_seen",
    *,
    pred_probs: np.ndarray | None = None,
    annotator_scores=None,
    n_classes: int = 3,
) -> np.ndarray:
    """Majority-vote consensus label of every example.

    Parameters
    ----------
    multiannotator_labels : pandas.DataFrame
        Annotations, ``<NA>`` where missing.
    tie_break : {"first_seen", "model", "annotator_score", "lowest_class"}
        Among classes tied for the most votes, pick:

        - ``"first_seen"``: the one given first, reading annotators left to right;
        - ``"model"``: the model's most likely class if it is tied, else as
          ``"first_seen"`` (the lab's reference rule; needs ``pred_probs``);
        - ``"annotator_score"``: the one whose least-trusted supporter scores
          highest (needs ``annotator_scores``; equal scores go to the class
          seen last, as in the reference);
        - ``"lowest_class"``: the smallest class index.
    pred_probs : numpy.ndarray, optional
        ``(n_examples, n_classes)`` model probabilities.
    annotator_scores : dict or pandas.Series, optional
        Quality of each annotator id.
    n_classes : int, default 3

    Returns
    -------
    numpy.ndarray
        One integer label per example.
    """
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"tie_break must be one of {TIE_BREAKS}, got {tie_break!r}")
    annotations = annotation_matrix(multiannotator_labels)
    if np.isnan(annotations).all(axis=1).any():
        raise ValueError("every example needs at least one annotation")
    tied = most_voted_mask(multiannotator_labels, n_classes)
    seen = first_seen_order(annotations, n_classes)

    if tie_break == "lowest_class":
        return tied.argmax(axis=1)
    if tie_break == "first_seen":
        return np.where(tied, seen, np.inf).argmin(axis=1)
    if tie_break == "model":
        if pred_probs is None or np.shape(pred_probs) != (len(annotations), n_classes):
            raise ValueError(
                f"tie_break='model' needs pred_probs of shape ({len(annotations)}, {n_classes})"
            )
        labels = np.where(tied, seen, np.inf).argmin(axis=1)
        model_choice = np.asarray(pred_probs).argmax(axis=1)
        model_is_tied = tied[np.arange(len(labels)), model_choice]
        return np.where(model_is_tied, model_choice, labels)
    return _tie_break_by_annotator_score(
        multiannotator_labels, annotations, tied, seen, annotator_scores
    )


def _tie_break_by_annotator_score(labels_df, annotations, tied, seen, annotator_scores):
    if annotator_scores is None:
        raise ValueError("tie_break='annotator_score' needs annotator_scores")
    scores = pd.Series(annotator_scores, dtype=float).reindex(labels_df.columns)
    if scores.isna().any():
        missing = list(scores.index[scores.isna()])
        raise ValueError(f"annotator_scores has no score for {missing}")
    score_values = scores.to_numpy()
    result = np.empty(len(annotations), dtype=int)
    for row, (row_tied, row_seen, row_annotations) in enumerate(
        zip(tied, seen, annotations, strict=True)
    ):
        candidates = np.flatnonzero(row_tied)
        candidates = candidates[np.argsort(row_seen[candidates], kind="stable")]
        best_class, best_key = candidates[0], -np.inf
        for k in candidates:
            key = score_values[row_annotations == k].min()
            if key >= best_key:
                best_class, best_key = k, key
        result[row] = best_class
    return result


def annotator_agreement(
    multiannotator_labels: pd.DataFrame, consensus_labels, *, min_annotators: int = 2
) -> pd.Series:
    """Fraction of each annotator's labels that agree with the consensus.

    Parameters
    ----------
    multiannotator_labels : pandas.DataFrame
        Annotations, ``<NA>`` where missing.
    consensus_labels : array-like
        One label per example.
    min_annotators : int, default 2
        Only count examples labeled by at least this many annotators (on an
        example with one annotation, that annotator agrees with the consensus
        trivially).

    Returns
    -------
    pandas.Series
        Agreement in [0, 1] indexed by annotator id; ``NaN`` for an annotator
        with no counted example.
    """
    annotations = annotation_matrix(multiannotator_labels)
    consensus = np.asarray(consensus_labels, dtype=float)
    if consensus.shape != (len(annotations),):
        raise ValueError(
            f"need one consensus label per example ({len(annotations)}), got shape {consensus.shape}"
        )
    counted_rows = (~np.isnan(annotations)).sum(axis=1) >= min_annotators
    labeled = ~np.isnan(annotations) & counted_rows[:, None]
    agrees = (annotations == consensus[:, None]) & labeled
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement = agrees.sum(axis=0) / labeled.sum(axis=0)
    return pd.Series(agreement, index=multiannotator_labels.columns, name="agreement")


def worst_annotators(annotator_scores, k: int = 10) -> list[str]:
    """Ids of the ``k`` lowest-scoring annotators, lowest first (ties keep column order)."""
    scores = pd.Series(annotator_scores, dtype=float)
    return list(scores.sort_values(kind="stable").index[:k])
