"""Reading submissions: what can be repaired is (format keys, nbgrader metadata), the rest is reported."""

import copy
import json

import nbformat
import pytest
from nbformat.v4 import new_code_cell
from nbgrader.nbgraderformat import MetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.nbgraderformat import ValidationError as MetadataError

from labgrader.autograde.intake import parse_notebook, restore_cell_metadata

EX1 = "exercise1_majority_vote"


def cell_with_id(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


@pytest.mark.parametrize(
    ("key", "value", "nbgrader_error"),
    [
        ("schema_version", 1, SchemaTooOldError),
        ("schema_version", 99, SchemaTooNewError),
        ("points", None, MetadataError),
    ],
)
def test_known_cell_gets_the_release_metadata_back(release_notebooks, key, value, nbgrader_error):
    """A release cell whose nbgrader metadata was changed gets exactly the release's metadata back."""
    release = release_notebooks[EX1]
    submitted = copy.deepcopy(release)
    cell_with_id(submitted, "test_majority_vote").metadata.nbgrader[key] = value
    with pytest.raises(nbgrader_error):  # what nbgrader would do with it
        MetadataValidator().validate_nb(submitted)

    changes = restore_cell_metadata(submitted, release)

    assert len(changes) == 1 and "'test_majority_vote'" in changes[0], changes
    assert submitted == release
    MetadataValidator().validate_nb(submitted)


def test_unknown_cell_loses_its_nbgrader_metadata(release_notebooks):
    """A cell the release does not have, with invalid nbgrader metadata, becomes an ordinary cell."""
    release = release_notebooks[EX1]
    submitted = copy.deepcopy(release)
    forged = new_code_cell("print('Passed!')")
    forged.metadata.nbgrader = {"grade": True, "grade_id": "forged", "schema_version": 2}
    submitted.cells.append(forged)
    junk = new_code_cell("x = 1")
    junk.metadata.nbgrader = "not a mapping"
    submitted.cells.append(junk)

    changes = restore_cell_metadata(submitted, release)

    assert len(changes) == 2, changes
    assert "nbgrader" not in forged.metadata and "nbgrader" not in junk.metadata
    MetadataValidator().validate_nb(submitted)


def test_valid_metadata_is_left_alone(release_notebooks):
    """An untouched submission is not changed, and a valid edit (points) is left to nbgrader."""
    release = release_notebooks[EX1]
    submitted = copy.deepcopy(release)
    cell_with_id(submitted, "test_majority_vote").metadata.nbgrader["points"] = 100
    expected = copy.deepcopy(submitted)

    assert restore_cell_metadata(submitted, release) == []
    assert submitted == expected


def test_a_notebook_with_keys_the_format_forbids_is_repaired(release_notebooks):
    """Keys the format does not allow are removed and listed; the answers are kept."""
    nb = json.loads(nbformat.writes(release_notebooks[EX1]))
    markdown = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "markdown")
    nb["cells"][markdown]["outputs"] = []
    nb["colab"] = {}
    with pytest.raises(nbformat.ValidationError):
        nbformat.validate(nbformat.from_dict(nb))

    repaired, problem, repairs = parse_notebook(json.dumps(nb))

    assert problem is None
    assert repairs == [
        "removed 'colab' from the notebook",
        f"removed 'outputs' from cell {markdown}",
    ]
    assert [c.source for c in repaired.cells] == [c.source for c in release_notebooks[EX1].cells]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"cells": [', "NotJSONError"),
        ("[]", "not a valid notebook"),
        (
            '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "x"}]}',
            "ValidationError",
        ),
    ],
)
def test_what_is_not_a_notebook_is_reported_with_its_reason(text, reason):
    """A file that is not a notebook is not graded, and the reason says why."""
    nb, problem, repairs = parse_notebook(text)
    assert nb is None and repairs == []
    assert problem.startswith("not a valid notebook") and reason in problem
