"""Pictures for the lab: the data by label, where consensus labels go wrong, annotator quality.

Every function draws on the ``ax`` it is given, or on a new figure, and
returns nothing, so a notebook cell that ends with one shows the plot once.

The figures these functions make are laid out when they are made (fixed margins
around axes of a fixed size, room left for the title, the axis labels and the
legend below), so Jupyter draws each of them once. An ordinary figure is shown
with ``bbox_inches="tight"``: Jupyter draws it a first time to measure it, then
again to save it. When something does not fit in the margins after all (a long
title, large tick labels), the figure is shown the ordinary way, so nothing is
ever cut.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.markers import TICKDOWN
from matplotlib.patches import Patch
from matplotlib.transforms import ScaledTranslation

from helpers.votes import _plain_majority_vote

CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73")  # Okabe-Ito: distinguishable in colour blindness
HIGHLIGHT_COLOR = "#D55E00"
BAR_COLOR = "#999999"
BAR_WIDTH = 0.8
ID_FONT_SIZE = 7
TICK_POINTS = 3.5  # matplotlib's major tick length, and the gap between a tick and its label


@dataclass(frozen=True)
class Layout:
    """Where the axes sit in a figure, in inches.

    Attributes
    ----------
    axes : tuple of float
        Width and height of each axes.
    left, right, bottom, top : float
        Margins around the axes: tick labels and axis label, the title, the legend.
    gap : float
        Space between axes side by side.
    """

    axes: tuple
    left: float
    right: float
    bottom: float
    top: float
    gap: float = 0.0

    def figure_size(self, ncols: int = 1) -> tuple:
        width = self.left + ncols * self.axes[0] + (ncols - 1) * self.gap + self.right
        return width, self.bottom + self.axes[1] + self.top

    def subplot_parameters(self, ncols: int = 1) -> dict:
        width, height = self.figure_size(ncols)
        return {
            "left": self.left / width,
            "right": 1 - self.right / width,
            "bottom": self.bottom / height,
            "top": 1 - self.top / height,
            "wspace": self.gap / self.axes[0],
        }


# The axes keep the size they had when these figures were cropped to fit; the margins hold the
# title above, the tick labels and axis labels, and the legend below the axes.
SCATTER = Layout(axes=(4.26, 3.47), left=0.6, right=0.15, bottom=0.9, top=0.33, gap=0.78)
BARS = Layout(axes=(8.53, 2.7), left=0.62, right=0.15, bottom=0.55, top=0.33)


class LabFigure(Figure):
    """A figure of this module: laid out when made, so Jupyter draws it once to show it."""


def _new_figure(layout: Layout, ncols: int = 1, **subplots):
    figure = plt.figure(figsize=layout.figure_size(ncols), FigureClass=LabFigure)
    axes = figure.subplots(1, ncols, squeeze=False, **subplots)[0]
    figure.subplots_adjust(**layout.subplot_parameters(ncols))
    _show_lab_figures_once()
    return figure, axes


def _axes(ax, layout: Layout):
    return _new_figure(layout)[1][0] if ax is None else ax


def side_by_side(ncols: int = 2):
    """A figure with ``ncols`` axes in a row, sharing both axes, for the scatter plots here.

    Parameters
    ----------
    ncols : int
        Number of axes.

    Returns
    -------
    figure : matplotlib.figure.Figure
    axes : numpy.ndarray of matplotlib.axes.Axes
        Pass each as ``ax=`` to a plot function.
    """
    return _new_figure(SCATTER, ncols, sharex=True, sharey=True)


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
    ax = _axes(ax, SCATTER)
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
    ax = _axes(ax, SCATTER)
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
    ax = _axes(ax, BARS)
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


# --- showing a LabFigure in Jupyter -----------------------------------------------------------

FIGURE_FORMATS = ("image/png", "image/jpeg", "image/svg+xml", "application/pdf")


def _show_lab_figures_once() -> None:
    """Teach this IPython shell, if any, to show a :class:`LabFigure` without a tight bbox."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return
    for mime in FIGURE_FORMATS:
        formatter = shell.display_formatter.formatters.get(mime)
        if formatter is not None and LabFigure not in formatter.type_printers:
            formatter.for_type(LabFigure, functools.partial(_print_lab_figure, formatter))


def _print_lab_figure(formatter, figure: LabFigure):
    """Show ``figure`` as the shell shows any figure in this format, but drawn once."""
    try:
        printer = formatter.lookup_by_type(Figure)  # the shell's current setting
    except KeyError:
        return None  # this format is switched off for figures
    if not _takes_a_bbox(printer):
        return printer(figure)
    shown = printer(figure, bbox_inches=None)
    return shown if _nothing_cut(figure) else printer(figure)


def _takes_a_bbox(printer) -> bool:
    from IPython.core import pylabtools

    return isinstance(printer, functools.partial) and printer.func in (
        pylabtools.print_figure,
        pylabtools.retina_figure,
    )


def _nothing_cut(figure: Figure) -> bool:
    """Whether everything the figure draws lies inside it (measured after it was drawn)."""
    get_renderer = getattr(figure.canvas, "get_renderer", None)
    if get_renderer is None:
        return False
    content = figure.get_tightbbox(get_renderer())  # inches; cheap once the text is laid out
    width, height = figure.get_size_inches()
    slack = 1 / figure.dpi
    return (
        content.x0 >= -slack
        and content.y0 >= -slack
        and content.x1 <= width + slack
        and content.y1 <= height + slack
    )
