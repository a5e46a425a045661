"""Nothing within a student's reach passes an autograded part on a dataset of one's own either.

The checks of :mod:`tests.helpers.test_no_answer_in_reach` (:mod:`tests.support.giveaways`), run as ``STUDENT``'s grading kernel in a
course with the switch on: the release's set-up cell stamped with the course name, every public
function of ``helpers`` called with that student's data, every attribute of their dataset, and
every value the given cells define, each judged against that student's own reference.
"""

from __future__ import annotations

import re

import pytest

import helpers
import helpers.data
from helpers.identity import GRADED_STUDENT_VARIABLE
from labgrader.course.assignment import NOTEBOOKS
from labgrader.judging.reference import lab_reference
from tests.support.giveaways import (
    HELPERS_SOURCES,
    argument_pool,
    assert_no_chain_of_calls_passes,
    assert_no_given_value_passes,
    giveaways,
    unpacked,
)

COURSE, STUDENT = "dcai-lab-test", "alice"


@pytest.fixture
def own_dataset(monkeypatch):
    """This process as ``STUDENT``'s grading kernel in ``COURSE``: their dataset and reference."""
    monkeypatch.setenv(GRADED_STUDENT_VARIABLE, STUDENT)
    monkeypatch.setattr(helpers.data, "_loaded", None)
    lab = helpers.load_lab_data(course=COURSE)
    return lab, lab_reference(COURSE, STUDENT)


def test_nothing_helpers_functions_return_passes_a_part_on_a_dataset_of_ones_own(
    own_dataset, capsys
):
    lab, reference = own_dataset
    assert_no_chain_of_calls_passes(argument_pool(lab), capsys, reference)


def test_no_attribute_of_a_dataset_of_ones_own_passes_a_part(own_dataset):
    lab, reference = own_dataset
    attributes = [getattr(lab, name) for name in dir(lab) if not name.startswith("_")]
    values = [v for attribute in attributes for v in unpacked(attribute) if not callable(v)]
    assert lab.course == COURSE and lab.made_for.name == STUDENT
    assert not giveaways(values, model_outputs=[], reference=reference)
    assert reference.bad_annotators.isdisjoint(set(map(str, values)))


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_value_the_given_cells_of_a_release_with_the_switch_on_passes_a_part(
    notebook, own_dataset, capsys
):
    lab, reference = own_dataset
    assert_no_given_value_passes(notebook, lab, capsys, course=COURSE, reference=reference)


@pytest.mark.parametrize("path", HELPERS_SOURCES, ids=lambda path: path.name)
def test_no_text_in_helpers_names_an_annotator_beyond_the_first_ids(path):
    """No list of careless annotators, of the lab's own dataset or any student's, in any text."""
    named = set(re.findall(r"A\d{4}", path.read_text())) - {"A0001", "A0002"}
    assert not named, named
