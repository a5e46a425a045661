"""A course set up before the grader was regrouped keeps grading, and is brought to the new names.

``golden/hub-course-config-2.0.py.txt`` is the ``nbgrader_config.py`` that ``labgrader.hub``
wrote into a hub's course folder with version 2.0 (the repository's configuration of commit
c191bf9 and the hub's lines): every grader module it names has moved since.
"""

from __future__ import annotations

import importlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from labgrader.autograde.execute import GradingExecute
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS
from labgrader.course.config import REPO_ROOT, nbgrader_env, run_nbgrader
from labgrader.course.renamed import RENAMED, migrate_file, migrate_text
from labgrader.sample.cohort import STUDENTS, write_cohort
from tests.support.builders import FULL, MANUAL, gradebook_scores

OLD_CONFIG = Path(__file__).with_name("golden") / "hub-course-config-2.0.py.txt"


def test_an_old_name_imports_what_it_held_and_says_where_it_went():
    sys.modules.pop("labgrader.execute", None)
    with pytest.warns(FutureWarning, match=r"labgrader\.execute is now labgrader\.autograde"):
        old = importlib.import_module("labgrader.execute")
    assert old.GradingExecute is GradingExecute
    assert old.GradingNotebookExporter.__module__ == "labgrader.autograde.exporter"
    with pytest.raises(AttributeError):
        old.no_such_thing  # noqa: B018


@pytest.mark.parametrize("old", sorted(RENAMED))
def test_every_old_name_leads_to_modules_that_exist(old):
    for new in RENAMED[old]:
        importlib.import_module(new)


def test_the_migration_names_every_class_by_its_new_module():
    text, changes = migrate_text(OLD_CONFIG.read_text())
    assert len(changes) == 11, changes
    assert (
        "labgrader.execute.GradingExecute -> labgrader.autograde.execute.GradingExecute" in changes
    )
    assert "labgrader.export.GradesAndComments -> labgrader.reporting.export.GradesAndComments" in (
        changes
    )
    for line in text.splitlines():
        for name in RENAMED:
            assert f'"{name}.' not in line, line
    assert migrate_text(text) == (text, [])  # once is enough
    repository, _ = migrate_text((REPO_ROOT / "nbgrader_config.py").read_text())
    assert repository == (REPO_ROOT / "nbgrader_config.py").read_text()  # already new


def test_an_old_module_still_runs_with_python_m():
    run = subprocess.run(
        [sys.executable, "-m", "labgrader.sample_class", "--help"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "--course-root" in run.stdout
    assert "labgrader.sample_class is now labgrader.sample.sample_class" in run.stderr


@pytest.mark.slow
def test_a_course_folder_made_before_the_change_grades_and_is_migrated(tmp_path):
    course = tmp_path / "dcai-lab"
    course.mkdir()
    shutil.copytree(REPO_ROOT / "source", course / "source")
    shutil.copy(OLD_CONFIG, course / "nbgrader_config.py")
    run_nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    write_cohort(course, [s for s in STUDENTS if s.name == "instructor_solution"])

    graded = run_nbgrader(course, "autograde", ASSIGNMENT)
    assert "labgrader.execute is now labgrader.autograde.execute" in graded.stderr
    scores = gradebook_scores(course, "instructor_solution")
    assert {key: score for key, (score, _) in scores.items() if key not in MANUAL} == FULL

    changes = migrate_file(course / "nbgrader_config.py")
    assert len(changes) == 11
    assert (course / "nbgrader_config.py.before-2.1").read_text() == OLD_CONFIG.read_text()
    again = run_nbgrader(course, "autograde", ASSIGNMENT, "--force")
    assert "FutureWarning" not in again.stderr, again.stderr
    assert gradebook_scores(course, "instructor_solution") == scores
    feedback = run_nbgrader(course, "generate_feedback", ASSIGNMENT)
    assert "FutureWarning" not in feedback.stderr
    assert (
        course / "feedback" / "instructor_solution" / ASSIGNMENT / f"{NOTEBOOKS[0]}.html"
    ).exists()


def test_the_migration_command_rewrites_a_file_in_place(tmp_path):
    config = tmp_path / "nbgrader_config.py"
    shutil.copy(OLD_CONFIG, config)
    run = subprocess.run(
        [sys.executable, "-m", "labgrader.course.renamed", str(config)],
        capture_output=True,
        text=True,
        env=nbgrader_env(),
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert (
        "labgrader.verify.VerifyAnswers -> labgrader.autograde.verify.VerifyAnswers" in run.stdout
    )
    assert "FutureWarning" not in run.stderr  # the migration itself imports only new names
    rerun = subprocess.run(
        [sys.executable, "-m", "labgrader.course.renamed", str(config)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "already uses the new names" in rerun.stdout
