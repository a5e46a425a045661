"""Answer cells written by the synthetic students of :mod:`tests.cohort`.

Each constant is the code a student types into one answer cell. Names that
end in ``_SOLUTION`` are the instructor's, read from the source notebooks.
"""

from __future__ import annotations

import json
from pathlib import Path

import helpers
from helpers.checks import answer_record
from labgrader.methods import majority_vote
from labgrader.submissions import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers

_SOURCE = Path(__file__).resolve().parents[1] / "source" / ASSIGNMENT
EX1, EX2 = NOTEBOOKS
SOLUTION = {nb: solution_answers(read_notebook(_SOURCE / f"{nb}.ipynb")) for nb in NOTEBOOKS}
MV_SOLUTION = SOLUTION[EX1]["answer_majority_vote"]
QUALITY_SOLUTION = SOLUTION[EX1]["answer_annotator_quality"]
TIE_BREAK_SOLUTION = SOLUTION[EX1]["answer_tie_breaker"]
PP_SOLUTION = SOLUTION[EX2]["answer_pred_probs_for_crowdlab"]
CROWDLAB_SOLUTION = SOLUTION[EX2]["answer_crowdlab"]

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

# --- tie-breaks ---------------------------------------------------------------------

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

# A wrong 1a whose other parts do not depend on it, so that only 1a is lost.
WRONG_MAJORITY_VOTE = {
    "answer_majority_vote": (
        CORRECT_VOTES_ASIDE + "\nlabels_from_majority_vote = labels_from_random_annotators.copy()"
    ),
    "answer_annotator_quality": QUALITY_SOLUTION.replace(
        "labels_from_majority_vote", "correct_votes"
    ),
    "answer_tie_breaker": TB_LOWEST_CLASS,
}

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

# A plot far larger than any text limit: its PNG must reach the feedback whole.
BIG_PLOT = """
import matplotlib.pyplot as plt

noise = np.random.RandomState(7).random_sample((40_000, 2))
figure, axes = plt.subplots(figsize=(9, 9), dpi=110)
axes.scatter(*noise.T, s=1, c=noise[:, 0], cmap="viridis")
plt.show()
"""

# --- faults and cheats --------------------------------------------------------------

LOOP_IGNORING_INTERRUPTS = """
import time

while True:
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass
"""

WARNINGS_ALWAYS = 'import warnings\n\nwarnings.simplefilter("always")\n'

OVERWRITE_TRUTH_WITH_TIE_BREAK = (
    "\ntrue_labels = np.asarray(labels_from_majority_vote_after_tie_breaker)  # now 'perfect'"
    "\nX = X[:, ::-1].copy()"
)
OVERWRITE_TRUTH_WITH_CROWDLAB = "\ntrue_labels = np.asarray(labels_from_crowdlab)\nX = X * 0"

_FAKE_HELPERS = '''"""Not the course's helpers: a cheat that forges a pass for 1a and defers the rest."""
import importlib.util
import json
import sys
import types
from pathlib import Path

REAL = Path({real!r})
__path__ = [str(REAL)]  # so helpers.data, helpers.model, ... are the real modules
exec(compile((REAL / "__init__.py").read_text(), str(REAL / "__init__.py"), "exec"))

_spec = importlib.util.spec_from_file_location("helpers._real_checks", REAL / "checks.py")
_real = sys.modules["helpers._real_checks"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_real)
_FORGED = json.loads({forged!r})


def check_answer(part, *values, hidden=False):
    if part not in _FORGED:
        return _real.check_answer(part, *values, hidden=hidden)
    if not hidden:
        from IPython.display import display

        display({{_real.ANSWER_MIME_TYPE: _FORGED[part], "text/plain": "(recorded)"}}, raw=True)
    print("Passed")


checks = types.ModuleType("helpers.checks")
checks.check_answer = check_answer
sys.modules["helpers.checks"] = checks
'''


def fake_helpers() -> str:
    """Source of a ``helpers`` stand-in that forges the record of a correct 1a.

    The same text works as ``helpers/__init__.py`` and as ``helpers.py``.
    """
    lab = helpers.load_lab_data()
    forged = {
        "majority_vote": answer_record("majority_vote", majority_vote(lab.multiannotator_labels))
    }
    return _FAKE_HELPERS.format(real=str(Path(helpers.__file__).parent), forged=json.dumps(forged))
