"""Datasets of one's own, end to end: the switch in the course configuration, a class graded by
``nbgrader autograde`` and by the fast grader, and what each student must get.

The grading environment carries an instructor's JupyterHub session (``JUPYTERHUB_USER``,
``JUPYTERHUB_API_TOKEN``), as when grading from a hub server: no kernel may take that identity.
"""

from __future__ import annotations

import html
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

from helpers.parts import PARTS
from labgrader.autograde.failures import STATE_KEY
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS
from labgrader.course.config import BIN_DIR, REPO_ROOT, nbgrader_env, new_course, run_nbgrader
from labgrader.judging.reference import lab_reference
from labgrader.reporting.report import grade_report, gradebook_snapshot
from labgrader.sample.cohort import write_cohort
from labgrader.sample.cohort_variants import HONEST, VARIANT_COURSE, VARIANT_STUDENTS
from labgrader.sandbox.readiness import sandbox_readiness
from tests.support.builders import gradebook_scores, graded_parts

pytestmark = pytest.mark.slow

BY_NAME = {student.name: student for student in VARIANT_STUDENTS}
HUB_SESSION = {"JUPYTERHUB_USER": "instructor-on-the-hub", "JUPYTERHUB_API_TOKEN": "hub-secret"}


def _grade(course: Path, *command: str) -> subprocess.CompletedProcess:
    done = subprocess.run(
        list(command),
        cwd=course,
        env=nbgrader_env(HUB_SESSION),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


@pytest.fixture(scope="module")
def courses(tmp_path_factory) -> dict:
    """The class graded twice: plain ``nbgrader autograde`` with ordinary kernels, and
    ``multiannotator-autograde`` with two warm workers (both sandboxed where the machine can)."""
    root = new_course(
        tmp_path_factory.mktemp("variant_cohort") / "course",
        extra_config=f'c.DatasetVariants.course = "{VARIANT_COURSE}"',
    )
    write_cohort(root, VARIANT_STUDENTS, repo_root=root)
    fast = shutil.copytree(root, root.parent / "fast")
    _grade(root, str(BIN_DIR / "nbgrader"), "autograde", ASSIGNMENT,
           "--GradingExecute.warm_kernels=False")  # fmt: skip
    run_nbgrader(root, "generate_feedback", ASSIGNMENT)
    graded = _grade(fast, str(BIN_DIR / "multiannotator-autograde"), "--workers", "2")
    assert f"graded {len(VARIANT_STUDENTS)}, failed 0, left 0" in graded.stderr
    return {"sequential": root, "fast": Path(fast)}


def _own(student: str):
    return lab_reference(VARIANT_COURSE, student)


def test_the_release_carries_the_switch_in_its_locked_set_up_cell(courses):
    for notebook in NOTEBOOKS:
        text = (courses["sequential"] / "release" / ASSIGNMENT / f"{notebook}.ipynb").read_text()
        assert f'helpers.load_lab_data(course=\\"{VARIANT_COURSE}\\")' in text
        assert "print(lab.describe())" in text


@pytest.mark.parametrize("student", VARIANT_STUDENTS, ids=lambda s: s.name)
def test_points_part_by_part(courses, student):
    points = {
        grade_id.removeprefix("test_"): score
        for (_, grade_id), (score, _) in gradebook_scores(
            courses["sequential"], student.name
        ).items()
        if grade_id.removeprefix("test_") in PARTS
    }
    expected = {p: 0 if p in student.lost else full for p, (_, full) in graded_parts().items()}
    assert points == expected, student.does


def test_the_fast_grader_leaves_the_same_gradebook(courses):
    sequential = gradebook_snapshot(f"sqlite:///{courses['sequential'] / 'gradebook.db'}")
    fast = gradebook_snapshot(f"sqlite:///{courses['fast'] / 'gradebook.db'}")
    assert fast == sequential


def _autograded(course: Path, student: str, notebook: str):
    path = course / "autograded" / student / ASSIGNMENT / f"{notebook}.ipynb"
    return nbformat.read(str(path), as_version=4)


@pytest.mark.parametrize("grader", ["sequential", "fast"])
def test_both_graders_ran_every_students_code_in_the_sandbox(courses, grader):
    why_not = sandbox_readiness(REPO_ROOT)
    if why_not:
        pytest.skip(f"this machine cannot sandbox: {why_not}")
    for student in VARIANT_STUDENTS:
        for notebook in NOTEBOOKS:
            nb = _autograded(courses[grader], student.name, notebook)
            confinement = nb.metadata[STATE_KEY]["confinement"]
            assert confinement.startswith("sandboxed"), (student.name, notebook, confinement)


def _printed_by_the_set_up_cell(course: Path, student: str, notebook: str) -> str:
    nb = _autograded(course, student, notebook)
    setup = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "setup")
    return "".join(o.get("text", "") for o in setup.outputs if o.output_type == "stream")


@pytest.mark.parametrize("grader", ["sequential", "fast"])
def test_every_kernel_built_its_own_students_dataset(courses, grader):
    """In ordinary and in warm kernels alike, forked or not: nothing shared between students."""
    fingerprints = set()
    for student in VARIANT_STUDENTS:
        works_for = HONEST if student.name == "var_fay_poses_as_ada" else student.name
        for notebook in NOTEBOOKS:
            printed = _printed_by_the_set_up_cell(courses[grader], student.name, notebook)
            assert printed.startswith(f"Your dataset: {_own(works_for).fingerprint}, "), printed
            assert f"made for {works_for} (found by the autograder)" in printed, printed
            assert "instructor-on-the-hub" not in printed
        fingerprints.add(_own(student.name).fingerprint)
    assert len(fingerprints) == len(VARIANT_STUDENTS)


def _feedback(course: Path, student: str, notebook: str) -> str:
    page = course / "feedback" / student / ASSIGNMENT / f"{notebook}.html"
    return " ".join(html.unescape(page.read_text()).split())


@pytest.mark.parametrize("student", VARIANT_STUDENTS, ids=lambda s: s.name)
def test_feedback_names_the_dataset_graded_on(courses, student):
    for notebook in NOTEBOOKS:
        text = _feedback(courses["sequential"], student.name, notebook)
        assert f"Graded on your own dataset <b>{_own(student.name).fingerprint}</b>" in text
        assert f"made for {student.name} in course {VARIANT_COURSE}" in text


def _failure_of(text: str, part: str) -> str:
    rows = text.split("Your results on the autograded parts")[1].split("</table>")[0].split("<tr>")
    (row,) = [r for r in rows if PARTS[part].title in r]
    return row.split("failed: ", 1)[1]


def test_copied_answers_are_told_they_do_not_match_this_students_data(courses):
    student = BY_NAME["var_dee_copies_ada"]
    fingerprint = _own(student.name).fingerprint
    for notebook in NOTEBOOKS:
        text = _feedback(courses["sequential"], student.name, notebook)
        for part in (p for p in student.lost if graded_parts()[p][0] == notebook):
            why = _failure_of(text, part)
            assert fingerprint in why, (part, why)
            assert any(
                words in why
                for words in ("not match your data", "do no better than chance on yours")
            ), (part, why)


def test_the_labs_own_careless_annotators_are_told_they_are_not_this_students(courses):
    text = {
        nb: _feedback(courses["sequential"], "var_eli_hard_codes_a0041", nb) for nb in NOTEBOOKS
    }
    for part in ("worst_annotators_majority_vote", "worst_annotators_crowdlab"):
        why = _failure_of(text[graded_parts()[part][0]], part)
        assert "This answer fits the lab's own dataset" in why and "not yours" in why, why


def test_an_edited_set_up_cell_is_put_back_and_reported(courses):
    report = {(row.student, row.notebook): row for row in grade_report(courses["sequential"])}
    for notebook in NOTEBOOKS:
        assert "setup (its source)" in report[("var_gus_edits_setup_cell", notebook)].notes
        assert "locked" not in report[(HONEST, notebook)].notes


def test_the_grade_report_notes_answers_from_another_dataset(courses):
    report = {(row.student, row.notebook): row for row in grade_report(courses["sequential"])}
    copies = {"var_dee_copies_ada", "var_eli_hard_codes_a0041", "var_fay_poses_as_ada"}
    for student in VARIANT_STUDENTS:
        for notebook in NOTEBOOKS:
            noted = "computed on another dataset than the student's own" in (
                report[(student.name, notebook)].notes
            )
            assert noted is (student.name in copies), (student.name, notebook)
    eli = report[("var_eli_hard_codes_a0041", NOTEBOOKS[0])].notes
    assert eli.endswith("(copied?): worst_annotators_majority_vote"), eli
