"""What the hidden checks compare answers with, computed from the seed alone, in the grader.

Nothing here reads the notebook's variables: a student can overwrite
``true_labels`` or ``X`` in the kernel, but not what the grader builds here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.data import load_lab_data
from helpers.model import out_of_sample_pred_probs
from helpers.parts import DatasetShape
from helpers.votes import annotation_matrix, vote_counts
from labgrader.methods import most_voted_mask

NUM_BAD_ANNOTATORS = 10


@dataclass(frozen=True)
class LabReference:
    """The lab's data and the derived facts the checks need.

    Attributes
    ----------
    multiannotator_labels : pandas.DataFrame
    true_labels : numpy.ndarray
    n_classes : int
    annotator_ids : tuple of str
    bad_annotators : frozenset of str
        The annotators designed to be poor (the last ten).
    vote_counts, most_voted : numpy.ndarray
        Per-row class vote counts, and which classes are tied for the most votes.
    pred_probs_from_true_labels : numpy.ndarray
        The demonstration model fit to the true labels (an answer built from it
        used information a curator would not have).
    accuracy_against_truth : tuple of pandas.Series
        Each annotator's accuracy against the true labels over all rows and over
        rows with two or more annotations.
    """

    multiannotator_labels: pd.DataFrame
    true_labels: np.ndarray
    n_classes: int
    annotator_ids: tuple
    bad_annotators: frozenset
    vote_counts: np.ndarray
    most_voted: np.ndarray
    pred_probs_from_true_labels: np.ndarray
    accuracy_against_truth: tuple

    @property
    def n_examples(self) -> int:
        return len(self.true_labels)

    @property
    def dataset(self) -> DatasetShape:
        """What the answer readers and shape checks need."""
        return DatasetShape(self.n_examples, self.n_classes, self.annotator_ids)


def _accuracy_against_truth(
    labels: pd.DataFrame, truth: np.ndarray, min_annotators: int
) -> pd.Series:
    annotations = annotation_matrix(labels)
    counted = (~np.isnan(annotations)).sum(axis=1) >= min_annotators
    labeled = ~np.isnan(annotations) & counted[:, None]
    correct = (annotations == truth[:, None]) & labeled
    return pd.Series(correct.sum(axis=0) / labeled.sum(axis=0), index=labels.columns)


@functools.cache
def lab_reference() -> LabReference:
    """Build (once per process) the reference for the lab's dataset."""
    lab = load_lab_data()
    labels = lab.multiannotator_labels
    ids = tuple(labels.columns)
    reference = LabReference(
        multiannotator_labels=labels,
        true_labels=lab.true_labels,
        n_classes=lab.n_classes,
        annotator_ids=ids,
        bad_annotators=frozenset(ids[-NUM_BAD_ANNOTATORS:]),
        vote_counts=vote_counts(labels, lab.n_classes),
        most_voted=most_voted_mask(labels, lab.n_classes),
        pred_probs_from_true_labels=out_of_sample_pred_probs(lab.features, lab.true_labels),
        accuracy_against_truth=tuple(
            _accuracy_against_truth(labels, lab.true_labels, n) for n in (1, 2)
        ),
    )
    for array in (
        reference.true_labels,
        reference.vote_counts,
        reference.most_voted,
        reference.pred_probs_from_true_labels,
    ):
        array.setflags(write=False)
    return reference
