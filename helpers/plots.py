"""Pictures for the lab: the data by label, where consensus labels go wrong, annotator quality.

Every function draws on the ``ax`` it is given, or on a new figure, and
returns nothing, so a notebook cell that ends with one shows the plot once.

The figures they make are laid out when they are made (:mod:`helpers.figures`), so that
Jupyter draws each of them once, uncut; :func:`helpers.figures.side_by_side` gives several
axes in a row.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from helpers.figures import BARS, SCATTER, axes_on
from helpers.votes import _plain_majority_vote

CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73")  # Okabe-Ito: distinguishable in colour blindness
HIGHLIGHT_COLOR = "#D55E00"
BAR_COLOR = "#999999"
BAR_WIDTH = 0.8
ID_FONT_SIZE = 7
TICK_POINTS = 3.5  # matplotlib's major tick length, and the gap between a tick and its label


def _draw_classes(ax, features, labels) -> None:
    for k, color in enumerate(CLASS_COLORS):
        chosen = labels == k
        ax.scatter(*features[chosen].T, s=14, color=color, label=f"class {k}", alpha=0.8)


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
    ax = axes_on(ax, SCATTER)
    _draw_classes(ax, np.asarray(features), np.asarray(labels))
    ax.set(xlabel="feature 1", ylabel="feature 2")
    _set_title(ax, title)
    _legend_below(ax)


def _set_title(ax, title: str) -> None:
    # At the top of the axes, where matplotlib would put it (no ticks above): saying so spares
    # it from measuring the axes at every draw to find that out.
    ax.set_title(title, y=1.0)


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
    ax = axes_on(ax, SCATTER)
    features, labels = np.asarray(features), np.asarray(labels)
    wrong = labels != np.asarray(true_labels)
    _draw_classes(ax, features, labels)
    ax.scatter(
        *features[wrong].T,
        s=90,
        facecolors="none",
        edgecolors="black",
        linewidths=1.2,
        label="wrong label",
    )
    ax.set(xlabel="feature 1", ylabel="feature 2")
    _set_title(ax, f"{title}: {wrong.sum()} of {len(wrong)} wrong")
    _legend_below(ax)


def plot_majority_vote_errors(
    features, multiannotator_labels, true_labels, title: str = "Majority vote", ax=None
) -> None:
    """:func:`plot_label_errors` for a plain majority vote of the annotations.

    The vote is the one :func:`~helpers.model.pred_probs_from_majority_vote_model`
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

    The bars are one collection, and each id is one text under its bar: an axis tick
    per annotator would make five artists each.

    Parameters
    ----------
    annotator_scores : dict or pandas.Series
        Score of each annotator id.
    highlight : iterable of str
        Ids to colour, e.g. the ones you think are the worst.
    title : str
    ax : matplotlib.axes.Axes, optional
    """
    ax = axes_on(ax, BARS)
    scores = pd.Series(annotator_scores, dtype=float).sort_values(kind="stable")
    marked = set(highlight)
    positions = np.arange(len(scores))
    left, right = positions - BAR_WIDTH / 2, positions + BAR_WIDTH / 2
    heights = scores.to_numpy()
    bars = PolyCollection(
        [[(a, 0), (a, h), (b, h), (b, 0)] for a, b, h in zip(left, right, heights, strict=True)],
        facecolors=[HIGHLIGHT_COLOR if a in marked else BAR_COLOR for a in scores.index],
        edgecolors="none",
        label="_bars",
    )
    ax.add_collection(bars)
    ax.set(ylabel="score", ylim=(0, 1), xticks=[])
    _set_title(ax, title)
    ax.autoscale_view(scaley=False)
    _label_each_bar(ax, positions, [str(annotator) for annotator in scores.index])
    if marked:
        ax.legend(
            handles=[Patch(color=HIGHLIGHT_COLOR, label="highlighted")],
            loc="upper left",
            fontsize="small",
        )


def _label_each_bar(ax, positions, names) -> None:
    """A tick mark under each bar and its name below, drawn as an axis tick would be."""
    below_axis = ax.get_xaxis_transform()
    ax.add_line(
        Line2D(
            positions,
            np.zeros(len(positions)),
            linestyle="none",
            marker=TICKDOWN,
            markersize=TICK_POINTS,
            markeredgewidth=plt.rcParams["xtick.major.width"],
            color=plt.rcParams["xtick.color"],
            transform=below_axis,
            clip_on=False,
        )
    )
    gap = ScaledTranslation(0, -2 * TICK_POINTS / 72, ax.get_figure(root=True).dpi_scale_trans)
    for position, name in zip(positions, names, strict=True):
        ax.text(
            position,
            0,
            name,
            rotation=90,
            ha="center",
            va="top",
            fontsize=ID_FONT_SIZE,
            transform=below_axis + gap,
        )
