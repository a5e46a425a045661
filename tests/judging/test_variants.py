"""Datasets of one's own: who gets which data, the switch, and what the grader judges against."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

import helpers.data
from helpers.checks import notebook_dataset_shape
from helpers.data import _lab_data_and_design, load_lab_data
from helpers.identity import GRADED_STUDENT_VARIABLE, Identity, student_identity
from labgrader.course.assignment import read_notebook
from labgrader.course.config import BIN_DIR, REPO_ROOT
from labgrader.judging.judge import grade_payload
from labgrader.judging.original_lab import annotator_agreement, majority_vote, worst_annotators
from labgrader.judging.reference import lab_reference
from labgrader.judging.variants import (
    DatasetVariants,
    course_of_setup_source,
    graded_course,
    stamp_setup_source,
)
from labgrader.sandbox.environment import grading_kernel_env
from tests.support.builders import RELEASE_DIR, recorded_payload

COURSE = "dcai-lab-test"
LABS_CARELESS = [f"A{i:04d}" for i in range(41, 51)]


@pytest.fixture
def kernel(monkeypatch):
    """This process as a student's kernel: its identity variables and the dataset it loaded."""
    for variable in (GRADED_STUDENT_VARIABLE, "JUPYTERHUB_USER"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setattr(helpers.data, "_loaded", None)
    return monkeypatch


def own(student: str):
    return _lab_data_and_design(COURSE, Identity(student, "test"))


# --- identity ---------------------------------------------------------------------


def test_identity_comes_from_the_grader_then_the_hub_then_the_account():
    assert student_identity({GRADED_STUDENT_VARIABLE: "alice", "JUPYTERHUB_USER": "bob"}) == (
        Identity("alice", "the autograder")
    )
    assert student_identity({"JUPYTERHUB_USER": "bob"}) == Identity("bob", "JupyterHub")
    account = student_identity({"JUPYTERHUB_USER": "  ", "USER": "carol", "LOGNAME": "carol"})
    assert account.found_in == "your account" and account.name


def _printed_by_a_kernel_running_the_set_up_cell(folder) -> str:
    """What the release's set-up cell, switch on, prints in a real kernel of this environment."""
    release = read_notebook(RELEASE_DIR / "exercise1_majority_vote.ipynb")
    (setup,) = [
        c for c in release.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup"
    ]
    source = stamp_setup_source(setup.source, COURSE)
    nb = new_notebook(cells=[new_code_cell(source)], metadata=release.metadata)
    resources = {"metadata": {"path": str(folder)}}
    NotebookClient(nb, timeout=120, kernel_name="python3", resources=resources).execute()
    return "".join(o.get("text", "") for o in nb.cells[0].outputs if o.output_type == "stream")


@pytest.mark.parametrize("hub_user", ["alice-on-the-hub", None], ids=["on a hub", "an account"])
def test_a_students_kernel_builds_the_dataset_of_its_hub_user_else_its_account(
    kernel, tmp_path, hub_user
):
    """A kernel a JupyterHub server starts inherits JUPYTERHUB_USER; elsewhere only the account."""
    if hub_user:
        kernel.setenv("JUPYTERHUB_USER", hub_user)
    name, found_in = (hub_user, "JupyterHub") if hub_user else (getpass.getuser(), "your account")
    printed = _printed_by_a_kernel_running_the_set_up_cell(tmp_path)
    fingerprint = lab_reference(COURSE, name).fingerprint
    assert printed.startswith(
        f"Your dataset: {fingerprint}, made for {name} (found by {found_in}) in course {COURSE}: "
    ), printed


def test_the_same_student_always_gets_the_same_dataset(kernel):
    kernel.setenv("JUPYTERHUB_USER", "alice")
    first, again = load_lab_data(course=COURSE), load_lab_data(course=COURSE)
    assert first.made_for == Identity("alice", "JupyterHub")
    assert first.fingerprint == again.fingerprint
    np.testing.assert_array_equal(first.features, again.features)
    pd.testing.assert_frame_equal(first.multiannotator_labels, again.multiannotator_labels)
    kernel.setenv(GRADED_STUDENT_VARIABLE, "alice")  # graded: the same data as on the hub
    graded = load_lab_data(course=COURSE)
    assert graded.fingerprint == first.fingerprint and graded.made_for.found_in == "the autograder"
    assert "alice" in graded.describe() and first.fingerprint in graded.describe()


def test_students_get_different_features_annotations_and_careless_annotators():
    datasets = {name: own(name) for name in (f"student{i}" for i in range(30))}
    fingerprints = {lab.fingerprint for lab, _ in datasets.values()}
    careless = {careless for _, careless in datasets.values()}
    assert len(fingerprints) == len(careless) == len(datasets)
    assert tuple(LABS_CARELESS) not in careless
    every_id = {annotator for ids in careless for annotator in ids}
    assert len(every_id) > 45  # careless annotators are spread over all ids, not the last ten
    for lab, ids in datasets.values():
        assert len(ids) == 10 and lab.multiannotator_labels.shape[1] == 50
        assert 290 <= len(lab.true_labels) <= 300


def test_careless_by_design_are_careless_in_the_data():
    for student in ("alice", "bob", "carol"):
        lab, careless = own(student)
        labels = lab.multiannotator_labels
        given = labels.notna().to_numpy()
        right = (labels.to_numpy(dtype=float, na_value=-1) == lab.true_labels[:, None]) & given
        accuracy = pd.Series(right.sum(0) / given.sum(0), index=labels.columns)
        assert accuracy[list(careless)].mean() < accuracy.drop(list(careless)).mean() - 0.1


def test_the_labs_own_dataset_is_unchanged_without_a_course(kernel, lab):
    kernel.setenv("JUPYTERHUB_USER", "alice")
    plain = load_lab_data()
    assert plain.course is None and plain.made_for is None
    assert plain.fingerprint == lab.fingerprint == _lab_data_and_design()[0].fingerprint
    assert _lab_data_and_design()[1] == tuple(LABS_CARELESS)
    with pytest.raises(ValueError, match="student= needs course="):
        load_lab_data(student="alice")
    with pytest.raises(ValueError, match="non-empty string"):
        load_lab_data(course=" ")


def test_a_variant_leaves_numpys_global_state_alone():
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (checking it is untouched)
    own("alice")
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002


def test_the_fingerprint_follows_the_content():
    lab, _ = own("alice")
    changed = lab.multiannotator_labels.copy()
    column = changed.columns[0]
    row = changed[column].first_valid_index()
    changed.loc[row, column] = (changed.loc[row, column] + 1) % 3
    other = helpers.data.LabData(**{**lab.__dict__, "multiannotator_labels": changed})
    assert other.fingerprint != lab.fingerprint


def test_shape_checks_follow_the_dataset_the_notebook_loaded(kernel):
    kernel.setenv(GRADED_STUDENT_VARIABLE, "student0")
    loaded = load_lab_data(course=COURSE)
    assert notebook_dataset_shape().n_examples == len(loaded.true_labels)


def test_importing_the_students_package_builds_no_dataset():
    """The warm kernels' fork server imports helpers: nothing of any student may be made there."""
    check = (
        "import helpers, helpers.checks, helpers.data;"
        "assert helpers.data.loaded_dataset() is None;"
        "assert helpers.checks.dataset_shape.cache_info().currsize == 0"
    )
    subprocess.run([sys.executable, "-c", check], check=True, cwd=REPO_ROOT)


# --- the switch -------------------------------------------------------------------


SETUP = "import helpers\n\nlab = helpers.load_lab_data()\nX = lab.features"


def test_the_switch_stamps_the_set_up_cell_and_the_grader_reads_it_back():
    stamped = stamp_setup_source(SETUP, COURSE)
    assert f'lab = helpers.load_lab_data(course="{COURSE}")\nprint(lab.describe())' in stamped
    assert course_of_setup_source(stamped) == COURSE
    assert course_of_setup_source(SETUP) is None
    with pytest.raises(ValueError, match="exactly once"):
        stamp_setup_source("lab = make_my_own()", COURSE)


def test_the_switch_is_off_by_default_and_refuses_names_it_cannot_stamp():
    from nbformat.v4 import new_code_cell, new_notebook

    cell = new_code_cell(SETUP, metadata={"nbgrader": {"grade_id": "setup"}})
    nb, _ = DatasetVariants().preprocess(new_notebook(cells=[cell]), {})
    assert nb.cells[0].source == SETUP and graded_course(nb, {}) is None
    nb, _ = DatasetVariants(course=COURSE).preprocess(nb, {})
    assert graded_course(nb, {}) == COURSE
    for bad in ('x" + open("/etc/passwd").read() + "', "-leading-dash"):
        with pytest.raises(Exception, match="DatasetVariants.course must be"):
            DatasetVariants(course=bad)
    assert 'c.DatasetVariants.course = ""' in (REPO_ROOT / "nbgrader_config.py").read_text()


def test_the_grader_reads_the_switch_from_the_gradebook_as_it_is_now(tmp_path, monkeypatch):
    """A long-lived grader (a Formgrader, a Dask worker) sees a release generated again."""
    from nbgrader.api import Gradebook

    monkeypatch.setenv("PATH", f"{BIN_DIR}{os.pathsep}{os.environ['PATH']}")  # nbgrader's alembic
    db_url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    resources = {"nbgrader": {"db_url": db_url, "assignment": "lab", "notebook": "ex1"}}
    submitted = new_notebook(cells=[new_code_cell(stamp_setup_source(SETUP, "from-the-student"))])
    for generated in (stamp_setup_source(SETUP, COURSE), SETUP, stamp_setup_source(SETUP, "new")):
        with Gradebook(db_url) as gradebook:
            gradebook.update_or_create_assignment("lab")
            gradebook.update_or_create_notebook("ex1", "lab")
            gradebook.update_or_create_source_cell(
                "setup", "ex1", "lab", source=generated, cell_type="code", locked=True
            )
        assert graded_course(submitted, resources) == course_of_setup_source(generated)


def test_grading_kernels_get_the_student_and_no_hub_session_of_the_grader():
    inherited = {
        "JUPYTERHUB_USER": "instructor",
        "JUPYTERHUB_API_TOKEN": "secret",
        GRADED_STUDENT_VARIABLE: "someone-else",
        "PATH": "/usr/bin",
    }
    env = grading_kernel_env(inherited, student="alice")
    assert env[GRADED_STUDENT_VARIABLE] == "alice" and env["PATH"] == "/usr/bin"
    assert not any(name.startswith("JUPYTERHUB_") for name in env)
    assert GRADED_STUDENT_VARIABLE not in grading_kernel_env(inherited)


# --- what the grader judges against -----------------------------------------------


def test_the_grader_builds_the_students_own_reference():
    for student in ("alice", "bob"):
        reference = lab_reference(COURSE, student)
        lab, careless = own(student)
        assert reference.fingerprint == lab.fingerprint
        assert reference.bad_annotators == frozenset(careless)
        assert reference.is_own_dataset
    assert lab_reference().bad_annotators == frozenset(LABS_CARELESS)
    with pytest.raises(ValueError, match="both course and student"):
        lab_reference(COURSE)


def _lab_answers(reference):
    votes = majority_vote(reference.multiannotator_labels)
    scores = annotator_agreement(reference.multiannotator_labels, votes)
    return votes, scores, worst_annotators(scores)


def test_a_students_own_answers_pass_and_a_classmates_fail_saying_why(kernel):
    alice, bob = lab_reference(COURSE, "alice"), lab_reference(COURSE, "bob")
    kernel.setattr(helpers.data, "_loaded", (COURSE, Identity("bob", "test")))
    bob_votes, bob_scores, bob_worst = _lab_answers(bob)
    assert grade_payload("majority_vote", recorded_payload("majority_vote", bob_votes), bob).passed
    for part, value in (
        ("annotator_scores", bob_scores),
        ("worst_annotators_majority_vote", bob_worst),
    ):
        assert grade_payload(part, recorded_payload(part, value), bob).passed
        copied = grade_payload(part, recorded_payload(part, value), alice)
        assert not copied.passed and alice.fingerprint in copied.message, copied.message
    if alice.n_examples == bob.n_examples:
        copied = grade_payload("majority_vote", recorded_payload("majority_vote", bob_votes), alice)
        assert "they do not match your data" in copied.message, copied.message


def test_the_labs_own_careless_annotators_fit_the_labs_own_dataset_only(kernel):
    payload = recorded_payload("worst_annotators_majority_vote", LABS_CARELESS)
    assert grade_payload("worst_annotators_majority_vote", payload).passed
    verdict = grade_payload("worst_annotators_majority_vote", payload, lab_reference(COURSE, "bob"))
    assert not verdict.passed and "fits the lab's own dataset" in verdict.message


def test_an_answer_of_another_length_says_it_is_from_another_dataset(kernel):
    reference = next(
        lab_reference(COURSE, s) for s in (f"student{i}" for i in range(30))
        if lab_reference(COURSE, s).n_examples != 299
    )  # fmt: skip
    payload = recorded_payload(
        "majority_vote", majority_vote(lab_reference().multiannotator_labels)
    )
    verdict = grade_payload("majority_vote", payload, reference)
    assert "has 299 entries" in verdict.message
    assert f"which has {reference.n_examples} examples" in verdict.message
    plain = grade_payload("majority_vote", recorded_payload("majority_vote", [0] * 5))
    assert "another" not in plain.message  # the lab's own dataset: nobody else's to copy
