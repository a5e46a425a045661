"""Answer cells of Exercise 2 (pred_probs for CROWDLAB, its consensus, its ten worst), right and
wrong."""

from __future__ import annotations

from labgrader.sample.answer_cells.exercise1 import HARD_CODED_WORST
from labgrader.sample.answer_cells.solutions import MV_SOLUTION, QUALITY_SOLUTION
from labgrader.sample.answer_cells.tie_breaks import TB_MIN_SCORE

# --- Exercise 2 ---------------------------------------------------------------------

PP_AS_LIST = "pred_probs_for_crowdlab = pred_probs_from_model_fit_to_majority_vote.tolist()"
PP_AS_FRAME = "pred_probs_for_crowdlab = pd.DataFrame(pred_probs_from_model_fit_to_majority_vote, columns=['p0', 'p1', 'p2'])"
PP_ORACLE = "pred_probs_for_crowdlab = pred_probs_from_unrealistic_model_fit_to_true_labels"
PP_RANDOM_ANNOTATORS = "pred_probs_for_crowdlab = pred_probs_from_model_fit_to_random_annotators"
PP_OWN_MODEL = """
vote_counts = helpers.vote_counts(multiannotator_labels)
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
tie_broken = np.where(is_most_voted, pred_probs_from_model_fit_to_majority_vote, -1).argmax(axis=1)
pred_probs_for_crowdlab = train_model(tie_broken)
"""
PP_EXERCISE1_MODEL = (
    MV_SOLUTION + "\npred_probs_for_crowdlab = train_model(labels_from_majority_vote)"
)
# The original lab's Exercise 2: the model fit to a vote whose ties go to the best-scored class.
PP_ANNOTATOR_SCORE_MODEL = "\n".join(
    (
        MV_SOLUTION,
        QUALITY_SOLUTION,
        "vote_counts = helpers.vote_counts(multiannotator_labels)",
        TB_MIN_SCORE,
        "pred_probs_for_crowdlab = train_model(labels_from_majority_vote_after_tie_breaker)",
    )
)
PP_IN_SAMPLE = """
from sklearn.neighbors import KNeighborsClassifier

model_labels = pred_probs_from_model_fit_to_majority_vote.argmax(axis=1)
model = KNeighborsClassifier(weights="distance").fit(X, model_labels)
pred_probs_for_crowdlab = model.predict_proba(X)  # each example is in its own training set
"""

_CROWDLAB_ON = """
from cleanlab.multiannotator import get_label_quality_multiannotator

crowdlab_results = get_label_quality_multiannotator(multiannotator_labels, {pred_probs}, verbose=False)
labels_from_crowdlab = crowdlab_results["label_quality"]["consensus_label"]
"""
CROWDLAB_AS_LIST = (
    _CROWDLAB_ON.format(pred_probs="np.array(pred_probs_for_crowdlab)")
    + "labels_from_crowdlab = labels_from_crowdlab.tolist()"
)
CROWDLAB_AS_FLOATS = (
    _CROWDLAB_ON.format(pred_probs="pred_probs_for_crowdlab")
    + "labels_from_crowdlab = labels_from_crowdlab.astype(float)"
)
CROWDLAB_OTHER_PRED_PROBS = _CROWDLAB_ON.format(
    pred_probs="pred_probs_from_model_fit_to_majority_vote"
) + (
    "pred_probs_for_crowdlab = pred_probs_from_model_fit_to_random_annotators  # not what CROWDLAB saw"
)
CROWDLAB_FROM_FRAME = _CROWDLAB_ON.format(pred_probs="pred_probs_for_crowdlab.to_numpy()")

WORST_CROWDLAB_FRAME = (
    'worst_annotators_from_crowdlab = crowdlab_results["annotator_stats"].head(10)'
)
WORST_CROWDLAB_NUMPY_STRINGS = 'worst_annotators_from_crowdlab = np.array(crowdlab_results["annotator_stats"].index[:10], dtype=str)'
WORST_CROWDLAB_RANDOM_TEN = (
    "worst_annotators_from_crowdlab = list("
    "np.random.RandomState(0).choice(multiannotator_labels.columns, 10, replace=False))"
)
WORST_CROWDLAB_HARD_CODED = f"worst_annotators_from_crowdlab = {HARD_CODED_WORST}"
WORST_CROWDLAB_BEST_TEN = (
    'worst_annotators_from_crowdlab = list(crowdlab_results["annotator_stats"].index[-10:])'
)
