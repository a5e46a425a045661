"""Reading answers leniently, and carrying them exactly from the kernel to the grader."""

import json

import numpy as np
import pandas as pd
import pytest

from helpers.answers import (
    AnswerError,
    as_annotator_ids,
    as_annotator_scores,
    as_class_labels,
    as_probabilities,
    decode_value,
    encode_value,
)

IDS = [f"A{i:04d}" for i in range(1, 6)]


@pytest.mark.parametrize(
    "value",
    [
        [0, 1, 2],
        np.array([0, 1, 2]),
        np.array([0.0, 1.0, 2.0]),
        pd.Series([0, 1, 2], index=[10, 11, 12]),
        pd.Series([0, 1, 2], dtype="Int64"),
        pd.Index([0, 1, 2]),
        pd.DataFrame({"label": [0, 1, 2]}),
        [np.int64(0), np.int32(1), 2.0],
        np.array(["0", "1", "2"]),
    ],
    ids=lambda v: type(v).__name__,
)
def test_labels_accepted_in_any_clear_form(value):
    assert as_class_labels(value, 3, 3) == [0, 1, 2]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5, "single int"),
        ([0, 1], "has 2 entries, but there are 3 rows"),
        ([0, 1, 3], "classes 0 .. 2"),
        ([0, 1, 1.5], "whole numbers"),
        ([True, False, True], "booleans"),
        (pd.Series([0, 1, None], dtype="Int64"), "missing"),
        (np.zeros((3, 3)), "1-D"),
        ({0: 1, 1: 1, 2: 2}, "got a dict"),
        (["a", "b", "c"], "class numbers"),
        (pd.DataFrame({"a": [0, 1, 2], "b": [0, 1, 2]}), "2 columns"),
    ],
)
def test_labels_rejected_with_a_reason(value, message):
    with pytest.raises(AnswerError, match=message):
        as_class_labels(value, 3, 3, name="labels")


def test_scores_from_dict_series_or_frame():
    scores = {annotator: i / 10 for i, annotator in enumerate(IDS)}
    expected = as_annotator_scores(scores, IDS)
    assert list(expected) == IDS
    assert as_annotator_scores(pd.Series(scores), IDS) == expected
    assert as_annotator_scores(pd.Series(scores).to_frame("quality"), IDS) == expected
    assert as_annotator_scores(
        {np.str_(k): np.float32(v) for k, v in scores.items()}, IDS
    ) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"A0001": 0.5}, "missing"),
        ({**{a: 0.5 for a in IDS}, "B0001": 0.5}, "not annotators"),
        ({**{a: 0.5 for a in IDS}, "A0001": 3}, r"in \[0, 1\]"),
        ({**{a: 0.5 for a in IDS}, "A0001": float("nan")}, r"in \[0, 1\]"),
        ({**{a: 0.5 for a in IDS}, "A0001": "high"}, "should be a number"),
        ([0.5] * 5, "dict or Series"),
    ],
)
def test_scores_rejected_with_a_reason(value, message):
    with pytest.raises(AnswerError, match=message):
        as_annotator_scores(value, IDS)


def test_ids_from_lists_arrays_index_and_stats_frames():
    expected = ["A0003", "A0001"]
    stats = pd.DataFrame({"annotator_quality": [0.1, 0.2]}, index=expected)
    for value in (
        expected,
        np.array(expected),
        pd.Index(expected),
        pd.Series(expected),
        stats,
        stats["annotator_quality"],
        {"A0003": 0.1, "A0001": 0.2},
        [np.str_("A0003"), "A0001"],
    ):
        assert as_annotator_ids(value, IDS) == expected


def test_ids_rejected_with_a_reason():
    with pytest.raises(AnswerError, match="not annotators"):
        as_annotator_ids(["A0001", "A9999"], IDS)
    with pytest.raises(AnswerError, match="annotator ids"):
        as_annotator_ids([1, 2], IDS)


def test_probabilities_checked():
    good = np.full((4, 3), 1 / 3)
    np.testing.assert_array_equal(as_probabilities(good.tolist(), 4, 3), good)
    for bad, message in [
        (np.full((4, 2), 0.5), "shape"),
        (np.full((4, 3), 0.5), "sum to 1"),
        (np.where(np.eye(4, 3) > 0, np.nan, 0.5), "NaN"),
        (np.array([[1.5, -0.5, 0]] * 4), r"\[0, 1\]"),
    ]:
        with pytest.raises(AnswerError, match=message):
            as_probabilities(bad, 4, 3)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("labels", [0, 2, 1]),
        ("scores", {"A0001": 0.1 + 0.2, "A0002": 1 / 3}),
        ("ids", ["A0002", "A0001"]),
    ],
)
def test_encoding_round_trips_exactly_through_json(kind, value):
    assert decode_value(kind, json.loads(json.dumps(encode_value(kind, value)))) == value


def test_probabilities_round_trip_bit_for_bit(lab):
    values = np.random.RandomState(0).dirichlet(np.ones(3), size=299)
    decoded = decode_value(
        "probabilities", json.loads(json.dumps(encode_value("probabilities", values)))
    )
    assert decoded.tobytes() == values.tobytes()


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("labels", {"value": "0,1"}),
        ("labels", ["not", "a", "dict"]),
        ("scores", {"value": [1, 2]}),
        ("probabilities", {"shape": [2, 3], "float64_base64": "AAAA"}),
        ("probabilities", {"shape": [-1, 3], "float64_base64": ""}),
        ("probabilities", {"shape": [1, 1], "float64_base64": "!!not base64!!"}),
        ("pickle", {"value": []}),
    ],
)
def test_malformed_payloads_are_refused(kind, data):
    with pytest.raises((AnswerError, ValueError)):
        decode_value(kind, data)
