"""The multi-annotator lab's toolbox: the data, the model, the plots.

- :func:`load_lab_data`: the lab's dataset (features, the annotations, and the
  true labels for demonstration), or, where the course gives each student a
  dataset of their own, yours (``load_lab_data(course=...)``, which the set-up cell
  calls for you); :func:`make_multiannotator_data` simulates others like it.
- :func:`out_of_sample_pred_probs`, :func:`held_out_accuracy`, :func:`accuracy`:
  the lab's K-nearest-neighbors model and how to score labels;
  :func:`pred_probs_from_majority_vote_model`: that model fit to a plain
  majority vote, for Exercise 2.
- :func:`vote_counts`: how many annotators gave each class to each example.
- :func:`plot_labels`, :func:`plot_label_errors`, :func:`plot_majority_vote_errors`,
  :func:`plot_annotator_scores`: pictures of the data, of label errors, of
  annotator scores; :func:`side_by_side`: a figure with axes in a row for them.

The test cells call :func:`helpers.checks.check_answer`; you do not need to.
"""

from helpers.data import LAB_SEED, load_lab_data, make_multiannotator_data
from helpers.figures import side_by_side
from helpers.model import (
    accuracy,
    held_out_accuracy,
    out_of_sample_pred_probs,
    pred_probs_from_majority_vote_model,
)
from helpers.plots import (
    plot_annotator_scores,
    plot_label_errors,
    plot_labels,
    plot_majority_vote_errors,
)
from helpers.votes import vote_counts

__all__ = [
    "LAB_SEED",
    "accuracy",
    "held_out_accuracy",
    "load_lab_data",
    "make_multiannotator_data",
    "out_of_sample_pred_probs",
    "plot_annotator_scores",
    "plot_label_errors",
    "plot_labels",
    "plot_majority_vote_errors",
    "pred_probs_from_majority_vote_model",
    "side_by_side",
    "vote_counts",
]
