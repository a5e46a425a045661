"""Read a student's answer leniently, and carry it from the kernel to the grader.

Answers come in many shapes (lists, NumPy arrays, pandas Series, dicts,
whole-number floats, NumPy strings). Each ``as_*`` function turns one kind of
answer into plain Python data or raises :class:`AnswerError` saying what is
wrong. The test cells then publish that plain data as a display output with
:data:`ANSWER_MIME_TYPE`; the autograder reads it back with
:func:`decode_value`, which trusts nothing in it.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

#: The MIME type of the display output in which a test cell records the answers it read.
ANSWER_MIME_TYPE = "application/vnd.multiannotator-lab.answer+json"
KINDS = ("labels", "scores", "ids", "probabilities")
MAX_PAYLOAD_VALUES = 100_000


class AnswerError(ValueError):
    """An answer that cannot be read as the kind of value it should be."""


def _describe(value) -> str:
    shape = getattr(value, "shape", None)
    return f"{type(value).__name__} of shape {shape}" if shape is not None else type(value).__name__


def _as_1d(value, name: str, entries: str = "one entry per row") -> np.ndarray:
    """``value`` as a 1-D array; ``entries`` says what its entries are, for messages."""
    if isinstance(value, (str, bytes)) or np.isscalar(value):
        raise AnswerError(f"{name} should be 1-D ({entries}), got a single {type(value).__name__}")
    if isinstance(value, pd.DataFrame):
        if value.shape[1] != 1:
            raise AnswerError(
                f"{name} should be 1-D, got a DataFrame with {value.shape[1]} columns"
            )
        value = value.iloc[:, 0]
    if isinstance(value, (pd.Series, pd.Index)):
        if value.dtype.kind in "biuf" or isinstance(value.dtype, pd.api.extensions.ExtensionDtype):
            try:
                return value.to_numpy(dtype=float, na_value=np.nan)
            except (TypeError, ValueError):
                pass
        return value.to_numpy(dtype=object)
    if isinstance(value, Mapping):
        raise AnswerError(f"{name} should be a list, array or Series, got a dict")
    try:
        array = np.asarray(value)
    except (TypeError, ValueError) as error:
        raise AnswerError(f"{name} could not be read as an array: {error}") from None
    if array.ndim != 1:
        raise AnswerError(f"{name} should be 1-D ({entries}), got {_describe(array)}")
    return array


def _whole_numbers(array: np.ndarray, name: str) -> np.ndarray:
    if array.dtype == bool:
        raise AnswerError(f"{name} should hold class numbers, got booleans")
    try:
        numbers = array.astype(float)
    except (TypeError, ValueError):
        example = next((v for v in array if not isinstance(v, (int, float, np.number))), array[0])
        raise AnswerError(f"{name} should hold class numbers, got {example!r}") from None
    if not np.all(np.isfinite(numbers)):
        raise AnswerError(f"{name} has missing (NaN/NA) or infinite entries")
    if np.any(numbers != np.round(numbers)):
        raise AnswerError(
            f"{name} should hold whole numbers (class indices), got e.g. {numbers[numbers != np.round(numbers)][0]}"
        )
    return numbers.astype(np.int64)


def as_class_labels(value, n_examples: int, n_classes: int, name: str = "labels") -> list[int]:
    """One class index per example, as a list of ``int``.

    Parameters
    ----------
    value : array-like
        List, NumPy array, pandas Series/Index or one-column DataFrame of
        integers, whole-number floats or numeric strings.
    n_examples, n_classes : int
        Expected length, and labels must lie in ``0 .. n_classes - 1``.
    name : str
        What to call the answer in messages.
    """
    array = _as_1d(value, name)
    if array.dtype.kind in "USO":
        try:
            array = np.array([float(v) for v in array])
        except (TypeError, ValueError):
            pass
    labels = _whole_numbers(array, name)
    if len(labels) != n_examples:
        raise AnswerError(
            f"{name} has {len(labels)} entries, but there are {n_examples} rows (one label per row)"
        )
    outside = labels[(labels < 0) | (labels >= n_classes)]
    if outside.size:
        raise AnswerError(f"{name} should hold classes 0 .. {n_classes - 1}, got {int(outside[0])}")
    return labels.tolist()


def _annotator_id(value, name: str) -> str:
    if isinstance(value, (str, np.str_)):
        return str(value)
    raise AnswerError(f"{name} should hold annotator ids such as 'A0001', got {value!r}")


def as_annotator_ids(value, known_ids, name: str = "annotators") -> list[str]:
    """Annotator ids in order, as a list of ``str``.

    Accepts a list, array, Series or Index of ids; a Series, DataFrame or dict
    keyed by id (its keys are taken, as in ``annotator_stats.head(10)``).
    """
    if isinstance(value, Mapping):
        value = list(value.keys())
    elif isinstance(value, pd.DataFrame) or (
        isinstance(value, pd.Series) and value.dtype.kind in "biuf"
    ):
        value = value.index
    array = _as_1d(value, name, entries="a flat list of annotator ids")
    ids = [_annotator_id(v, name) for v in array]
    unknown = [i for i in ids if i not in set(known_ids)]
    if unknown:
        raise AnswerError(f"{name} holds ids that are not annotators: {unknown[:3]}")
    return ids


def as_annotator_scores(value, known_ids, name: str = "annotator_scores") -> dict[str, float]:
    """A score in [0, 1] for every known annotator, as a ``dict``.

    Accepts a dict or a Series indexed by annotator id (or a one-column
    DataFrame indexed by id).
    """
    if isinstance(value, pd.DataFrame):
        if value.shape[1] != 1:
            raise AnswerError(
                f"{name} should map each annotator to one score, got a DataFrame with {value.shape[1]} columns"
            )
        value = value.iloc[:, 0]
    if isinstance(value, pd.Series):
        value = dict(zip(value.index, value.to_numpy(dtype=object), strict=True))
    if not isinstance(value, Mapping):
        raise AnswerError(
            f"{name} should be a dict or Series mapping annotator id to score, got {_describe(value)}"
        )
    scores = {}
    for key, score in value.items():
        annotator = _annotator_id(key, name)
        try:
            number = float(score)
        except (TypeError, ValueError):
            raise AnswerError(f"{name}[{annotator!r}] should be a number, got {score!r}") from None
        if not math.isfinite(number) or not 0.0 <= number <= 1.0:
            raise AnswerError(f"{name}[{annotator!r}] should be a number in [0, 1], got {number}")
        scores[annotator] = number
    missing = [i for i in known_ids if i not in scores]
    extra = [i for i in scores if i not in set(known_ids)]
    if missing or extra:
        raise AnswerError(
            f"{name} should score exactly the {len(known_ids)} annotators"
            + (f"; missing {missing[:3]}" if missing else "")
            + (f"; not annotators: {extra[:3]}" if extra else "")
        )
    return {annotator: scores[annotator] for annotator in known_ids}


def as_probabilities(
    value, n_examples: int, n_classes: int, name: str = "pred_probs"
) -> np.ndarray:
    """An ``(n_examples, n_classes)`` float array whose rows are probability vectors."""
    if isinstance(value, pd.DataFrame):
        value = value.to_numpy(dtype=float)
    try:
        probs = np.array(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise AnswerError(f"{name} could not be read as a float array: {error}") from None
    if probs.shape != (n_examples, n_classes):
        raise AnswerError(
            f"{name} should have shape ({n_examples}, {n_classes}), got {probs.shape}"
        )
    if not np.all(np.isfinite(probs)):
        raise AnswerError(f"{name} has NaN or infinite entries")
    if probs.min() < 0 or probs.max() > 1:
        raise AnswerError(f"{name} should hold probabilities in [0, 1]")
    if not np.allclose(probs.sum(axis=1), 1.0, atol=1e-6):
        raise AnswerError(f"each row of {name} should sum to 1 (a probability for each class)")
    return probs


def encode_value(kind: str, value) -> dict:
    """JSON-ready, exact form of an already-normalized answer."""
    if kind == "probabilities":
        array = np.ascontiguousarray(value, dtype="<f8")
        return {
            "shape": list(array.shape),
            "float64_base64": base64.b64encode(array.tobytes()).decode(),
        }
    return {"value": value}


def decode_value(kind: str, data):
    """Inverse of :func:`encode_value` for untrusted data; raises :class:`AnswerError`."""
    if kind not in KINDS or not isinstance(data, Mapping):
        raise AnswerError(f"malformed {kind} payload")
    if kind == "probabilities":
        shape, encoded = data.get("shape"), data.get("float64_base64")
        if not (
            isinstance(shape, list)
            and len(shape) == 2
            and all(isinstance(s, int) and 0 <= s <= MAX_PAYLOAD_VALUES for s in shape)
        ):
            raise AnswerError("malformed probabilities payload (shape)")
        if not isinstance(encoded, str) or len(encoded) > 8 * MAX_PAYLOAD_VALUES * 2:
            raise AnswerError("malformed probabilities payload (data)")
        raw = base64.b64decode(encoded, validate=True)
        if len(raw) != 8 * shape[0] * shape[1]:
            raise AnswerError("malformed probabilities payload (size)")
        return np.frombuffer(raw, dtype="<f8").reshape(shape).copy()
    value = data.get("value")
    if kind == "scores":
        if not isinstance(value, Mapping) or len(value) > MAX_PAYLOAD_VALUES:
            raise AnswerError("malformed scores payload")
        return dict(value)
    if not isinstance(value, list) or len(value) > MAX_PAYLOAD_VALUES:
        raise AnswerError(f"malformed {kind} payload")
    return value
