"""The lab's plots draw what they say."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from helpers.plots import HIGHLIGHT_COLOR, plot_annotator_scores, plot_label_errors, plot_labels  # noqa: E402


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


def test_annotator_scores_sorted_and_highlighted(ax):
    scores = {"A0001": 0.9, "A0002": 0.2, "A0003": 0.5}
    plot_annotator_scores(scores, highlight=["A0002"], ax=ax)
    heights = [bar.get_height() for bar in ax.patches]
    assert heights == [0.2, 0.5, 0.9]
    assert matplotlib.colors.to_hex(ax.patches[0].get_facecolor()) == HIGHLIGHT_COLOR.lower()
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["A0002", "A0003", "A0001"]
