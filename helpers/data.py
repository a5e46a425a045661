"""The lab's datasets: the lab's own, the same for everyone, or one of a student's own.

:func:`load_lab_data` builds the lab's own dataset (seed :data:`~helpers.simulation.LAB_SEED`) by
default. A course may give every student a dataset of their own
(``load_lab_data(course=...)``): the same simulation (:mod:`helpers.simulation`),
drawn from a stream that the course's name and the student's identity
(:mod:`helpers.identity`) determine, so the same student always gets the same data,
and other students other data.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from helpers.identity import Identity, student_identity
from helpers.simulation import (
    LAB_SEED,
    NUM_ANNOTATORS,
    NUM_CARELESS_ANNOTATORS,
    MultiannotatorData,
    _careless_set,
    annotator_ids,
    labels_from_one_random_annotation,
    make_multiannotator_data,
    noisy_labels,
)

__all__ = [
    "LAB_SEED",
    "LabData",
    "MultiannotatorData",
    "annotator_ids",
    "labels_from_one_random_annotation",
    "load_lab_data",
    "loaded_dataset",
    "make_multiannotator_data",
    "noisy_labels",
]

VARIANT_STREAM = "multiannotator-lab dataset variant 1"
"""Mixed into every student's seed: changing it would give every student new data."""


@dataclass(frozen=True)
class LabData(MultiannotatorData):
    """The lab's dataset plus its demonstration labels, and whose dataset it is.

    Attributes
    ----------
    labels_from_random_annotators : numpy.ndarray
        One random annotation per example, drawn right after the data.
    course : str or None
        The course whose students each get a dataset of their own; ``None`` for the
        lab's own dataset, the same for everyone.
    made_for : ~helpers.identity.Identity or None
        The student this dataset was made for (``None`` for the lab's own).
    """

    labels_from_random_annotators: np.ndarray
    course: str | None = None
    made_for: Identity | None = None

    @property
    def fingerprint(self) -> str:
        """A short name of this data's content (features, annotations, true labels).

        Two datasets with the same fingerprint are the same data; the autograder's
        feedback names the fingerprint of the dataset it graded on.
        """
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(self.features, dtype="<f8").tobytes())
        annotations = self.multiannotator_labels.to_numpy(dtype=float, na_value=-1.0)
        digest.update(np.ascontiguousarray(annotations, dtype="<f8").tobytes())
        digest.update(np.ascontiguousarray(self.true_labels, dtype="<i8").tobytes())
        text = digest.hexdigest()
        return f"{text[:4]}-{text[4:8]}"

    def describe(self) -> str:
        """One sentence saying which dataset this is, for the notebook to print."""
        n_examples, n_annotators = self.multiannotator_labels.shape
        size = f"{n_examples} examples labeled by {n_annotators} annotators"
        if self.course is None:
            return f"The lab's own dataset (seed {LAB_SEED}), {self.fingerprint}: {size}."
        who = self.made_for
        return (
            f"Your dataset: {self.fingerprint}, made for {who.name} (found by {who.found_in}) "
            f"in course {self.course}: {size}."
        )


def _variant_random_state(course: str, student: str) -> np.random.RandomState:
    """The legacy stream of one student's dataset: a 256-bit seed from course and student."""
    key = "\x00".join((VARIANT_STREAM, course, student)).encode()
    seed = np.frombuffer(hashlib.sha256(key).digest(), dtype="<u4")
    return np.random.RandomState(seed)


def _lab_data_and_design(
    course: str | None = None, made_for: Identity | None = None
) -> tuple[LabData, tuple]:
    """Build a dataset and the ids of the annotators made careless in it.

    The lab's own dataset when ``course`` is ``None``; otherwise the dataset of
    ``made_for`` in ``course``, whose careless annotators are drawn first from that
    student's stream.
    """
    ids = annotator_ids(NUM_ANNOTATORS)
    if course is None:
        rng = np.random.RandomState(LAB_SEED)
        positions = sorted(_careless_set(None, NUM_ANNOTATORS, NUM_CARELESS_ANNOTATORS))
    else:
        rng = _variant_random_state(course, made_for.name)
        positions = sorted(rng.choice(NUM_ANNOTATORS, NUM_CARELESS_ANNOTATORS, replace=False))
    data = make_multiannotator_data(rng, careless_positions=positions)
    random_labels = labels_from_one_random_annotation(data.multiannotator_labels, rng)
    lab = LabData(
        features=data.features,
        true_labels=data.true_labels,
        multiannotator_labels=data.multiannotator_labels,
        n_classes=data.n_classes,
        labels_from_random_annotators=random_labels,
        course=course,
        made_for=made_for,
    )
    kept = set(data.multiannotator_labels.columns)
    return lab, tuple(ids[p] for p in positions if ids[p] in kept)


_loaded: tuple | None = None


def loaded_dataset() -> tuple | None:
    """``(course, identity)`` of the dataset :func:`load_lab_data` last built in this process,
    or ``None`` before the first call."""
    return _loaded


def load_lab_data(course: str | None = None, *, student: str | None = None) -> LabData:
    """Build the lab's dataset, or a student's own, fresh each call.

    Parameters
    ----------
    course : str, optional
        Without it, the lab's own dataset (seed :data:`~helpers.simulation.LAB_SEED`), the same for
        everyone. With it (the course's set-up cell passes it when the course gives
        every student a dataset of their own), the dataset of one student in that
        course: the same simulation with its own features, annotations and careless
        annotators.
    student : str, optional
        Whose dataset to build; by default the student this kernel works for
        (:func:`helpers.identity.student_identity`).

    Returns
    -------
    LabData
        About 300 examples labeled by 50 annotators (``A0001`` onwards; 299 in the
        lab's own dataset), and the one-random-annotation labels.
    """
    global _loaded
    if course is None:
        if student is not None:
            raise ValueError("student= needs course=: without a course everyone has the same data")
        made_for = None
    else:
        if not isinstance(course, str) or not course.strip():
            raise ValueError(f"course must be a non-empty string, got {course!r}")
        made_for = student_identity() if student is None else Identity(str(student), "its caller")
    lab = _lab_data_and_design(course, made_for)[0]
    _loaded = (course, made_for)
    return lab
