"""The multi-annotator lab's toolbox: the data, the model, the plots.

- :func:`~helpers.data.load_lab_data`: the lab's dataset (features, the annotations, and
  the true labels for demonstration), or, where the course gives each student a
  dataset of their own, yours (``load_lab_data(course=...)``, which the set-up cell
  calls for you); :func:`~helpers.simulation.make_multiannotator_data` simulates others
  like it.
- :func:`~helpers.model.out_of_sample_pred_probs`, :func:`~helpers.model.held_out_accuracy`,
  :func:`~helpers.model.accuracy`: the lab's K-nearest-neighbors model and how to score
  labels; :func:`~helpers.model.pred_probs_from_majority_vote_model`: that model fit to a
  plain majority vote, for Exercise 2.
- :func:`~helpers.votes.vote_counts`: how many annotators gave each class to each example.
- :func:`~helpers.plots.plot_labels`, :func:`~helpers.plots.plot_label_errors`,
  :func:`~helpers.plots.plot_majority_vote_errors`, :func:`~helpers.plots.plot_annotator_scores`:
  pictures of the data, of label errors, of annotator scores;
  :func:`~helpers.figures.side_by_side`: a figure with axes in a row for them.

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
