"""What a test cell does in a student's kernel (helpers.checks): check the shape, record, claim no more."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.answers import ANSWER_MIME_TYPE, AnswerError
from helpers.checks import answer_record, check_answer
from helpers.parts import PARTS, CheckFailed
from labgrader.judging.original_lab import majority_vote


@pytest.fixture()
def published(monkeypatch):
    """What check_answer displays, instead of a notebook's output area."""
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda data, raw: shown.append(data))
    return shown


def test_a_wrong_answer_of_the_right_shape_is_not_called_passed(lab, published, capsys):
    """A least-likely tie-break, or another answer that loses its points, is only shape checked."""
    check_answer("tie_breaker", lab.labels_from_random_annotators)
    printed = capsys.readouterr().out
    assert printed.startswith("Shape checked: labels_from_majority_vote_after_tie_breaker has one")
    assert "299 rows" in printed and "0, 1 or 2" in printed
    assert "Not graded yet: the autograder then checks that every label is still" in printed
    assert "Passed" not in printed
    assert published[0][ANSWER_MIME_TYPE]["part"] == "tie_breaker"


@pytest.mark.parametrize("part", sorted(PARTS))
def test_every_visible_message_says_what_was_checked_and_what_comes_next(
    part, lab, published, capsys
):
    values = {
        "labels": majority_vote(lab.multiannotator_labels),
        "scores": dict.fromkeys(lab.multiannotator_labels.columns, 0.5),
        "ids": list(lab.multiannotator_labels.columns[:10]),
        "probabilities": np.full((len(lab.true_labels), 3), 1 / 3),
    }
    check_answer(part, *(values[kind] for _, kind in PARTS[part].answers))
    printed = capsys.readouterr().out
    assert printed.startswith("Shape checked: ") and "Passed" not in printed
    assert f"the autograder then checks that {PARTS[part].graded_later}" in printed


def test_messages_name_what_the_answer_is(lab, published):
    with pytest.raises(AnswerError, match="should be 1-D \\(a flat list of annotator ids\\)"):
        check_answer("worst_annotators_majority_vote", [["A0001", "A0002"]] * 5)
    with pytest.raises(AnswerError, match="one entry per row"):
        check_answer("majority_vote", np.zeros((299, 3)))
    with pytest.raises(CheckFailed, match="10 distinct annotator ids, got 5"):
        check_answer("worst_annotators_majority_vote", list(lab.multiannotator_labels.columns[:5]))


def test_the_record_is_plain_data_and_keeps_a_reading_error(lab):
    record = answer_record("majority_vote", "not labels")
    assert record["answers"]["labels_from_majority_vote"]["error"].startswith(
        "labels_from_majority_vote should be 1-D"
    )
    record = answer_record("majority_vote", lab.labels_from_random_annotators)
    assert record["answers"]["labels_from_majority_vote"]["data"]["value"][:3] == [
        int(k) for k in lab.labels_from_random_annotators[:3]
    ]
