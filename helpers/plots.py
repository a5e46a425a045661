"""Pictures for the lab: the data by label, where consensus labels go wrong, annotator quality.

Every function draws on the ``ax`` it is given, or on a new figure, and
returns nothing, so a notebook cell that ends with one shows the plot once.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from helpers.votes import _plain_majority_vote

CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73")  # Okabe-Ito: distinguishable in colour blindness
HIGHLIGHT_COLOR = "#D55E00"


def _axes(ax, size=(5.5, 4.5)):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def plot_labels(features, labels, title: str = "Examples by label", ax=None) -> None:
    """Scatter the 2-D features, coloured by class.

    Parameters
    ----------
    features : array-like
        ``(n, 2)`` features.
    labels : array-like
        One class index per example.
    title : str
    ax : matplotlib.axes.Axes, optional
    """
    ax = _axes(ax)
    features, labels = np.asarray(features), np.asarray(labels)
    for k, color in enumerate(CLASS_COLORS):
        chosen = labels == k
        ax.scatter(*features[chosen].T, s=14, color=color, label=f"class {k}", alpha=0.8)
    ax.set(title=title, xlabel="feature 1", ylabel="feature 2")
    _legend_below(ax)


def _legend_below(ax) -> None:
    # Outside the axes: the classes fill every corner of the plot.
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=4, fontsize="small", frameon=False
    )


def plot_label_errors(
    features, labels, true_labels, title: str = "Where the labels are wrong", ax=None
) -> None:
    """Scatter the data coloured by ``labels`` and circle the examples they get wrong.

    Parameters
    ----------
    features : array-like
        ``(n, 2)`` features.
    labels, true_labels : array-like
        The labels to judge, and the ground truth (demonstration only).
    title : str
    ax : matplotlib.axes.Axes, optional
    """
    ax = _axes(ax)
    features = np.asarray(features)
    wrong = np.asarray(labels) != np.asarray(true_labels)
    plot_labels(features, labels, title=f"{title}: {wrong.sum()} of {len(wrong)} wrong", ax=ax)
    ax.scatter(
        *features[wrong].T,
        s=90,
        facecolors="none",
        edgecolors="black",
        linewidths=1.2,
        label="wrong label",
    )
    _legend_below(ax)


def plot_majority_vote_errors(
    features, multiannotator_labels, true_labels, title: str = "Majority vote", ax=None
) -> None:
    """:func:`plot_label_errors` for a plain majority vote of the annotations.

    The vote is the one :func:`helpers.pred_probs_from_majority_vote_model`
    fits its model to: each example's most-voted class, ties to the lowest class.

    Parameters
    ----------
    features : array-like
        ``(n, 2)`` features.
    multiannotator_labels : pandas.DataFrame
        Annotations, ``<NA>`` where missing.
    true_labels : array-like
        The ground truth (demonstration only).
    title : str
    ax : matplotlib.axes.Axes, optional
    """
    labels = _plain_majority_vote(multiannotator_labels)
    plot_label_errors(features, labels, true_labels, title=title, ax=ax)


def plot_annotator_scores(
    annotator_scores, highlight=(), title: str = "Estimated annotator quality", ax=None
) -> None:
    """Bar chart of annotator scores, lowest first, with ``highlight`` in another colour.

    Parameters
    ----------
    annotator_scores : dict or pandas.Series
        Score of each annotator id.
    highlight : iterable of str
        Ids to colour, e.g. the ones you think are the worst.
    title : str
    ax : matplotlib.axes.Axes, optional
    """
    ax = _axes(ax, size=(11, 3.5))
    scores = pd.Series(annotator_scores, dtype=float).sort_values(kind="stable")
    marked = set(highlight)
    colors = [HIGHLIGHT_COLOR if annotator in marked else "#999999" for annotator in scores.index]
    ax.bar(range(len(scores)), scores.to_numpy(), color=colors)
    ax.set_xticks(range(len(scores)), scores.index, rotation=90, fontsize=7)
    ax.set(title=title, ylabel="score", ylim=(0, 1))
    if marked:
        ax.legend(
            handles=[Patch(color=HIGHLIGHT_COLOR, label="highlighted")],
            loc="upper left",
            fontsize="small",
        )
