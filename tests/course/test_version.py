"""What a Dask worker checks before it grades: the course version, the gradebook, file names."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from labgrader.course.config import REPO_ROOT, course_db_url
from labgrader.course.version import course_version, differences
from labgrader.fleet import worker as dask_worker
from labgrader.fleet.cluster import needs_grading
from labgrader.fleet.worker import (
    GradingWorker,
    Refusal,
    gradebook_identity,
    read_files,
    safe_relative,
    write_files,
)

COURSE_FILES = ("source", "release", "nbgrader_config.py")


@pytest.fixture
def course(tmp_path) -> Path:
    root = tmp_path / "course"
    root.mkdir()
    for name in COURSE_FILES:
        source = REPO_ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
    return root


def test_two_copies_of_one_commit_are_the_same_version(course, tmp_path):
    other = tmp_path / "other"
    shutil.copytree(course, other)
    assert course_version(course).digest == course_version(other).digest
    assert differences(course_version(course), course_version(other)) == ""


def test_a_changed_release_notebook_is_named(course):
    before = course_version(course)
    notebook = course / "release" / "multiannotator" / "exercise1_majority_vote.ipynb"
    notebook.write_text(notebook.read_text().replace("majority", "Majority", 1))
    (course / "source" / "multiannotator" / "notes.txt").write_text("a new file")
    said = differences(before, course_version(course))
    assert said.startswith("2 file(s) differ")
    assert "release/multiannotator/exercise1_majority_vote.ipynb changed" in said
    assert "source/multiannotator/notes.txt added" in said


def test_the_grader_and_the_stack_are_part_of_the_version(course):
    version = course_version(course)
    assert any(name.startswith("labgrader/") for name in version.files)
    assert any(name.startswith("helpers/") for name in version.files)
    assert version.files["stack/nbgrader"] == "0.9.6"


def test_gradebook_identity_hides_the_password_and_resolves_sqlite(tmp_path, monkeypatch):
    url = "postgresql+psycopg2://grader:secret@db.example:5432/gradebook"
    assert gradebook_identity(url) == "postgresql+psycopg2://grader@db.example:5432/gradebook"
    monkeypatch.chdir(tmp_path)
    assert gradebook_identity("sqlite:///gradebook.db") == f"sqlite:///{tmp_path}/gradebook.db"


def _plugin_for(course: Path, gradebook: str) -> GradingWorker:
    plugin = GradingWorker(course_version(course), gradebook, "multiannotator", [])
    plugin.private = course.parent / "private"
    return plugin


def test_a_worker_on_another_version_refuses_and_says_what_differs(course, tmp_path, monkeypatch):
    instructor = _plugin_for(course, "postgresql+psycopg2://grader@db:5432/gradebook")
    worker_copy = tmp_path / "worker"
    shutil.copytree(course, worker_copy)
    with (worker_copy / "nbgrader_config.py").open("a") as config:
        config.write("\n# changed\n")
    monkeypatch.setattr(dask_worker, "STARTED_IN", str(worker_copy))
    monkeypatch.delenv(dask_worker.COURSE_ROOT_VARIABLE, raising=False)
    with pytest.raises(Refusal, match=r"is not the instructor's .*nbgrader_config\.py changed"):
        instructor._prepare()


def test_a_worker_writing_to_another_gradebook_refuses(course, tmp_path, monkeypatch):
    instructor = _plugin_for(course, "postgresql+psycopg2://grader@db:5432/gradebook")
    worker_copy = tmp_path / "worker"
    shutil.copytree(course, worker_copy)
    monkeypatch.setenv(dask_worker.COURSE_ROOT_VARIABLE, str(worker_copy))
    monkeypatch.delenv("MULTIANNOTATOR_DB_URL", raising=False)  # its own SQLite file, then
    with pytest.raises(
        Refusal, match=r"would write grades to sqlite:///.*set MULTIANNOTATOR_DB_URL"
    ):
        instructor._prepare()


def test_a_worker_without_a_course_refuses(tmp_path, course, monkeypatch):
    monkeypatch.setenv(dask_worker.COURSE_ROOT_VARIABLE, str(tmp_path / "empty"))
    with pytest.raises(Refusal, match="there is no course at"):
        _plugin_for(course, "sqlite:///x")._prepare()


def test_the_course_copy_reads_the_gradebook_from_its_own_config(course, monkeypatch):
    monkeypatch.setenv("MULTIANNOTATOR_DB_URL", "postgresql+psycopg2://g:p@h:1/db")
    assert course_db_url(course) == "postgresql+psycopg2://g:p@h:1/db"


def test_submitted_files_travel_and_cannot_leave_their_folder(tmp_path):
    (tmp_path / "a" / "helpers").mkdir(parents=True)
    (tmp_path / "a" / "nb.ipynb").write_text("{}")
    (tmp_path / "a" / "helpers" / "__init__.py").write_text("x = 1")
    (tmp_path / "a" / "link").symlink_to("/etc/passwd")
    files = read_files(tmp_path / "a")
    assert sorted(files) == ["helpers/__init__.py", "nb.ipynb"]  # links are not sent
    write_files(tmp_path / "b", files)
    assert (tmp_path / "b" / "helpers" / "__init__.py").read_text() == "x = 1"
    for name in ("../escape", "/etc/passwd", "a/../../b"):
        with pytest.raises(ValueError, match="leaves the submission folder"):
            safe_relative(name)


def test_only_new_or_newer_submissions_need_grading(tmp_path):
    submitted = tmp_path / "submitted" / "alice" / "multiannotator"
    autograded = tmp_path / "autograded" / "alice" / "multiannotator"
    submitted.mkdir(parents=True)
    assert needs_grading(tmp_path, "alice", "multiannotator")
    autograded.mkdir(parents=True)
    assert not needs_grading(tmp_path, "alice", "multiannotator")
    (autograded / "timestamp.txt").write_text("2026-11-01 10:00:00.000000 UTC")
    (submitted / "timestamp.txt").write_text("2026-11-02 10:00:00.000000 UTC")
    assert needs_grading(tmp_path, "alice", "multiannotator")  # resubmitted since


class _Worker:
    """What :meth:`GradingWorker.setup` uses of a Dask worker."""

    def __init__(self, local_directory: Path):
        self.address, self.local_directory = "tcp://127.0.0.1:1", local_directory
        self.resources = {}

    async def set_resources(self, **resources):
        self.resources.update(resources)


def test_a_worker_whose_set_up_fails_refuses_with_the_reason(course, tmp_path, monkeypatch):
    import asyncio

    not_a_folder = tmp_path / "scratch"
    not_a_folder.write_text("a file where the worker's scratch folder should be")
    monkeypatch.setenv(dask_worker.COURSE_ROOT_VARIABLE, str(course))
    plugin = GradingWorker(course_version(course), "sqlite:///x", "multiannotator", [])
    worker = _Worker(not_a_folder)
    asyncio.run(plugin.setup(worker))
    state = plugin.state()
    assert state["refusal"].startswith("it could not set up the course (NotADirectoryError:")
    assert worker.resources == {}  # no grading slot: the instructor's side gives it nobody


def _git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the checkout to another user")
def test_a_checkout_owned_by_another_account_names_its_commit(course):
    """A Dask worker run as its own account reads a checkout it does not own (git would refuse
    it as of "dubious ownership"): its refusals still name the commit."""
    _git(course, "init", "--quiet")
    _git(course, "-c", "user.name=t", "-c", "user.email=t@t", "add", ".")
    _git(course, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "--quiet", "-m", "c")
    head = _git(course, "rev-parse", "--short=12", "HEAD")
    os.chown(course, 54321, 54321)  # an account that is not this process's
    for path in course.rglob("*"):
        os.lchown(path, 54321, 54321)
    refused = subprocess.run(["git", "-C", str(course), "rev-parse", "HEAD"], capture_output=True)
    assert refused.returncode != 0 and b"dubious ownership" in refused.stderr
    assert course_version(course).commit == head
