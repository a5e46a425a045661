"""What the hidden checks compare answers with, built in the grader from the design alone.

Nothing here reads the notebook's variables: a student can overwrite
``true_labels`` or ``X`` in the kernel, but not what the grader builds here. The
reference of a dataset of one's own is built from the course's name and the
student's id, exactly as the student's kernel builds the data
(:mod:`helpers.data`), with the annotators made careless in it.

Besides the data, a reference holds what fixed methods reach on it (the lab's own
methods, :mod:`labgrader.judging.original_lab`, and the model Exercise 2 gives): the rules of
:mod:`labgrader.judging.rules` are set relative to them, dataset by dataset.
"""

from __future__ import annotations

import contextlib
import functools
import io
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from helpers.data import _lab_data_and_design
from helpers.identity import Identity
from helpers.model import out_of_sample_pred_probs, pred_probs_from_majority_vote_model
from helpers.parts import DatasetShape
from helpers.votes import annotation_matrix, vote_counts
from labgrader.judging.original_lab import (
    annotator_agreement,
    majority_vote,
    most_voted_mask,
    worst_annotators,
)

NUM_BAD_ANNOTATORS = 10


@dataclass(frozen=True)
class LabReference:
    """A dataset and the derived facts the checks need.

    Attributes
    ----------
    features : numpy.ndarray
    multiannotator_labels : pandas.DataFrame
    true_labels : numpy.ndarray
    n_classes : int
    annotator_ids : tuple of str
    bad_annotators : frozenset of str
        The annotators designed to be careless.
    vote_counts, most_voted : numpy.ndarray
        Per-row class vote counts, and which classes are tied for the most votes.
    pred_probs_from_true_labels : numpy.ndarray
        The demonstration model fit to the true labels (an answer built from it
        used information a curator would not have).
    accuracy_against_truth : tuple of pandas.Series
        Each annotator's accuracy against the true labels over all rows and over
        rows with two or more annotations.
    labels_from_random_annotators : numpy.ndarray
        The notebooks' demonstration labels: one random annotation per example.
    course, student : str or None
        Whose dataset this is; ``None`` for the lab's own.
    fingerprint : str
        The short name of the data (:attr:`helpers.data.LabData.fingerprint`).
    """

    features: np.ndarray
    multiannotator_labels: pd.DataFrame
    true_labels: np.ndarray
    n_classes: int
    annotator_ids: tuple
    bad_annotators: frozenset
    vote_counts: np.ndarray
    most_voted: np.ndarray
    pred_probs_from_true_labels: np.ndarray
    accuracy_against_truth: tuple
    labels_from_random_annotators: np.ndarray
    course: str | None = None
    student: str | None = None
    fingerprint: str = ""

    @property
    def n_examples(self) -> int:
        return len(self.true_labels)

    @property
    def dataset(self) -> DatasetShape:
        """What the answer readers and shape checks need."""
        return DatasetShape(self.n_examples, self.n_classes, self.annotator_ids)

    @property
    def is_own_dataset(self) -> bool:
        """Whether this is a student's dataset of their own (not the lab's, shared by all)."""
        return self.course is not None

    # --- what fixed methods reach on this dataset (computed on first use) ---------------

    @functools.cached_property
    def first_seen_votes(self) -> np.ndarray:
        """The original lab's majority vote: ties to the class given first."""
        return majority_vote(self.multiannotator_labels, n_classes=self.n_classes)

    @functools.cached_property
    def lowest_class_votes(self) -> np.ndarray:
        """The plain majority vote the given model of Exercise 2 is fit to."""
        return majority_vote(self.multiannotator_labels, "lowest_class", n_classes=self.n_classes)

    @functools.cached_property
    def model_tie_break_votes(self) -> np.ndarray:
        """The lab's tie-break: ties to the class the model fit to the first-seen vote finds most
        likely (to the first seen, where none of the tied classes is the model's choice)."""
        pred_probs = out_of_sample_pred_probs(self.features, self.first_seen_votes)
        return majority_vote(self.multiannotator_labels, "model", pred_probs=pred_probs)

    @functools.cached_property
    def model_tie_break_accuracy(self) -> float:
        """Accuracy of the lab's tie-break by the model fit to the first-seen vote."""
        return self.accuracy(self.model_tie_break_votes)

    @property
    def tied_rows(self) -> np.ndarray:
        """Which rows have two or more classes tied for the most votes."""
        return self.most_voted.sum(axis=1) > 1

    @functools.cached_property
    def random_tie_break(self) -> tuple[float, float]:
        """Mean and standard deviation of the accuracy of a tie-break chosen uniformly at random
        among the tied classes."""
        rows = np.arange(self.n_examples)
        truth_is_tied = self.most_voted[rows, self.true_labels]
        chance = truth_is_tied / self.most_voted.sum(axis=1)
        return float(chance.mean()), float(np.sqrt((chance * (1 - chance)).sum()) / len(chance))

    @functools.cached_property
    def lab_annotator_scores(self) -> pd.Series:
        """The lab's quality estimate: agreement with the first-seen vote on shared rows."""
        return annotator_agreement(self.multiannotator_labels, self.first_seen_votes)

    @functools.cached_property
    def given_model_pred_probs(self) -> np.ndarray:
        """Exercise 2's given pred_probs: the lab's model fit to the plain majority vote."""
        return pred_probs_from_majority_vote_model(
            self.features, self.multiannotator_labels, self.n_classes
        )

    @functools.cached_property
    def given_model_accuracy(self) -> float:
        """How often the given model's most likely class is the true label."""
        return self.accuracy(self.given_model_pred_probs.argmax(axis=1))

    @functools.cached_property
    def one_random_annotation_model_accuracy(self) -> float:
        """The same for the notebooks' weak model, fit to one random annotation per example."""
        pred_probs = out_of_sample_pred_probs(self.features, self.labels_from_random_annotators)
        return self.accuracy(pred_probs.argmax(axis=1))

    @functools.cached_property
    def crowdlab_with_given_model(self) -> dict:
        """CROWDLAB's results (default settings) for the given model's pred_probs."""
        return crowdlab_results(self, self.given_model_pred_probs)

    def accuracy(self, labels) -> float:
        """Fraction of ``labels`` equal to the true labels."""
        return float(np.mean(np.asarray(labels) == self.true_labels))

    def mean_accuracy_of(self, ids) -> float:
        """Mean accuracy (against the true labels, all rows) of the annotators ``ids``."""
        return float(self.accuracy_against_truth[0][list(ids)].mean())

    def lab_worst_annotators(self) -> list[str]:
        """The ten worst annotators by the lab's quality estimate."""
        return worst_annotators(self.lab_annotator_scores)


def crowdlab_results(
    reference: LabReference, pred_probs: np.ndarray, annotator_stats: bool = True
) -> dict:
    """``get_label_quality_multiannotator`` on the reference's annotations, default settings.

    With ``annotator_stats=False`` it leaves out what the consensus does not depend on (the
    annotator statistics and per-annotator details), which is most of its time.
    """
    from cleanlab.multiannotator import get_label_quality_multiannotator

    extra = (
        {}
        if annotator_stats
        else {"return_annotator_stats": False, "return_detailed_quality": False}
    )
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        return get_label_quality_multiannotator(
            reference.multiannotator_labels, pred_probs, verbose=False, **extra
        )


def _accuracy_against_truth(
    labels: pd.DataFrame, truth: np.ndarray, min_annotators: int
) -> pd.Series:
    annotations = annotation_matrix(labels)
    counted = (~np.isnan(annotations)).sum(axis=1) >= min_annotators
    labeled = ~np.isnan(annotations) & counted[:, None]
    correct = (annotations == truth[:, None]) & labeled
    return pd.Series(correct.sum(axis=0) / labeled.sum(axis=0), index=labels.columns)


@functools.lru_cache(maxsize=16)
def lab_reference(course: str | None = None, student: str | None = None) -> LabReference:
    """Build (once per process) the reference for the lab's dataset, or for ``student``'s own
    dataset in ``course``."""
    if (course is None) != (student is None):
        raise ValueError("a dataset of one's own needs both course and student")
    made_for = None if course is None else Identity(student, "the grader")
    lab, careless = _lab_data_and_design(course, made_for)
    labels = lab.multiannotator_labels
    reference = LabReference(
        features=lab.features,
        multiannotator_labels=labels,
        true_labels=lab.true_labels,
        n_classes=lab.n_classes,
        annotator_ids=tuple(labels.columns),
        bad_annotators=frozenset(careless),
        vote_counts=vote_counts(labels, lab.n_classes),
        most_voted=most_voted_mask(labels, lab.n_classes),
        pred_probs_from_true_labels=out_of_sample_pred_probs(lab.features, lab.true_labels),
        accuracy_against_truth=tuple(
            _accuracy_against_truth(labels, lab.true_labels, n) for n in (1, 2)
        ),
        labels_from_random_annotators=lab.labels_from_random_annotators,
        course=course,
        student=student,
        fingerprint=lab.fingerprint,
    )
    for array in (
        reference.features,
        reference.true_labels,
        reference.vote_counts,
        reference.most_voted,
        reference.pred_probs_from_true_labels,
        reference.labels_from_random_annotators,
    ):
        array.setflags(write=False)
    return reference
