"""Count the votes each example got: the raw material of every consensus method.

Annotations arrive as a pandas ``Int64`` DataFrame with ``<NA>`` where an
annotator gave no label. The functions here work on a float copy with ``NaN``
instead, because ``row == k`` on ``<NA>`` is ``<NA>``, not ``False``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def annotation_matrix(multiannotator_labels: pd.DataFrame) -> np.ndarray:
    """Annotations as a float array with ``NaN`` where there is no label.

    Parameters
    ----------
    multiannotator_labels : pandas.DataFrame
        Rows are examples, columns are annotators, ``<NA>`` where missing.

    Returns
    -------
    numpy.ndarray
        ``(n_examples, n_annotators)`` floats.
    """
    if not isinstance(multiannotator_labels, pd.DataFrame):
        raise TypeError(
            "multiannotator_labels must be a pandas DataFrame (rows = examples, "
            f"columns = annotators), got {type(multiannotator_labels).__name__}"
        )
    return multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)


def vote_counts(multiannotator_labels: pd.DataFrame, n_classes: int = 3) -> np.ndarray:
    """How many annotators gave each class to each example.

    Parameters
    ----------
    multiannotator_labels : pandas.DataFrame
        Rows are examples, columns are annotators, ``<NA>`` where missing.
    n_classes : int, default 3

    Returns
    -------
    numpy.ndarray
        ``(n_examples, n_classes)`` integer counts: entry ``[i, k]`` is the
        number of annotators who gave example ``i`` the class ``k``.
    """
    annotations = annotation_matrix(multiannotator_labels)
    return np.stack([(annotations == k).sum(axis=1) for k in range(n_classes)], axis=1)


def _plain_majority_vote(multiannotator_labels: pd.DataFrame, n_classes: int = 3) -> np.ndarray:
    # Ties go to the lowest class. Used inside the lab's given model and plot of Exercise 2 only;
    # never returned, so that no value the lab hands out is an answer to Exercise 1.
    return vote_counts(multiannotator_labels, n_classes).argmax(axis=1)
