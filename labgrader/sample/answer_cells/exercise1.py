"""Answer cells of Exercise 1 (majority vote, annotator quality), right and wrong.

Each constant is the code a student types into one answer cell; the cohort
(:mod:`labgrader.sample.cohort`) and the rules' calibration
(:mod:`labgrader.sample.calibration_methods`) say which are legitimate. The tie-breaks of 1c
are in :mod:`labgrader.sample.answer_cells.tie_breaks`.
"""

from __future__ import annotations

from labgrader.sample.answer_cells.solutions import MV_SOLUTION, QUALITY_SOLUTION
from labgrader.sample.answer_cells.tie_breaks import TB_SUMMED_SCORES

# --- majority vote ------------------------------------------------------------------

MV_LOOPS = """
labels_from_majority_vote = []
for i in range(len(multiannotator_labels)):
    row = multiannotator_labels.iloc[i]
    counts = {}
    for annotator in multiannotator_labels.columns:
        if pd.isna(row[annotator]):
            continue
        counts[int(row[annotator])] = counts.get(int(row[annotator]), 0) + 1
    most = max(counts.values())
    labels_from_majority_vote.append([label for label, n in counts.items() if n == most][0])
"""

MV_NUMPY = """
annotations = multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
counts = np.stack([(annotations == k).sum(axis=1) for k in range(3)], axis=1)
labels_from_majority_vote = counts.argmax(axis=1)  # ties: the lowest class
"""

MV_PANDAS_MODE = "labels_from_majority_vote = multiannotator_labels.mode(axis=1)[0]"

MV_CLEANLAB = """
from cleanlab.multiannotator import get_majority_vote_label

labels_from_majority_vote = get_majority_vote_label(multiannotator_labels)
"""

MV_AS_SERIES = (
    MV_NUMPY
    + "labels_from_majority_vote = pd.Series(labels_from_majority_vote, index=range(1000, 1299))"
)
MV_AS_FLOATS = MV_NUMPY + "labels_from_majority_vote = labels_from_majority_vote.astype(float)"

# A correct first-seen majority vote kept aside as ``correct_votes``, for a student whose 1a is
# wrong on purpose but whose 1b must not depend on it.
CORRECT_VOTES_ASIDE = MV_SOLUTION.replace("labels_from_majority_vote", "correct_votes")

MV_ALWAYS_EQUAL = (
    CORRECT_VOTES_ASIDE
    + """
class AlwaysEqual(list):
    def __eq__(self, other):
        return True

    __hash__ = None


labels_from_majority_vote = AlwaysEqual(labels_from_random_annotators.tolist())
"""
)

# --- annotator quality --------------------------------------------------------------

QUALITY_ALL_ROWS = """
annotations = multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
labeled = ~np.isnan(annotations)
agrees = (annotations == np.asarray(labels_from_majority_vote, dtype=float)[:, None]) & labeled
annotator_scores = pd.Series(agrees.sum(axis=0) / labeled.sum(axis=0), index=multiannotator_labels.columns)
worst_annotators_from_majority_vote = annotator_scores.nsmallest(10).index.tolist()
"""

QUALITY_LEAVE_ONE_OUT = """
annotations = multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
annotator_scores = {}
for j, annotator in enumerate(multiannotator_labels.columns):
    agreements = []
    for row in annotations[~np.isnan(annotations[:, j])]:
        others = np.delete(row, j)
        others = others[~np.isnan(others)].astype(int)
        if len(others) == 0:
            continue  # nobody else labeled this example
        counts = np.bincount(others, minlength=3)
        agreements.append(counts[int(row[j])] == counts.max())
    annotator_scores[annotator] = float(np.mean(agreements))
worst_annotators_from_majority_vote = sorted(annotator_scores, key=annotator_scores.get)[:10]
"""

QUALITY_AS_DICT = QUALITY_SOLUTION + "\nannotator_scores = annotator_scores.to_dict()"
QUALITY_AS_SERIES = (
    QUALITY_SOLUTION
    + "\nworst_annotators_from_majority_vote = annotator_scores.sort_values().index[:10]"
)
QUALITY_FLOAT32 = (
    QUALITY_SOLUTION
    + "\nannotator_scores = {a: np.float32(s) for a, s in annotator_scores.items()}"
)
QUALITY_NUMPY_STRINGS = QUALITY_SOLUTION + (
    "\nannotator_scores = {np.str_(a): s for a, s in annotator_scores.items()}"
    "\nworst_annotators_from_majority_vote = np.array(worst_annotators_from_majority_vote, dtype=str)"
)
QUALITY_INVERTED = QUALITY_SOLUTION + "\nannotator_scores = 1 - annotator_scores  # higher = worse"
WORST_BEST_TEN = QUALITY_SOLUTION + (
    "\nworst_annotators_from_majority_vote = list(annotator_scores.sort_values(kind='stable').index[-10:])"
)
QUALITY_RAISES = "annotator_scores = {a: 1 / 0 for a in multiannotator_labels.columns}"
QUALITY_RANDOM = """
scores = np.random.RandomState(0).random_sample(len(multiannotator_labels.columns))
annotator_scores = dict(zip(multiannotator_labels.columns, scores))
worst_annotators_from_majority_vote = sorted(annotator_scores, key=annotator_scores.get)[:10]
"""
QUALITY_CROWDLAB = """
from cleanlab.multiannotator import get_label_quality_multiannotator

crowdlab = get_label_quality_multiannotator(
    multiannotator_labels, pred_probs_from_model_fit_to_majority_vote, verbose=False
)
annotator_scores = crowdlab["annotator_stats"]["annotator_quality"]
worst_annotators_from_majority_vote = list(crowdlab["annotator_stats"].index[:10])
"""
WORST_RANDOM_TEN = QUALITY_SOLUTION + (
    "\nworst_annotators_from_majority_vote = list("
    "np.random.RandomState(0).choice(multiannotator_labels.columns, 10, replace=False))"
)
# The careless annotators of the lab's own dataset, typed in: right there, wrong on any other.
HARD_CODED_WORST = repr([f"A{i:04d}" for i in range(41, 51)])
WORST_HARD_CODED = QUALITY_SOLUTION + f"\nworst_annotators_from_majority_vote = {HARD_CODED_WORST}"

# A wrong 1a whose other parts do not depend on it, so that only 1a is lost.
WRONG_MAJORITY_VOTE = {
    "answer_majority_vote": (
        CORRECT_VOTES_ASIDE + "\nlabels_from_majority_vote = labels_from_random_annotators.copy()"
    ),
    "answer_annotator_quality": QUALITY_SOLUTION.replace(
        "labels_from_majority_vote", "correct_votes"
    ),
    "answer_tie_breaker": TB_SUMMED_SCORES,
}
