"""Course helpers for the multi-annotator dataset-curation lab.

The notebooks use these names; the modules hold the details:
:mod:`helpers.data` (the simulated dataset), :mod:`helpers.model` (the
classifier), :mod:`helpers.consensus` (reference majority votes and annotator
agreement), :mod:`helpers.plots`, :mod:`helpers.parts` (the graded parts and
their properties) and :mod:`helpers.checks` (running them, in the kernel and in
the grader). :mod:`helpers.grading` holds the nbgrader extensions.
"""

from helpers.consensus import annotator_agreement, majority_vote, vote_counts, worst_annotators
from helpers.data import LAB_SEED, load_lab_data, make_multiannotator_data
from helpers.model import accuracy, held_out_accuracy, out_of_sample_pred_probs
from helpers.plots import plot_annotator_scores, plot_label_errors, plot_labels

__all__ = [
    "LAB_SEED",
    "accuracy",
    "annotator_agreement",
    "held_out_accuracy",
    "load_lab_data",
    "majority_vote",
    "make_multiannotator_data",
    "out_of_sample_pred_probs",
    "plot_annotator_scores",
    "plot_label_errors",
    "plot_labels",
    "vote_counts",
    "worst_annotators",
]
