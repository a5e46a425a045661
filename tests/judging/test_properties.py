"""The hidden grading rules, part by part: every correct method passes, each wrong answer fails
for its reason.

Answers go through the same path as in a graded notebook: the test cell's
``check_answer`` records them, the grader's ``grade_payload`` judges the record.
"""

import numpy as np
import pandas as pd
import pytest
from cleanlab.multiannotator import get_label_quality_multiannotator, get_majority_vote_label

from helpers.checks import check_answer
from helpers.model import out_of_sample_pred_probs
from helpers.parts import PARTS, CheckFailed
from labgrader.judging.judge import grade_payload
from labgrader.judging.original_lab import annotator_agreement, majority_vote, most_voted_mask
from labgrader.judging.properties import HIDDEN, judge_answers
from labgrader.judging.reference import lab_reference
from labgrader.sample.answer_cells.exercise1 import QUALITY_LEAVE_ONE_OUT
from tests.support.builders import recorded_payload


def verdict(part, *values):
    return grade_payload(part, recorded_payload(part, *values))


def assert_passes(part, *values):
    result = verdict(part, *values)
    assert result.passed, result.message


def assert_fails(part, *values, because):
    result = verdict(part, *values)
    assert not result.passed
    assert because in result.message, result.message


@pytest.fixture(scope="module")
def labels(lab):
    return lab.multiannotator_labels


@pytest.fixture(scope="module")
def first_seen(labels):
    return majority_vote(labels)


@pytest.fixture(scope="module")
def mv_pred_probs(lab, first_seen):
    return out_of_sample_pred_probs(lab.features, first_seen)


@pytest.fixture(scope="module")
def random_pred_probs(lab):
    return out_of_sample_pred_probs(lab.features, lab.labels_from_random_annotators)


def leave_one_out_scores(labels):
    """Agreement of each annotator with the majority of the *other* annotators (the cohort's code)."""
    namespace = {"np": np, "pd": pd, "multiannotator_labels": labels}
    exec(QUALITY_LEAVE_ONE_OUT, namespace)
    return namespace["annotator_scores"]


# --- Exercise 1 -------------------------------------------------------------------


def test_majority_vote_accepts_every_valid_tie_break_and_form(labels, first_seen):
    assert_passes("majority_vote", first_seen)
    assert_passes("majority_vote", majority_vote(labels, "lowest_class").tolist())
    assert_passes("majority_vote", pd.Series(first_seen.astype(float)))
    assert_passes("majority_vote", get_majority_vote_label(labels))
    assert_passes("majority_vote", labels.mode(axis=1)[0])  # pandas mode: lowest tied class


def test_majority_vote_rejects_non_majorities(lab, first_seen):
    assert_fails("majority_vote", lab.true_labels, because="not a most-voted class")
    assert_fails(
        "majority_vote", lab.labels_from_random_annotators, because="not a most-voted class"
    )
    assert_fails("majority_vote", np.roll(first_seen, 1), because="not a most-voted class")
    assert_fails("majority_vote", first_seen[:-1], because="has 298 entries")


def test_annotator_scores_accept_every_consensus_based_estimate(labels, first_seen, mv_pred_probs):
    assert_passes("annotator_scores", annotator_agreement(labels, first_seen))
    assert_passes(
        "annotator_scores", annotator_agreement(labels, first_seen, min_annotators=1).to_dict()
    )
    assert_passes("annotator_scores", leave_one_out_scores(labels))
    crowdlab = get_label_quality_multiannotator(labels, mv_pred_probs, verbose=False)
    assert_passes("annotator_scores", crowdlab["annotator_stats"]["annotator_quality"])


def test_annotator_scores_reject_uninformative_or_oracle_scores(lab, labels, first_seen, reference):
    assert_fails(
        "annotator_scores", 1 - annotator_agreement(labels, first_seen), because="barely separates"
    )
    random_scores = dict(
        zip(labels.columns, np.random.RandomState(0).random_sample(50), strict=True)
    )
    assert_fails("annotator_scores", random_scores, because="barely separates")
    assert_fails(
        "annotator_scores", reference.accuracy_against_truth[0], because="against the true labels"
    )
    counts = annotator_agreement(labels, first_seen) * 10
    assert_fails("annotator_scores", counts, because="in [0, 1]")


def test_worst_annotators_majority_vote(labels, first_seen):
    scores = annotator_agreement(labels, first_seen)
    assert_passes(
        "worst_annotators_majority_vote", list(scores.sort_values(kind="stable").index[:10])
    )
    cleanlab_scores = annotator_agreement(labels, get_majority_vote_label(labels), min_annotators=1)
    assert_passes("worst_annotators_majority_vote", cleanlab_scores.nsmallest(10, keep="first"))
    assert_fails(
        "worst_annotators_majority_vote", list(labels.columns[:10]), because="only 0 of the 10"
    )
    assert_fails("worst_annotators_majority_vote", ["A0041"] * 10, because="10 distinct")
    assert_fails("worst_annotators_majority_vote", ["A0041", "A0042"], because="10 distinct")


def test_tie_breaker_accepts_informed_tie_breaks(labels, first_seen, mv_pred_probs):
    scores = annotator_agreement(labels, first_seen)
    assert_passes("tie_breaker", majority_vote(labels, "model", pred_probs=mv_pred_probs))
    assert_passes("tie_breaker", majority_vote(labels, "annotator_score", annotator_scores=scores))


@pytest.mark.parametrize(
    ("tie_break", "rule", "where"),
    [
        ("lowest_class", "the lowest tied class", "all 7 ties between classes 0 and 1 went to 0"),
        ("first_seen", "the tied class given first, reading the annotator columns", "whichever"),
    ],
)
def test_tie_breaker_rejects_a_rule_that_ignores_the_example(labels, tie_break, rule, where):
    """Accurate enough (0.866, 0.883: the accuracy bar is 0.813), but blind to the example."""
    failed = verdict("tie_breaker", majority_vote(labels, tie_break))
    assert not failed.passed
    for said in ("34 of the 34 ties", rule, where, "pred_probs", "annotator_scores"):
        assert said in failed.message, (said, failed.message)


@pytest.mark.parametrize("student", ["alice", "bob"])
def test_fixed_tie_breaks_fail_on_a_dataset_of_ones_own_too(student):
    """The issue's two: every tie to the lowest class, and cleanlab's vote without pred_probs."""
    reference = lab_reference("dcai-lab-test", student)
    votes = reference.multiannotator_labels
    lowest = majority_vote(votes, "lowest_class", n_classes=reference.n_classes)
    rarest = get_majority_vote_label(votes, verbose=False)
    name = "labels_from_majority_vote_after_tie_breaker"
    for labels in (lowest, rarest):
        with pytest.raises(CheckFailed, match="never looks at the example"):
            judge_answers("tie_breaker", {name: [int(k) for k in labels]}, reference)
    judge_answers(
        "tie_breaker", {name: [int(k) for k in reference.model_tie_break_votes]}, reference
    )


def test_tie_breaker_judges_the_choices_not_where_they_come_from(labels, mv_pred_probs):
    """The same labels pass whether 1a already broke its ties by the model or 1c did."""
    by_model = majority_vote(labels, "model", pred_probs=mv_pred_probs)
    assert verdict("tie_breaker", by_model).passed
    assert verdict("majority_vote", by_model).passed


def test_tie_breaker_rejects_least_likely_class_and_invalid_votes(lab, labels, mv_pred_probs):
    mask = most_voted_mask(labels)
    least_likely = np.where(mask, -mv_pred_probs, -np.inf).argmax(axis=1)  # 0.799
    assert_fails("tie_breaker", least_likely, because="only 0.799")
    assert_fails("tie_breaker", lab.true_labels, because="not a most-voted class")


# --- Exercise 2 -------------------------------------------------------------------


def test_pred_probs_from_realistic_models_pass(mv_pred_probs, random_pred_probs):
    assert_passes("pred_probs_for_crowdlab", mv_pred_probs)
    assert_passes("pred_probs_for_crowdlab", random_pred_probs)
    assert_passes("pred_probs_for_crowdlab", pd.DataFrame(mv_pred_probs))


def test_pred_probs_from_the_truth_fail(lab, reference, mv_pred_probs):
    oracle = np.array(reference.pred_probs_from_true_labels)
    assert_fails("pred_probs_for_crowdlab", oracle, because="fit to the true labels")
    noisy_truth = np.where(np.eye(3)[lab.true_labels] == 1, 0.9, 0.05)
    assert_fails("pred_probs_for_crowdlab", noisy_truth, because="match the true labels on 1.000")
    assert_fails("pred_probs_for_crowdlab", mv_pred_probs[:, :2], because="shape")
    assert_fails("pred_probs_for_crowdlab", mv_pred_probs * 2, because=r"[0, 1]")


def test_pred_probs_must_be_out_of_sample(lab, first_seen):
    from sklearn.neighbors import KNeighborsClassifier

    in_sample = (
        KNeighborsClassifier(weights="distance")
        .fit(lab.features, first_seen)
        .predict_proba(lab.features)
    )
    assert_fails(
        "pred_probs_for_crowdlab",
        in_sample,
        because="every row of pred_probs_for_crowdlab is certain",
    )
    assert_fails("pred_probs_for_crowdlab", np.eye(3)[first_seen], because="are labels")


def crowdlab_labels(labels, pred_probs):
    results = get_label_quality_multiannotator(labels, pred_probs, verbose=False)
    return results["label_quality"]["consensus_label"]


def test_crowdlab_labels_consistent_with_stored_pred_probs_pass(lab, labels, mv_pred_probs):
    assert_passes("crowdlab_labels", crowdlab_labels(labels, mv_pred_probs), mv_pred_probs)
    tie_broken = majority_vote(labels, "model", pred_probs=mv_pred_probs)
    refit = out_of_sample_pred_probs(lab.features, tie_broken)
    assert_passes("crowdlab_labels", crowdlab_labels(labels, refit).to_numpy().astype(float), refit)


def test_crowdlab_labels_failures(lab, labels, reference, mv_pred_probs, random_pred_probs):
    assert_fails(
        "crowdlab_labels",
        crowdlab_labels(labels, random_pred_probs),
        random_pred_probs,
        because="only 0.866",
    )
    assert_fails(
        "crowdlab_labels",
        crowdlab_labels(labels, mv_pred_probs),
        random_pred_probs,
        because="differs in",
    )
    assert_fails("crowdlab_labels", lab.true_labels, mv_pred_probs, because="differs in")
    # The oracle costs the pred_probs part, not this one: CROWDLAB's consensus for it is consistent.
    oracle = np.array(reference.pred_probs_from_true_labels)
    assert_passes("crowdlab_labels", crowdlab_labels(labels, oracle), oracle)
    assert_fails(
        "crowdlab_labels",
        crowdlab_labels(labels, mv_pred_probs),
        mv_pred_probs[:5],
        because="shape",
    )


def test_worst_annotators_crowdlab(labels, mv_pred_probs):
    stats = get_label_quality_multiannotator(labels, mv_pred_probs, verbose=False)[
        "annotator_stats"
    ]
    assert_passes("worst_annotators_crowdlab", stats.head(10))
    assert_passes("worst_annotators_crowdlab", list(stats.index[:10]))
    assert_fails("worst_annotators_crowdlab", list(stats.index[-10:]), because="only 0 of the 10")


# --- the machinery ----------------------------------------------------------------


def test_every_part_records_what_it_reads_and_has_a_hidden_check():
    assert set(HIDDEN) == set(PARTS)
    for part in PARTS.values():
        assert part.grade_id == f"test_{part.name}"
        assert part.answers, part.name


def test_hidden_region_judges_where_the_grader_is_installed(first_seen, lab, capsys):
    with pytest.raises(CheckFailed, match="not a most-voted class"):
        check_answer("majority_vote", lab.true_labels, hidden=True)
    check_answer("majority_vote", first_seen, hidden=True)
    assert "Passed the autograder's checks: every label" in capsys.readouterr().out


def test_grader_refuses_records_for_another_part(first_seen):
    record = recorded_payload("majority_vote", first_seen)
    result = grade_payload("tie_breaker", record)
    assert not result.passed and "did not record" in result.message


def test_grader_reports_unreadable_answers(first_seen):
    record = recorded_payload("majority_vote", "not labels")
    result = grade_payload("majority_vote", record)
    assert not result.passed and "one entry per row" in result.message
