"""Nothing a student can reach without writing code of their own passes an autograded part.

Every public function of every ``helpers`` module is called with the lab's data in
the usual argument shapes (features, annotations, labels, pred_probs, scores, ids),
and again with the keywords a consensus function would take (``tie_break=...``,
``pred_probs=``, ``annotator_scores=``); every attribute of ``load_lab_data()`` is
collected, and so is every value the given cells of the notebooks define before the
first answer. Each value is then judged as every autograded part, exactly as the
grader judges a recorded answer.

The one kind of value that may pass is what Exercise 2a asks students to *choose*:
out-of-sample pred_probs of the lab's model fit to labels a curator has. Anything else
that passes is a giveaway, and so is a public function that accepts a tie-break.
"""

from __future__ import annotations

import inspect

import pytest

from labgrader.course.assignment import NOTEBOOKS
from labgrader.judging.original_lab import majority_vote
from tests.support.giveaways import (
    HELPERS_SOURCES,
    argument_pool,
    assert_no_chain_of_calls_passes,
    assert_no_given_value_passes,
    giveaways,
    public_functions,
    unpacked,
)


@pytest.fixture(scope="module")
def pool(lab):
    """Argument values by parameter name: what a student has before answering anything."""
    return argument_pool(lab)


def test_no_public_function_takes_a_tie_break():
    for name, function in public_functions():
        assert "tie_break" not in inspect.signature(function).parameters, name


def test_nothing_helpers_functions_return_passes_a_part(lab, pool, capsys):
    """Called once, and again on what the first calls returned (a chain of calls, no own code)."""
    assert_no_chain_of_calls_passes(pool, capsys)


def test_no_attribute_of_the_lab_data_passes_a_part(lab):
    attributes = [getattr(lab, name) for name in dir(lab) if not name.startswith("_")]
    values = [v for attribute in attributes for v in unpacked(attribute) if not callable(v)]
    assert len(values) >= 5
    assert not giveaways(values, model_outputs=[])


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_value_the_given_cells_define_passes_a_part(notebook, lab, capsys):
    """Exercise 2 stands on its own without handing over Exercise 1 (nor does Exercise 1 itself)."""
    assert_no_given_value_passes(notebook, lab, capsys)


def test_the_search_finds_a_giveaway_when_there_is_one(lab):
    """The detector itself: a consensus function's output would be caught."""
    found = giveaways([majority_vote(lab.multiannotator_labels)], [])
    assert ("majority_vote", "ndarray") in found


@pytest.mark.parametrize("path", HELPERS_SOURCES, ids=lambda path: path.name)
def test_no_text_in_helpers_names_the_careless_or_calls_anything_the_reference(path):
    text = path.read_text()
    for careless in [f"A00{i}" for i in range(41, 51)]:
        assert careless not in text, careless
    for phrase in ("reference", "solution", "the answer to", "last ten", "last 10", "bad ones"):
        assert phrase not in text.lower(), phrase
