"""Student code cannot touch the grader: every attack fails in the sandbox, and only there.

An attacker answers exercise 1 correctly but, in the same cell, tries to read the
gradebook and print a hidden test, to write to it, to read the source notebooks (of
the course and of the checkout the grader is installed from), to import the grader
and read its thresholds, to reach a port the test listens on, to fork without end,
to allocate 50 GiB and to write outside its folder. It records what happened in its
own output.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket

import nbformat
import pytest
from traitlets.config import Config

from labgrader.autograde.execute import GradingExecute
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook
from labgrader.course.config import REPO_ROOT, new_course, run_nbgrader
from labgrader.reporting.report import grade_report, gradebook_snapshot
from labgrader.sample.cohort import STUDENTS, write_cohort
from labgrader.sandbox.confine import Policy
from labgrader.sandbox.policy import lent_to_the_sandbox, sandbox_user
from labgrader.sandbox.readiness import sandbox_readiness
from tests.support.attacker import attacker, attempts_of
from tests.support.builders import FULL, MANUAL, gradebook_scores

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def listener():
    """A loopback port the attacker tries to reach."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def classmates() -> list:
    return [s for s in STUDENTS if s.name in ("instructor_solution", "fails_tiebreak_least_likely")]


@pytest.fixture(scope="module")
def graded(tmp_path_factory, listener):
    why_not = sandbox_readiness(REPO_ROOT)
    if why_not:
        pytest.fail(f"the sandbox is unavailable on this machine: {why_not}")
    courses = {}
    for mode, options in (
        ("warm", []),
        ("cold", ["--GradingExecute.warm_kernels=False"]),
        ("unsandboxed", ["--GradingExecute.sandbox=False"]),
    ):
        course = new_course(tmp_path_factory.mktemp(mode))
        write_cohort(course, [attacker(listener), *classmates()])
        run_nbgrader(course, "autograde", ASSIGNMENT, *options)
        courses[mode] = course
    return courses


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_every_attack_fails_in_the_sandbox(graded, mode):
    attempts = attempts_of(graded[mode])
    assert len(attempts) == 12
    assert all(result.startswith("blocked") for result in attempts.values()), attempts
    assert attempts["allocate 50 GiB"] == "blocked: MemoryError"
    assert attempts["reach the network"] == "blocked: OSError"
    assert attempts["import the grader"] == "blocked: ModuleNotFoundError"
    assert attempts["find the grader in memory"] == "blocked: IndexError"


def test_the_attacks_are_real_without_the_sandbox(graded):
    attempts = attempts_of(graded["unsandboxed"])
    for name in (
        "read the gradebook",
        "write the gradebook",
        "read the source",
        "reach the network",
        "write outside the folder",
        "write the course package",
        "import the grader",
        "read the grader's thresholds",
        "read the checkout's source",
    ):
        assert attempts[name].startswith("succeeded"), (name, attempts)
    assert "hidden=True" in attempts["read the gradebook"]


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_the_fork_bomb_is_stopped_by_the_process_limit(graded, mode):
    nb = read_notebook(
        graded[mode] / "autograded" / "attacker" / ASSIGNMENT / f"{NOTEBOOKS[0]}.ipynb"
    )
    printed = "".join(
        o.get("text", "")
        for c in nb.cells
        for o in c.get("outputs", [])
        if o.output_type == "stream"
    )
    forked = int(printed.split("forked ")[1].split()[0])
    assert 0 < forked < 256


@pytest.mark.parametrize("mode", ["warm", "cold"])
def test_the_attacker_still_gets_its_points_and_the_class_is_graded_as_without_sandbox(
    graded, mode
):
    for student in ("attacker", "instructor_solution"):
        scores = gradebook_scores(graded[mode], student)
        assert {key: score for key, (score, _) in scores.items() if key not in MANUAL} == FULL, (
            student
        )

    def of_classmates(course):
        snapshot = gradebook_snapshot(f"sqlite:///{course / 'gradebook.db'}")
        return {key: value for key, value in snapshot.items() if key[0] != "attacker"}

    assert of_classmates(graded[mode]) == of_classmates(graded["unsandboxed"])


def test_the_report_says_which_notebooks_ran_unconfined(graded):
    for mode, unconfined in (("warm", False), ("cold", False), ("unsandboxed", True)):
        for row in grade_report(graded[mode]):
            said = "student code was not sandboxed: switched off" in row.notes
            assert said is unconfined, (mode, row)


def test_no_hidden_test_reaches_the_attackers_output(graded):
    for mode in ("warm", "cold"):
        assert "hidden=True" not in json.dumps(attempts_of(graded[mode]))


@pytest.mark.parametrize(
    ("warm", "sandbox"),
    [(True, True), (False, True), (True, False)],
    ids=["warm", "cold", "control"],
)
def test_the_gradebook_file_is_unchanged_by_student_code(tmp_path, listener, warm, sandbox):
    """The gradebook's checksum survives the attacker in the sandbox; without it, it does not."""
    course = new_course(tmp_path / "course")
    write_cohort(course, [attacker(listener)])
    workdir = course / "autograded" / "attacker" / ASSIGNMENT
    workdir.mkdir(parents=True)
    notebook = course / "submitted" / "attacker" / ASSIGNMENT / f"{NOTEBOOKS[0]}.ipynb"
    before = hashlib.sha256((course / "gradebook.db").read_bytes()).hexdigest()
    executor = GradingExecute(
        config=Config({"CourseDirectory": {"root": str(course)}}),
        timeout=60,
        warm_kernels=warm,
        sandbox=sandbox,
    )
    nb, _ = executor.preprocess(
        nbformat.read(str(notebook), 4), {"metadata": {"path": str(workdir)}}
    )
    after = hashlib.sha256((course / "gradebook.db").read_bytes()).hexdigest()
    assert (before == after) is sandbox
    assert "ATTEMPTS" in nbformat.writes(nb)


def test_the_student_folder_is_lent_and_returned_symlinks_included(tmp_path):
    """Files go to the sandbox user while the kernel runs and come back; a dangling link is no fault."""
    workdir = tmp_path / "student"
    workdir.mkdir()
    (workdir / "answer.txt").write_text("42")
    (workdir / "dangling").symlink_to(tmp_path / "nowhere")
    uid, gid = sandbox_user()
    policy = Policy(workdir=str(workdir), runtime=str(tmp_path / "runtime"), uid=uid, gid=gid)
    before = {p.name: (p.lstat().st_uid, p.lstat().st_gid) for p in workdir.iterdir()}

    with lent_to_the_sandbox(policy):
        assert {p.name: p.lstat().st_uid for p in workdir.iterdir()} == dict.fromkeys(before, uid)
        (workdir / "made_by_the_kernel.txt").write_text("new")

    after = {p.name: (p.lstat().st_uid, p.lstat().st_gid) for p in workdir.iterdir()}
    assert after == {**before, "made_by_the_kernel.txt": (os.getuid(), os.getgid())}
