"""The lab's plots draw what they say, and Jupyter draws each of them once, uncut."""

import base64
import io

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.pylabtools import select_figure_formats
from PIL import Image

import helpers
from helpers.plots import (
    BAR_COLOR,
    HIGHLIGHT_COLOR,
    plot_annotator_scores,
    plot_label_errors,
    plot_labels,
)


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


def test_labels_one_series_per_class(lab, ax):
    plot_labels(lab.features, lab.true_labels, ax=ax)
    sizes = [len(collection.get_offsets()) for collection in ax.collections]
    assert sizes == np.bincount(lab.true_labels).tolist()


def test_label_errors_circles_exactly_the_wrong_ones(lab, ax):
    labels = lab.labels_from_random_annotators
    plot_label_errors(lab.features, labels, lab.true_labels, title="Random", ax=ax)
    wrong = int(np.sum(labels != lab.true_labels))
    assert len(ax.collections[-1].get_offsets()) == wrong
    assert ax.get_title() == f"Random: {wrong} of 299 wrong"
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["class 0", "class 1", "class 2", "wrong label"]


def test_annotator_scores_sorted_and_highlighted(ax):
    scores = {"A0001": 0.9, "A0002": 0.2, "A0003": 0.5}
    plot_annotator_scores(scores, highlight=["A0002"], ax=ax)
    (bars,) = ax.collections
    tops = [path.vertices[:, 1].max() for path in bars.get_paths()]
    assert tops == [0.2, 0.5, 0.9]
    colors = [matplotlib.colors.to_hex(color) for color in bars.get_facecolors()]
    assert colors == [HIGHLIGHT_COLOR.lower(), BAR_COLOR, BAR_COLOR]
    centres = [np.ptp(p.vertices[:, 0]) / 2 + p.vertices[:, 0].min() for p in bars.get_paths()]
    names = [(text.get_position()[0], text.get_text()) for text in ax.texts]
    assert names == list(zip(centres, ["A0002", "A0003", "A0001"], strict=True))


# --- how Jupyter shows them -------------------------------------------------------------------


@pytest.fixture
def shell():
    """An IPython shell whose figure formatter is the inline backend's default (tight bbox)."""
    shell = InteractiveShell.instance()
    select_figure_formats(shell, {"png"}, bbox_inches="tight")
    yield shell
    InteractiveShell.clear_instance()


def shown(shell, figure):
    """The PNG the shell shows for ``figure`` and how many times it drew the figure for it."""
    draws = []
    figure.canvas.mpl_connect("draw_event", draws.append)
    data, _ = shell.display_formatter.format(figure)
    plt.close(figure)
    return Image.open(io.BytesIO(base64.b64decode(data["image/png"]))), len(draws)


def lab_figures(lab):
    """Every figure the notebooks draw, with the notebooks' titles."""
    scores = dict(zip(lab.multiannotator_labels.columns, np.linspace(0, 1, 50), strict=True))
    plot_labels(lab.features, lab.true_labels, title="True classes (hidden from your analysis)")
    yield plt.gcf()
    tie_broken = lab.labels_from_random_annotators
    plot_label_errors(lab.features, tie_broken, lab.true_labels, title="Majority vote, ties broken")
    yield plt.gcf()
    plot_annotator_scores(
        scores,
        highlight=list(scores)[:10],
        title="Agreement with the majority vote (your 10 worst highlighted)",
    )
    yield plt.gcf()
    _, (left, right) = helpers.side_by_side(2)
    helpers.plot_majority_vote_errors(
        lab.features, lab.multiannotator_labels, lab.true_labels, title="Majority vote", ax=left
    )
    plot_label_errors(lab.features, tie_broken, lab.true_labels, title="CROWDLAB", ax=right)
    yield plt.gcf()


def test_each_lab_figure_is_drawn_once_and_nothing_is_cut(shell, lab):
    for figure in lab_figures(lab):
        width, height = figure.get_size_inches() * figure.dpi
        content = figure.get_tightbbox(figure.canvas.get_renderer())
        image, draws = shown(shell, figure)
        assert draws == 1
        # The whole figure, not a crop, and everything it draws inside it.
        assert image.size == (round(width), round(height))
        inches = figure.get_size_inches()
        assert 0 <= content.x0 and content.x1 <= inches[0], content
        assert 0 <= content.y0 and content.y1 <= inches[1], content


def test_a_figure_that_does_not_fit_is_shown_as_jupyter_shows_any_figure(shell, lab):
    """A title wider than the figure: shown cropped to its content, title and all (two draws)."""
    long_title = "A title much longer than any the lab gives, so that it overhangs both sides"
    plot_labels(lab.features, lab.true_labels, title=long_title)
    figure = plt.gcf()
    width = figure.get_size_inches()[0] * figure.dpi
    image, draws = shown(shell, figure)
    assert draws > 1
    assert image.size[0] > width


def test_a_students_own_figure_is_shown_as_before(shell):
    figure, axes = plt.subplots(figsize=(4, 3))
    axes.plot([0, 1], [0, 1])
    axes.set_title("my own plot")
    image, draws = shown(shell, figure)
    assert draws == 2  # measured, then drawn: the inline backend's tight bbox
    assert image.size != (400, 300)
