"""The simulated dataset: exact reproduction of the reference, explicit randomness, clear errors."""

import numpy as np
import pandas as pd
import pytest

from helpers.data import (
    LAB_SEED,
    annotator_ids,
    labels_from_one_random_annotation,
    load_lab_data,
    make_multiannotator_data,
)

# Printed by the reference notebook (`X[:5]`).
REFERENCE_FIRST_FEATURES = [
    [1.01592896, 10.62213634],
    [-1.91393643, 6.53944268],
    [0.55962291, 5.35885902],
    [6.73677377, 5.02311322],
    [6.95949986, 1.61434817],
]


def test_reference_dataset_shape_and_types(lab):
    labels = lab.multiannotator_labels
    assert lab.features.shape == (299, 2)
    assert labels.shape == (299, 50)
    assert list(labels.columns) == [f"A{i:04d}" for i in range(1, 51)]
    assert all(dtype == pd.Int64Dtype() for dtype in labels.dtypes)
    assert labels.isna().any().all(), "every annotator skips some examples (<NA>)"
    assert labels.notna().any(axis=1).all(), "every example has at least one annotation"
    assert isinstance(labels.index, pd.RangeIndex)


def test_reference_dataset_matches_printed_values(lab):
    np.testing.assert_allclose(lab.features[:5], REFERENCE_FIRST_FEATURES, atol=5e-9)
    first_row = lab.multiannotator_labels.iloc[0]
    assert first_row["A0002"] == 2 and first_row.notna().sum() >= 1
    assert lab.multiannotator_labels.iloc[4]["A0003"] == 0


def test_random_annotation_demo_accuracy_is_exact(lab):
    assert np.mean(lab.labels_from_random_annotators == lab.true_labels) == 0.6822742474916388
    annotations = lab.multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
    picked = annotations == lab.labels_from_random_annotators[:, None]
    assert picked.any(axis=1).all(), "each random label is one of that row's annotations"


def test_bad_annotators_are_worse_by_design(lab):
    annotations = lab.multiannotator_labels.to_numpy(dtype=float, na_value=np.nan)
    labeled = ~np.isnan(annotations)
    accuracy = ((annotations == lab.true_labels[:, None]) & labeled).sum(0) / labeled.sum(0)
    assert accuracy[40:].max() < accuracy[:40].mean()


def test_load_lab_data_is_fresh_and_leaves_global_state_alone(lab):
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is untouched)
    again = load_lab_data()
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    pd.testing.assert_frame_equal(again.multiannotator_labels, lab.multiannotator_labels)
    assert again.features is not lab.features


def test_same_seed_same_data_different_seed_different_data():
    first = make_multiannotator_data(np.random.RandomState(7), sample_size=60)
    second = make_multiannotator_data(np.random.RandomState(7), sample_size=60)
    other = make_multiannotator_data(np.random.RandomState(8), sample_size=60)
    np.testing.assert_array_equal(first.features, second.features)
    assert not np.array_equal(first.features, other.features[: len(first.features)])


def test_small_sample_drops_silent_annotators_and_keeps_their_ids():
    # The reference generator crashes here: some annotators label nothing at sample_size=20.
    data = make_multiannotator_data(np.random.RandomState(LAB_SEED), sample_size=20)
    columns = list(data.multiannotator_labels.columns)
    assert len(columns) < 50
    assert set(columns) < set(annotator_ids(50))
    assert columns == sorted(columns)
    assert data.multiannotator_labels.notna().any(axis=0).all()
    assert len(data.features) == len(data.true_labels) == len(data.multiannotator_labels)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sample_size": 2}, "sample_size must be at least 3"),
        ({"sample_size": 30.5}, "sample_size must be an integer"),
        ({"num_annotators": 5, "num_bad_annotators": 6}, "num_bad_annotators"),
        ({"fraction_labeled": 0.0}, "fraction_labeled"),
        ({"good_annotator_quality": 1.5}, "annotator_quality must be in"),
    ],
)
def test_bad_arguments_fail_clearly(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make_multiannotator_data(np.random.RandomState(0), **kwargs)


def test_random_state_must_be_explicit_legacy_stream():
    with pytest.raises(TypeError, match="RandomState"):
        make_multiannotator_data(np.random.default_rng(0))
    with pytest.raises(TypeError, match="RandomState"):
        make_multiannotator_data(123)


def test_random_annotation_needs_an_annotation_per_row():
    labels = pd.DataFrame({"A0001": pd.array([1, None], dtype="Int64")})
    with pytest.raises(ValueError, match="row 1 has no annotation"):
        labels_from_one_random_annotation(labels, np.random.RandomState(0))
