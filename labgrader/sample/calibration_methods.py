"""The methods the rules are calibrated on: the cohort's answer cells, and what each must get.

Each :class:`Run` is one way a student answers a notebook: the answer cells it changes (code
from :mod:`labgrader.sample.answer_cells`; the other answer cells keep the instructor's solutions), and,
for each part it is judged on, whether it is a legitimate method (must pass on every dataset),
a wrong one (must fail on nearly all) or neither (reported only).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from labgrader.sample.answer_cells import exercise1 as one
from labgrader.sample.answer_cells import exercise2 as two
from labgrader.sample.answer_cells import tie_breaks as ties

LEGITIMATE, WRONG, EITHER = "legitimate", "wrong", "either"
EX1, EX2 = "exercise1_majority_vote", "exercise2_crowdlab"
MV, QUALITY, TIE_BREAK = "answer_majority_vote", "answer_annotator_quality", "answer_tie_breaker"
PRED_PROBS, CROWDLAB, WORST_CROWDLAB = (
    "answer_pred_probs_for_crowdlab",
    "answer_crowdlab",
    "answer_worst_annotators_crowdlab",
)
SCORES, WORST, TIES = "annotator_scores", "worst_annotators_majority_vote", "tie_breaker"
EX1_ALL = ("majority_vote", SCORES, WORST, TIES)
EX2_ALL = ("pred_probs_for_crowdlab", "crowdlab_labels", "worst_annotators_crowdlab")


@dataclass(frozen=True)
class Run:
    """One way of answering a notebook, and what each part it is judged on must get."""

    name: str
    notebook: str
    answers: dict = field(default_factory=dict)  # answer cell grade_id -> code
    judged: dict = field(default_factory=dict)  # part -> LEGITIMATE | WRONG | EITHER


def legit(*parts: str) -> dict:
    return dict.fromkeys(parts, LEGITIMATE)


RUNS = [
    # Exercise 1, legitimate.
    Run("instructor: first-seen vote, agreement on shared rows, ties by the model", EX1,
        {}, legit(*EX1_ALL)),
    Run("NumPy counts, every tie to the lowest class (1a and 1c)", EX1,
        {MV: one.MV_NUMPY, TIE_BREAK: ties.TB_LOWEST_CLASS}, {"majority_vote": LEGITIMATE, TIES: WRONG}),
    Run("plain loops, first seen", EX1, {MV: one.MV_LOOPS}, legit("majority_vote")),
    Run("pandas mode; agreement on all rows; ties by summed scores", EX1,
        {MV: one.MV_PANDAS_MODE, QUALITY: one.QUALITY_ALL_ROWS, TIE_BREAK: ties.TB_SUMMED_SCORES},
        legit(*EX1_ALL)),
    Run("cleanlab's majority vote; agreement on all rows; cleanlab's tie-break by pred_probs", EX1,
        {MV: one.MV_CLEANLAB, QUALITY: one.QUALITY_ALL_ROWS, TIE_BREAK: ties.TB_CLEANLAB},
        legit(*EX1_ALL)),
    Run("leave-one-out agreement; ties by the least trusted supporter", EX1,
        {QUALITY: one.QUALITY_LEAVE_ONE_OUT, TIE_BREAK: ties.TB_MIN_SCORE},
        legit(SCORES, WORST, TIES)),
    Run("CROWDLAB's annotator quality (Exercise 1's model) as the scores", EX1,
        {QUALITY: one.QUALITY_CROWDLAB}, legit(SCORES, WORST)),
    # Exercise 1, wrong, and neither.
    Run("one random annotation per row as the vote", EX1, one.WRONG_MAJORITY_VOTE,
        {"majority_vote": WRONG}),
    Run("ties to the class the model finds least likely", EX1, {TIE_BREAK: ties.TB_LEAST_LIKELY},
        {TIES: WRONG}),
    Run("ties broken at random", EX1, {TIE_BREAK: ties.TB_RANDOM}, {TIES: EITHER}),
    # 1c, legitimate: every tie by something about the example.
    Run("ties by a model of one's own (logistic regression on the vote)", EX1,
        {TIE_BREAK: ties.TB_OWN_MODEL}, legit(TIES)),
    Run("ties by the mean score of each tied class's voters", EX1,
        {TIE_BREAK: ties.TB_MEAN_SCORE}, legit(TIES)),
    Run("ties by the best score among each tied class's voters", EX1,
        {TIE_BREAK: ties.TB_MAX_SCORE}, legit(TIES)),
    Run("ties by EM-style weighted votes (Dawid and Skene)", EX1, {TIE_BREAK: ties.TB_EM},
        legit(TIES)),
    Run("ties by CROWDLAB's consensus, restricted to the tied classes", EX1,
        {TIE_BREAK: ties.TB_CROWDLAB_RESTRICTED}, legit(TIES)),
    Run("1a breaks ties by the one-random-annotation model; 1c the same labels", EX1,
        {MV: ties.MV_BY_A_MODEL, TIE_BREAK: ties.TB_SAME_AS_1A}, legit("majority_vote", TIES)),
    # 1c, wrong: every tie by a rule that never looks at the example.
    Run("ties to the class seen first", EX1, {TIE_BREAK: ties.TB_FIRST_SEEN}, {TIES: WRONG}),
    Run("ties to the highest class", EX1, {TIE_BREAK: ties.TB_HIGHEST_CLASS}, {TIES: WRONG}),
    Run("ties to the class most frequent in the dataset (by votes)", EX1,
        {TIE_BREAK: ties.TB_MOST_FREQUENT_BY_VOTES}, {TIES: WRONG}),
    Run("ties to the class least frequent in the dataset (by votes)", EX1,
        {TIE_BREAK: ties.TB_LEAST_FREQUENT_BY_VOTES}, {TIES: WRONG}),
    Run("ties to the class most frequent in the dataset (by majority vote)", EX1,
        {TIE_BREAK: ties.TB_MOST_FREQUENT_BY_MAJORITY}, {TIES: WRONG}),
    Run("ties to the class least frequent in the dataset (by majority vote)", EX1,
        {TIE_BREAK: ties.TB_LEAST_FREQUENT_BY_MAJORITY}, {TIES: WRONG}),
    Run("cleanlab's majority vote without pred_probs as 1c (ties to the rarest class)", EX1,
        {TIE_BREAK: ties.TB_CLEANLAB_WITHOUT_PRED_PROBS}, {TIES: WRONG}),
    Run("inverted scores (1 - agreement)", EX1, {QUALITY: one.QUALITY_INVERTED}, {SCORES: WRONG}),
    Run("random scores, and the ten they rank lowest", EX1, {QUALITY: one.QUALITY_RANDOM},
        {SCORES: WRONG, WORST: WRONG}),
    Run("ten annotators picked at random", EX1, {QUALITY: one.WORST_RANDOM_TEN}, {WORST: WRONG}),
    Run("the ten best as the worst", EX1, {QUALITY: one.WORST_BEST_TEN}, {WORST: WRONG}),
    Run("A0041..A0050 typed in (the lab's own careless ones)", EX1,
        {QUALITY: one.WORST_HARD_CODED}, {WORST: WRONG}),
    # Exercise 2, legitimate: CROWDLAB on a majority-vote model.
    Run("instructor: the given model (plain vote, ties to the lowest class)", EX2,
        {}, legit(*EX2_ALL)),
    Run("a model fit to the vote with ties broken by the model", EX2,
        {PRED_PROBS: two.PP_OWN_MODEL}, legit(*EX2_ALL)),
    Run("Exercise 1's model (first-seen vote)", EX2,
        {PRED_PROBS: two.PP_EXERCISE1_MODEL}, legit(*EX2_ALL)),
    Run("the original lab's model (ties by annotator score)", EX2,
        {PRED_PROBS: two.PP_ANNOTATOR_SCORE_MODEL}, legit(*EX2_ALL)),
    # Exercise 2, wrong, and neither.
    Run("the one-random-annotation model", EX2, {PRED_PROBS: two.PP_RANDOM_ANNOTATORS},
        {"pred_probs_for_crowdlab": LEGITIMATE, "crowdlab_labels": WRONG,
         "worst_annotators_crowdlab": EITHER}),
    Run("the model fit to the true labels", EX2, {PRED_PROBS: two.PP_ORACLE},
        {"pred_probs_for_crowdlab": WRONG, "crowdlab_labels": EITHER}),
    Run("in-sample pred_probs", EX2, {PRED_PROBS: two.PP_IN_SAMPLE},
        {"pred_probs_for_crowdlab": WRONG, "crowdlab_labels": WRONG}),
    Run("CROWDLAB's ten best as the worst", EX2, {WORST_CROWDLAB: two.WORST_CROWDLAB_BEST_TEN},
        {"worst_annotators_crowdlab": WRONG}),
    Run("ten annotators picked at random", EX2, {WORST_CROWDLAB: two.WORST_CROWDLAB_RANDOM_TEN},
        {"worst_annotators_crowdlab": WRONG}),
    Run("A0041..A0050 typed in (the lab's own careless ones)", EX2,
        {WORST_CROWDLAB: two.WORST_CROWDLAB_HARD_CODED}, {"worst_annotators_crowdlab": WRONG}),
]  # fmt: skip

COPIED = "a classmate's answers, handed in verbatim"
"""Not a run of its own: the instructor's answers computed on a classmate's dataset."""

FIXED_RULES = (
    "NumPy counts, every tie to the lowest class (1a and 1c)",
    "ties to the class seen first",
    "ties to the highest class",
    "ties to the class most frequent in the dataset (by votes)",
    "ties to the class least frequent in the dataset (by votes)",
    "ties to the class most frequent in the dataset (by majority vote)",
    "ties to the class least frequent in the dataset (by majority vote)",
    "cleanlab's majority vote without pred_probs as 1c (ties to the rarest class)",
)
"""The tie-breaks that never look at the example, which 1c must fail."""

AIMED_AT = {
    "TIE_BREAK_MAX_LOSS": ("ties to the class the model finds least likely",),
    "TIE_BREAK_FIXED_RULE_MAX_SHARE": FIXED_RULES,
    "SCORES_MIN_SHARE": (
        "inverted scores (1 - agreement)",
        "random scores, and the ten they rank lowest",
        COPIED,
    ),
    "MAJORITY_VOTE_WORST_MIN_SHARE": (
        "random scores, and the ten they rank lowest",
        "ten annotators picked at random",
        "the ten best as the worst",
        "A0041..A0050 typed in (the lab's own careless ones)",
        COPIED,
    ),
    "CROWDLAB_WORST_MIN_SHARE": (
        "CROWDLAB's ten best as the worst",
        "ten annotators picked at random",
        "A0041..A0050 typed in (the lab's own careless ones)",
        COPIED,
    ),
    "CROWDLAB_MODEL_MAX_LOSS": ("the one-random-annotation model",),
    "PRED_PROBS_MIN_KAPPA": (COPIED,),
}
"""For each constant, the wrong methods it is there to catch (others fail by other checks)."""
