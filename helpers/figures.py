"""Figures laid out when they are made, so that Jupyter draws each of them once, uncut.

An ordinary figure is shown with ``bbox_inches="tight"``: Jupyter draws it a first time to
measure it, then again to save it. The lab's figures (:class:`LabFigure`) have fixed margins
around axes of a fixed size (:class:`Layout`), with room left for the title, the axis labels and
the legend below, so they are shown as they are. When something does not fit in the margins
after all (a long title, large tick labels), the figure is shown the ordinary way, so nothing
is ever cut.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


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


def new_figure(layout: Layout, ncols: int = 1, **subplots):
    """A :class:`LabFigure` laid out as ``layout``, with ``ncols`` axes in a row."""
    figure = plt.figure(figsize=layout.figure_size(ncols), FigureClass=LabFigure)
    axes = figure.subplots(1, ncols, squeeze=False, **subplots)[0]
    figure.subplots_adjust(**layout.subplot_parameters(ncols))
    _show_lab_figures_once()
    return figure, axes


def axes_on(ax, layout: Layout):
    """``ax`` if given, else the axes of a new figure laid out as ``layout``."""
    return new_figure(layout)[1][0] if ax is None else ax


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
    return new_figure(SCATTER, ncols, sharex=True, sharey=True)


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
