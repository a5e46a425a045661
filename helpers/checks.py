"""The entry point of the lab's test cells: check an answer's shape, and record it for grading.

A test cell calls :func:`check_answer`. It reads the answer leniently
(:mod:`helpers.answers`), publishes it as plain data for the autograder, and
checks its shape (:mod:`helpers.parts`) so that you see at once whether it can
be graded at all. Whether it is *right* is decided later, by the autograder,
from that record: nothing in your notebook can change how it is judged.
"""

from __future__ import annotations

import functools
import warnings
from importlib import metadata

from helpers import answers as read
from helpers.answers import ANSWER_MIME_TYPE, AnswerError
from helpers.data import _lab_data_and_design, load_lab_data, loaded_dataset
from helpers.parts import PARTS, DatasetShape, Part

PAYLOAD_VERSION = 1
JUDGE_ENTRY_POINT_GROUP = "multiannotator_lab"
JUDGE_ENTRY_POINT = "judge_in_kernel"
"""The entry point through which a grader installed beside ``helpers`` (an instructor's machine)
judges hidden tests in the kernel: looked up by name, so ``helpers`` imports nothing of it."""


@functools.cache
def dataset_shape(loaded: tuple | None = None) -> DatasetShape:
    """Size, classes and annotator ids of a dataset (built once per kernel and dataset).

    Parameters
    ----------
    loaded : tuple, optional
        ``(course, identity)`` as :func:`helpers.data.loaded_dataset` gives it; by
        default the lab's own dataset.
    """
    course, made_for = loaded or (None, None)
    lab = load_lab_data() if course is None else _lab_data_and_design(course, made_for)[0]
    labels = lab.multiannotator_labels
    return DatasetShape(len(labels), lab.n_classes, tuple(labels.columns))


def notebook_dataset_shape() -> DatasetShape:
    """The shape of the dataset this notebook's set-up cell loaded (the lab's own if none)."""
    return dataset_shape(loaded_dataset())


def read_answer(kind: str, value, name: str, dataset: DatasetShape):
    """One answer of the given kind as plain data, or raise :class:`~helpers.answers.AnswerError`."""
    if kind == "labels":
        return read.as_class_labels(value, dataset.n_examples, dataset.n_classes, name)
    if kind == "scores":
        return read.as_annotator_scores(value, dataset.annotator_ids, name)
    if kind == "ids":
        return read.as_annotator_ids(value, dataset.annotator_ids, name)
    return read.as_probabilities(value, dataset.n_examples, dataset.n_classes, name)


def _record(
    part: Part, values: tuple, dataset: DatasetShape
) -> tuple[dict, dict, AnswerError | None]:
    """Read each answer; return the record to publish, the answers read, and the first error."""
    if len(values) != len(part.answers):
        raise TypeError(f"part {part.name!r} takes {len(part.answers)} answers, got {len(values)}")
    answers, record = {}, {"part": part.name, "version": PAYLOAD_VERSION, "answers": {}}
    first_error = None
    for (name, kind), value in zip(part.answers, values, strict=True):
        try:
            answers[name] = read_answer(kind, value, name, dataset)
            record["answers"][name] = {"kind": kind, "data": read.encode_value(kind, answers[name])}
        except AnswerError as error:
            record["answers"][name] = {"kind": kind, "error": str(error)}
            first_error = first_error or error
    return record, answers, first_error


def answer_record(part_name: str, *values) -> dict:
    """The record a test cell publishes for these answers (plain, JSON-ready data)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _record(PARTS[part_name], values, notebook_dataset_shape())[0]


def check_answer(part_name: str, *values, hidden: bool = False) -> None:
    """Check the shape of a part's answers and record them for the autograder.

    Raises with an explanation when an answer cannot be read or has the wrong
    shape. Test cells call this; you do not need to. Warnings are silenced
    inside, so a ``warnings.simplefilter`` in your code cannot break it.

    With ``hidden=True`` (the autograder's own tests) nothing is checked here
    unless the course's grader is installed, as on an instructor's machine.
    """
    part = PARTS[part_name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if hidden:
            _judge_where_the_grader_is_installed(part_name, values)
            return
        dataset = notebook_dataset_shape()
        record, answers, error = _record(part, values, dataset)
        _publish(record, [name for name, _ in part.answers])
        if error is not None:
            raise error
        checked = part.shape(answers, dataset)
    print(
        f"Shape checked: {checked}. Not graded yet: the autograder then checks that "
        f"{part.graded_later}, as the task explains."
    )


@functools.cache
def _installed_judge():
    """The course grader's in-kernel judge, found by its entry point's name; ``None`` where the
    grader is not installed (a student's kernel) or cannot be imported (the grading sandbox)."""
    for entry_point in metadata.entry_points(group=JUDGE_ENTRY_POINT_GROUP, name=JUDGE_ENTRY_POINT):
        try:
            return entry_point.load()
        except ImportError:
            return None
    return None


def _judge_where_the_grader_is_installed(part_name: str, values: tuple) -> None:
    judge = _installed_judge()
    if judge is not None:  # elsewhere the grader judges the record, in its own process
        judge(part_name, *values)


def _publish(payload: dict, names: list) -> None:
    from IPython.display import display

    text = f"(recorded {', '.join(names)} for grading)"
    display({ANSWER_MIME_TYPE: payload, "text/plain": text}, raw=True)
