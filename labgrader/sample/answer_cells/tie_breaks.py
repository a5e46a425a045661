"""Answer cells of 1c, the tie-breaks: informed ones, fixed rules, and wrong ones.

Informed tie-breaks look at the example (a model's pred_probs for it, the annotators who voted
for each tied class); fixed ones never do (always the lowest class, the class rarest in the
dataset, the class given first reading the annotator columns). The rules' calibration says
which are legitimate (:mod:`labgrader.sample.calibration_methods`).
"""

from __future__ import annotations

from labgrader.sample.answer_cells.solutions import TIE_BREAK_SOLUTION

TB_LOWEST_CLASS = "labels_from_majority_vote_after_tie_breaker = vote_counts.argmax(axis=1)"

TB_SUMMED_SCORES = """
annotations = multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
scores = pd.Series(annotator_scores).reindex(multiannotator_labels.columns).to_numpy()
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
support = np.stack([np.where(annotations == k, scores, 0).sum(axis=1) for k in range(3)], axis=1)
labels_from_majority_vote_after_tie_breaker = np.where(is_most_voted, support, -1).argmax(axis=1)
"""

TB_MIN_SCORE = """
annotations = multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
scores = pd.Series(annotator_scores).reindex(multiannotator_labels.columns).to_numpy()
labels_from_majority_vote_after_tie_breaker = []
for row, counts in zip(annotations, vote_counts):
    tied = np.flatnonzero(counts == counts.max())
    least_trusted = [scores[row == k].min() for k in tied]
    labels_from_majority_vote_after_tie_breaker.append(int(tied[np.argmax(least_trusted)]))
"""

TB_CLEANLAB = """
from cleanlab.multiannotator import get_majority_vote_label

labels_from_majority_vote_after_tie_breaker = get_majority_vote_label(
    multiannotator_labels, pred_probs_from_model_fit_to_majority_vote
)
"""

TB_RANDOM = """
chooser = np.random.RandomState(0)
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
labels_from_majority_vote_after_tie_breaker = np.array(
    [chooser.choice(np.flatnonzero(row)) for row in is_most_voted]
)
"""

TB_FIRST_SEEN = "labels_from_majority_vote_after_tie_breaker = labels_from_majority_vote"

TB_AS_LIST = TIE_BREAK_SOLUTION + (
    "\nlabels_from_majority_vote_after_tie_breaker = [int(k) for k in labels_from_majority_vote_after_tie_breaker]"
)

TB_LEAST_LIKELY = """
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
labels_from_majority_vote_after_tie_breaker = np.where(
    is_most_voted, -pred_probs_from_model_fit_to_majority_vote, -np.inf
).argmax(axis=1)
"""


# --- informed: each tie by something about the example -------------------------------

TB_OWN_MODEL = """
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

own_pred_probs = cross_val_predict(
    LogisticRegression(max_iter=1000), X, np.asarray(labels_from_majority_vote), cv=5,
    method="predict_proba",
)
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
labels_from_majority_vote_after_tie_breaker = np.where(is_most_voted, own_pred_probs, -1).argmax(axis=1)
"""

_TB_BY_SCORES = """
annotations = multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
scores = pd.Series(annotator_scores).reindex(multiannotator_labels.columns).to_numpy()
support = np.full(vote_counts.shape, -np.inf)  # {how} score of the annotators who gave each class
for k in range(vote_counts.shape[1]):
    gave_k = annotations == k
    for row in np.flatnonzero(gave_k.any(axis=1)):
        support[row, k] = np.{how}(scores[gave_k[row]])
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
labels_from_majority_vote_after_tie_breaker = np.where(is_most_voted, support, -np.inf).argmax(axis=1)
"""
TB_MEAN_SCORE = _TB_BY_SCORES.format(how="mean")
TB_MAX_SCORE = _TB_BY_SCORES.format(how="max")

# Dawid and Skene's EM: each annotator's confusion matrix and each example's class, in turn.
TB_EM = """
annotations = multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
n_classes = vote_counts.shape[1]
posterior = np.eye(n_classes)[np.asarray(labels_from_majority_vote, dtype=int)]
for _ in range(10):
    log_posterior = np.tile(np.log(posterior.mean(axis=0)), (len(annotations), 1))
    for j in range(annotations.shape[1]):
        given = ~np.isnan(annotations[:, j])
        confusion = np.full((n_classes, n_classes), 0.01)
        for label in range(n_classes):
            confusion[:, label] += posterior[given & (annotations[:, j] == label)].sum(axis=0)
        confusion /= confusion.sum(axis=1, keepdims=True)
        log_posterior[given] += np.log(confusion[:, annotations[given, j].astype(int)].T)
    posterior = np.exp(log_posterior - log_posterior.max(axis=1, keepdims=True))
    posterior /= posterior.sum(axis=1, keepdims=True)
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
labels_from_majority_vote_after_tie_breaker = np.where(is_most_voted, posterior, -1).argmax(axis=1)
"""

# CROWDLAB's consensus where it is one of the tied classes, else the model's choice among them.
TB_CROWDLAB_RESTRICTED = """
from cleanlab.multiannotator import get_label_quality_multiannotator

crowdlab = get_label_quality_multiannotator(
    multiannotator_labels, pred_probs_from_model_fit_to_majority_vote, verbose=False
)
consensus = crowdlab["label_quality"]["consensus_label"].to_numpy()
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
by_model = np.where(is_most_voted, pred_probs_from_model_fit_to_majority_vote, -1).argmax(axis=1)
consensus_is_tied = is_most_voted[np.arange(len(consensus)), consensus]
labels_from_majority_vote_after_tie_breaker = np.where(consensus_is_tied, consensus, by_model)
"""

# 1a already breaks ties by a model (the one fit to one random annotation per example, the only
# one there is before 1a), and 1c is the same labels.
MV_BY_A_MODEL = """
vote_counts = helpers.vote_counts(multiannotator_labels)
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
labels_from_majority_vote = np.where(
    is_most_voted, pred_probs_from_model_fit_to_random_annotators, -1
).argmax(axis=1)
"""
TB_SAME_AS_1A = "labels_from_majority_vote_after_tie_breaker = labels_from_majority_vote"

# --- fixed: each tie by a rule that never looks at the example -----------------------

TB_HIGHEST_CLASS = """
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
labels_from_majority_vote_after_tie_breaker = vote_counts.shape[1] - 1 - is_most_voted[:, ::-1].argmax(axis=1)
"""

_TB_BY_FREQUENCY = """
is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)
frequency = {frequency}  # how often each class occurs in the whole dataset
labels_from_majority_vote_after_tie_breaker = np.where(is_most_voted, {sign}frequency, -np.inf).argmax(axis=1)
"""
_BY_VOTES = "vote_counts.sum(axis=0)"
_BY_MAJORITY = (
    "np.bincount(np.asarray(labels_from_majority_vote, dtype=int), minlength=vote_counts.shape[1])"
)
TB_MOST_FREQUENT_BY_VOTES = _TB_BY_FREQUENCY.format(frequency=_BY_VOTES, sign="")
TB_LEAST_FREQUENT_BY_VOTES = _TB_BY_FREQUENCY.format(frequency=_BY_VOTES, sign="-")
TB_MOST_FREQUENT_BY_MAJORITY = _TB_BY_FREQUENCY.format(frequency=_BY_MAJORITY, sign="")
TB_LEAST_FREQUENT_BY_MAJORITY = _TB_BY_FREQUENCY.format(frequency=_BY_MAJORITY, sign="-")

# cleanlab's majority vote without pred_probs: a tie goes to the class rarest in the dataset.
TB_CLEANLAB_WITHOUT_PRED_PROBS = """
from cleanlab.multiannotator import get_majority_vote_label

labels_from_majority_vote_after_tie_breaker = get_majority_vote_label(multiannotator_labels, verbose=False)
"""
