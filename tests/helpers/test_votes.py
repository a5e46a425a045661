"""Vote counts (helpers.votes): what every consensus method starts from."""

import numpy as np
import pytest

from helpers.votes import _plain_majority_vote, vote_counts
from labgrader.judging.original_lab import most_voted_mask
from tests.support.builders import annotations


def test_counts_ignore_missing_labels():
    # On Int64, `row == k` is <NA> where nobody labeled; the counts must not see those.
    frame = annotations([0, None, 0], [None, 2, None], [1, 2, 2])
    np.testing.assert_array_equal(vote_counts(frame), [[2, 0, 0], [0, 0, 1], [0, 1, 2]])


def test_plain_majority_vote_sends_ties_to_the_lowest_class(lab):
    frame = annotations([2, 0, None, None], [1, 2, 2, 1], [None, 2, None, None])
    np.testing.assert_array_equal(_plain_majority_vote(frame), [0, 1, 2])
    votes = _plain_majority_vote(lab.multiannotator_labels)
    mask = most_voted_mask(lab.multiannotator_labels)
    assert mask[np.arange(len(votes)), votes].all()


def test_counts_need_a_data_frame():
    with pytest.raises(TypeError, match="must be a pandas DataFrame"):
        vote_counts(np.zeros((2, 2)))
