"""The lab's graded parts as a student sees them: what each reads and what its test cell checks.

Each :class:`Part` names the answers its test cell reads and the check that
runs in your notebook straight away (has the answer the right shape). What
the autograder checks after that is described in ``graded_later`` and in the
task text; the autograder itself runs those checks, not your notebook.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


class CheckFailed(AssertionError):
    """An answer that can be read but does not have the required property."""


@dataclass(frozen=True)
class DatasetShape:
    """What the shape checks need to know about the dataset.

    Attributes
    ----------
    n_examples, n_classes : int
    annotator_ids : tuple of str
        The columns of ``multiannotator_labels``, in order.
    """

    n_examples: int
    n_classes: int
    annotator_ids: tuple


@dataclass(frozen=True)
class Part:
    """One graded part: the answers its test cell reads, and what is checked when.

    Attributes
    ----------
    name : str
        The part's id; its test cell's ``grade_id`` is ``"test_" + name``.
    title : str
        What the part asks, for feedback.
    answers : tuple
        ``(variable name, kind)`` pairs; kinds are those of :mod:`helpers.answers`.
    shape : callable
        ``shape(answers, dataset) -> str``: a sentence saying what was checked,
        or raise :class:`CheckFailed`.
    graded_later : str
        What the autograder checks afterwards, completing "the autograder then checks that ...".
    """

    name: str
    title: str
    answers: tuple
    shape: Callable[[dict, DatasetShape], str]
    graded_later: str

    @property
    def grade_id(self) -> str:
        return f"test_{self.name}"


def _classes(dataset: DatasetShape) -> str:
    classes = [str(k) for k in range(dataset.n_classes)]
    return ", ".join(classes[:-1]) + f" or {classes[-1]}"


def _labels_shape(name: str) -> Callable:
    def shape(answers: dict, dataset: DatasetShape) -> str:
        return (
            f"{name} has one class ({_classes(dataset)}) for each of the {dataset.n_examples} rows"
        )

    return shape


def _scores_shape(answers: dict, dataset: DatasetShape) -> str:
    return f"annotator_scores gives each of the {len(dataset.annotator_ids)} annotators a score in [0, 1]"


def _ids_shape(name: str) -> Callable:
    def shape(answers: dict, dataset: DatasetShape) -> str:
        ids = answers[name]
        if len(ids) != 10 or len(set(ids)) != 10:
            raise CheckFailed(
                f"{name} should hold 10 distinct annotator ids, got {len(ids)} ({len(set(ids))} distinct)"
            )
        return f"{name} holds 10 distinct annotator ids"

    return shape


def _probabilities_shape(answers: dict, dataset: DatasetShape) -> str:
    return (
        f"pred_probs_for_crowdlab has a probability for each of the {dataset.n_classes} classes "
        f"in each of the {dataset.n_examples} rows, and each row sums to 1"
    )


#: Every graded part by its name, in the order of the notebooks.
PARTS: dict[str, Part] = {
    part.name: part
    for part in (
        Part(
            "majority_vote",
            "Majority-vote consensus labels",
            (("labels_from_majority_vote", "labels"),),
            _labels_shape("labels_from_majority_vote"),
            "every label is a most-voted class of its row",
        ),
        Part(
            "annotator_scores",
            "Annotator quality from the majority vote",
            (("annotator_scores", "scores"),),
            _scores_shape,
            "your scores rank the careless annotators below the careful ones",
        ),
        Part(
            "worst_annotators_majority_vote",
            "The 10 worst annotators by majority vote",
            (("worst_annotators_from_majority_vote", "ids"),),
            _ids_shape("worst_annotators_from_majority_vote"),
            "they are clearly worse annotators than ten picked at random would be",
        ),
        Part(
            "tie_breaker",
            "Majority vote with a better tie-break",
            (("labels_from_majority_vote_after_tie_breaker", "labels"),),
            _labels_shape("labels_from_majority_vote_after_tie_breaker"),
            "every label is still a most-voted class of its row, that the tie-breaks follow "
            "something about each example (no rule that ignores it, such as always the lowest "
            "class, explains nearly all of them), and that they are accurate enough",
        ),
        Part(
            "pred_probs_for_crowdlab",
            "pred_probs for CROWDLAB",
            (("pred_probs_for_crowdlab", "probabilities"),),
            _probabilities_shape,
            "they come from a model a curator could train on this dataset: not fit to the true "
            "labels, and out-of-sample",
        ),
        Part(
            "crowdlab_labels",
            "CROWDLAB consensus labels",
            (("labels_from_crowdlab", "labels"), ("pred_probs_for_crowdlab", "probabilities")),
            _labels_shape("labels_from_crowdlab"),
            "they are CROWDLAB's consensus for pred_probs_for_crowdlab and accurate enough",
        ),
        Part(
            "worst_annotators_crowdlab",
            "The 10 worst annotators by CROWDLAB",
            (("worst_annotators_from_crowdlab", "ids"),),
            _ids_shape("worst_annotators_from_crowdlab"),
            "they are clearly worse annotators than ten picked at random would be",
        ),
    )
}
