"""Simulated classification data labeled by many noisy annotators.

The generator draws from a NumPy legacy ``RandomState`` passed in by the
caller, in exactly the order of the lab as it was first taught, so seed 123
reproduces the original lab's dataset value for value. Nothing here touches NumPy's
global random state. :mod:`helpers.data` builds the lab's datasets with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

LAB_SEED = 123
"""Seed of the lab's dataset: every number the lab prints depends on it."""

NUM_ANNOTATORS = 50
NUM_CARELESS_ANNOTATORS = 10

CLASS_FREQUENCIES = (0.5, 0.25, 0.25)
CLASS_MEANS = ((3, 2), (7, 7), (0, 8))
CLASS_COVARIANCES = (
    ((5, -1.5), (-1.5, 1)),
    ((1, 0.5), (0.5, 4)),
    ((5, 1), (1, 5)),
)


@dataclass(frozen=True)
class MultiannotatorData:
    """A dataset whose true labels are hidden behind noisy annotations.

    Attributes
    ----------
    features : numpy.ndarray
        ``(n_examples, 2)`` float features.
    true_labels : numpy.ndarray
        ``(n_examples,)`` integer ground truth, for demonstration only.
    multiannotator_labels : pandas.DataFrame
        ``(n_examples, n_annotators)`` of pandas ``Int64``: the class each
        annotator gave each example, ``<NA>`` where they gave none. Columns are
        annotator ids ``A0001``, ``A0002``, ...
    n_classes : int
        Number of classes; labels are ``0 .. n_classes - 1``.
    """

    features: np.ndarray
    true_labels: np.ndarray
    multiannotator_labels: pd.DataFrame
    n_classes: int


def annotator_ids(num_annotators: int) -> list[str]:
    """Return the ids ``A0001 .. A{num_annotators:04d}`` in column order."""
    return [f"A{i:04d}" for i in range(1, num_annotators + 1)]


def _require_random_state(random_state) -> np.random.RandomState:
    if not isinstance(random_state, np.random.RandomState):
        raise TypeError(
            "random_state must be a numpy.random.RandomState, e.g. "
            f"np.random.RandomState({LAB_SEED}); got {type(random_state).__name__}. "
            "The lab's numbers come from NumPy's legacy RandomState stream."
        )
    return random_state


def noisy_labels(
    true_labels: np.ndarray,
    annotator_quality: float,
    random_state: np.random.RandomState,
    n_classes: int = 3,
) -> np.ndarray:
    """Annotate every example as one annotator of the given quality would.

    With probability ``annotator_quality`` the annotator copies the true
    label; otherwise they pick a class uniformly at random (which may still be
    the true one).

    Parameters
    ----------
    true_labels : numpy.ndarray
        Integer ground truth.
    annotator_quality : float
        Probability in [0, 1] of copying the true label.
    random_state : numpy.random.RandomState
        Source of randomness; advanced by ``2 * len(true_labels)`` draws.
    n_classes : int, default 3
        Number of classes to guess from.

    Returns
    -------
    numpy.ndarray
        One integer label per example.
    """
    rng = _require_random_state(random_state)
    if not 0.0 <= annotator_quality <= 1.0:
        raise ValueError(f"annotator_quality must be in [0, 1], got {annotator_quality}")
    n = len(true_labels)
    labels = rng.randint(low=0, high=n_classes, size=n)
    copies_truth = rng.random_sample(n) < annotator_quality
    labels[copies_truth] = true_labels[copies_truth]
    return labels


def _careless_set(careless_positions, num_annotators: int, num_bad_annotators: int) -> set:
    if careless_positions is None:
        return set(range(num_annotators - num_bad_annotators, num_annotators))
    positions = {int(position) for position in careless_positions}
    if len(positions) != num_bad_annotators or not positions <= set(range(num_annotators)):
        raise ValueError(
            f"careless_positions must be {num_bad_annotators} distinct column positions in "
            f"0 .. {num_annotators - 1}, got {sorted(positions)}"
        )
    return positions


def make_multiannotator_data(
    random_state: np.random.RandomState,
    sample_size: int = 300,
    num_annotators: int = NUM_ANNOTATORS,
    num_bad_annotators: int = NUM_CARELESS_ANNOTATORS,
    good_annotator_quality: float = 0.6,
    bad_annotator_quality: float = 0.3,
    fraction_labeled: float = 0.1,
    careless_positions: Sequence[int] | None = None,
) -> MultiannotatorData:
    """Simulate a 3-class, 2-D dataset labeled by noisy annotators.

    ``num_bad_annotators`` of the annotators are careless: they copy the true
    label less often. Each annotator labels about ``fraction_labeled`` of the
    examples; examples
    nobody labeled are dropped, and so are annotators who labeled nothing
    (which only happens for small samples; their ids are kept out, not
    reused). Rows are shuffled at the end.

    Parameters
    ----------
    random_state : numpy.random.RandomState
        Source of randomness, e.g. ``np.random.RandomState(LAB_SEED)``.
    sample_size : int, default 300
        Approximate number of examples before unlabeled ones are dropped.
    num_annotators, num_bad_annotators : int
        How many annotators, and how many of them are careless.
    good_annotator_quality, bad_annotator_quality : float
        Probability that a careful (careless) annotator copies the true label.
    fraction_labeled : float
        Probability that an annotator labels a given example.
    careless_positions : sequence of int, optional
        Column positions (0-based) of the ``num_bad_annotators`` careless annotators;
        by default they are placed as in the lab as first taught. Where they are
        changes no draw, only which annotators copy the truth less often.

    Returns
    -------
    MultiannotatorData
    """
    rng = _require_random_state(random_state)
    if isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)):
        raise TypeError(f"sample_size must be an integer, got {sample_size!r}")
    if sample_size < len(CLASS_MEANS):
        raise ValueError(f"sample_size must be at least {len(CLASS_MEANS)}, got {sample_size}")
    if not 1 <= num_annotators or not 0 <= num_bad_annotators <= num_annotators:
        raise ValueError(
            "need num_annotators >= 1 and 0 <= num_bad_annotators <= num_annotators, "
            f"got {num_annotators} and {num_bad_annotators}"
        )
    if not 0.0 < fraction_labeled <= 1.0:
        raise ValueError(f"fraction_labeled must be in (0, 1], got {fraction_labeled}")

    careless = _careless_set(careless_positions, num_annotators, num_bad_annotators)

    n_classes = len(CLASS_MEANS)
    sizes = [int(np.ceil(freq * sample_size)) for freq in CLASS_FREQUENCIES]
    features = np.vstack(
        [
            rng.multivariate_normal(mean=mean, cov=cov, size=size)
            for mean, cov, size in zip(CLASS_MEANS, CLASS_COVARIANCES, sizes, strict=True)
        ]
    )
    true_labels = np.repeat(np.arange(n_classes), sizes)
    n = len(true_labels)

    annotations = np.column_stack(
        [
            noisy_labels(
                true_labels,
                bad_annotator_quality if i in careless else good_annotator_quality,
                rng,
                n_classes,
            )
            for i in range(num_annotators)
        ]
    )
    # One mask per annotator, drawn column after column as the original lab does.
    unlabeled = np.column_stack(
        [rng.random_sample(n) < 1.0 - fraction_labeled for _ in range(num_annotators)]
    )
    labels = pd.DataFrame(annotations, columns=annotator_ids(num_annotators)).astype("Int64")
    labels = labels.mask(unlabeled)
    labels = labels.loc[:, labels.notna().any(axis=0)]
    labeled_rows = labels.notna().any(axis=1).to_numpy()
    if not labeled_rows.any():
        raise ValueError(
            f"no example was labeled by anyone (sample_size={sample_size}, "
            f"fraction_labeled={fraction_labeled}); use a larger sample"
        )
    features, true_labels = features[labeled_rows], true_labels[labeled_rows]
    labels = labels[labeled_rows].reset_index(drop=True)

    order = rng.permutation(len(features))
    return MultiannotatorData(
        features=features[order],
        true_labels=true_labels[order],
        multiannotator_labels=labels.iloc[order].reset_index(drop=True),
        n_classes=n_classes,
    )


def labels_from_one_random_annotation(
    multiannotator_labels: pd.DataFrame, random_state: np.random.RandomState
) -> np.ndarray:
    """Pick one of each example's annotations at random.

    Parameters
    ----------
    multiannotator_labels : pandas.DataFrame
        Annotations as made by :func:`make_multiannotator_data`; every row
        must hold at least one.
    random_state : numpy.random.RandomState
        Advanced by one draw per row.

    Returns
    -------
    numpy.ndarray
        One integer label per row.
    """
    rng = _require_random_state(random_state)
    values = multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
    chosen = np.empty(len(values), dtype=int)
    for row_index, row in enumerate(values):
        given = row[~np.isnan(row)]
        if given.size == 0:
            raise ValueError(f"row {row_index} has no annotation to choose from")
        chosen[row_index] = int(rng.choice(given))
    return chosen
