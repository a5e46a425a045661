"""Several grading machines share one PostgreSQL gradebook.

Two course directories stand for two grading machines (A and B). Each holds what a grading
machine needs: ``source/``, ``release/``, ``nbgrader_config.py`` and only its own share of the
submissions. Both point ``MULTIANNOTATOR_DB_URL`` at one PostgreSQL database, served by a
throwaway server of Debian's PostgreSQL on 127.0.0.1. Machine A creates the assignment in the
gradebook (``nbgrader generate_assignment``); then both machines autograde at the same time, and
the gradebook must hold every student of both shares once, with the points :mod:`labgrader.sample.cohort` says.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg2
import pytest
from nbgrader.api import Gradebook

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS
from labgrader.course.config import BIN_DIR, REPO_ROOT, nbgrader_env
from labgrader.sample.cohort import STUDENTS, write_cohort
from tests.support.builders import expected_points, graded_parts
from tests.support.dask_cluster import stop
from tests.support.postgres import running_postgres, tail, why_no_postgres

pytestmark = pytest.mark.slow

COURSE = "dcai-lab"
BY_NAME = {student.name: student for student in STUDENTS}
# Disjoint shares, no timeouts; each share has a fault nbgrader itself would choke on
# (invalid JSON, a missing notebook, a dying kernel) and wrong answers.
SHARES = {
    "machine_a": (
        "instructor_solution",
        "fails_tiebreak_least_likely",
        "invalid_json_ex1",
        "missing_ex2",
    ),
    "machine_b": (
        "answers_as_lists",
        "fails_crowdlab_weak_model",
        "syntax_error_tiebreak",
        "kernel_dies_ex2",
    ),
}
DATABASE_ERROR = re.compile(
    r"IntegrityError|OperationalError|InvalidEntry|Rolling back session|psycopg2\.\w*Error"
)
GRADING_TIMEOUT = 600  # seconds for both machines together; about 40 s are expected


# --- a throwaway PostgreSQL server ------------------------------------------------------------


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server of its own on 127.0.0.1 (:func:`tests.postgres_server.running_postgres`)."""
    why_not = why_no_postgres()
    if why_not:
        pytest.skip(why_not)
    with running_postgres() as server:
        yield server


# --- the grading machines ---------------------------------------------------------------------


def machine_env(db_url: str) -> dict:
    """nbgrader's environment on a grading machine that uses the shared gradebook."""
    return {**nbgrader_env(), "MULTIANNOTATOR_DB_URL": db_url}


def new_machine(root: Path, students: tuple[str, ...]) -> Path:
    """A grading machine's course directory: the repository's course files and its share."""
    root.mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "source", root / "source")
    shutil.copytree(REPO_ROOT / "release", root / "release")  # graded in place of broken files
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    write_cohort(root, students=[BY_NAME[name] for name in students], repo_root=REPO_ROOT)
    return root


def start_grading(machine: Path, db_url: str, log: Path) -> subprocess.Popen:
    """Start grading every submission in ``machine/submitted`` into the gradebook at ``db_url``.

    One machine's grading step, started and not waited on, so that several machines grade at the
    same time: the course's ``multiannotator-autograde`` with one worker (warm kernels) in the
    machine's course directory. Its progress goes to ``log``, nbgrader's own log to the
    machine's ``reports/autograde.log``; the caller waits on the returned process.
    """
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [str(BIN_DIR / "multiannotator-autograde"), ASSIGNMENT, "--workers", "1"],
            cwd=machine,
            env=machine_env(db_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its kernels can be stopped with it on a timeout
        )


def assignment_definition(db_url: str) -> dict:
    """What ``generate_assignment`` stored: per notebook its row id, grade cells and sources."""
    with Gradebook(db_url, COURSE) as gradebook:
        return {
            notebook.name: (
                notebook.id,
                sorted((c.name, c.id, c.max_score) for c in notebook.grade_cells),
                sorted((c.name, c.id, c.checksum) for c in notebook.source_cells),
            )
            for notebook in gradebook.find_assignment(ASSIGNMENT).notebooks
        }


@dataclass
class SharedGrading:
    db_url: str
    admin: dict
    machines: dict  # machine name -> course directory
    logs: dict  # machine name -> its grading output
    definition_before: dict  # assignment_definition() before grading


def _wait_all(processes: dict, timeout: float) -> None:
    """Wait on every process; on a timeout stop them all (their process groups) and fail."""
    deadline = time.monotonic() + timeout
    try:
        for process in processes.values():
            process.wait(timeout=max(deadline - time.monotonic(), 0))
    except subprocess.TimeoutExpired as error:
        raise AssertionError(f"grading took over {timeout} s") from error
    finally:
        for process in processes.values():
            stop(process)


@pytest.fixture(scope="module")
def graded(postgres, tmp_path_factory):
    base = tmp_path_factory.mktemp("machines")
    try:
        machines = {name: new_machine(base / name, share) for name, share in SHARES.items()}
        # Machine A alone creates the assignment (tables, notebooks, cells) in the shared
        # gradebook; the others only need the same source/ and release/ (the repository's).
        made = subprocess.run(
            [str(BIN_DIR / "nbgrader"), "generate_assignment", ASSIGNMENT, "--force"],
            cwd=machines["machine_a"],
            env=machine_env(postgres.url),
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert made.returncode == 0, f"generate_assignment failed:\n{made.stdout}\n{made.stderr}"
        definition_before = assignment_definition(postgres.url)

        logs = {name: base / f"{name}-autograde.log" for name in machines}
        began = time.monotonic()
        processes = {
            name: start_grading(root, postgres.url, logs[name]) for name, root in machines.items()
        }
        _wait_all(processes, GRADING_TIMEOUT)
        print(f"\nboth machines graded at once in {time.monotonic() - began:.0f} s")
        for name, process in processes.items():
            assert process.returncode == 0, (
                f"{name}: nbgrader autograde failed ({process.returncode}):\n{tail(logs[name], 80)}"
            )
        yield SharedGrading(
            postgres.url,
            postgres.admin,
            machines,
            {
                name: log.read_text(errors="replace")
                + (machines[name] / "reports" / "autograde.log").read_text(errors="replace")
                for name, log in logs.items()
            },
            definition_before,
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)


# --- the checks -------------------------------------------------------------------------------


def test_both_machines_graded_at_the_same_time(graded):
    # Each machine wrote autograded notebooks while the other was still writing its own.
    written = {
        name: sorted(p.stat().st_mtime for p in (root / "autograded").glob("*/*/*.ipynb"))
        for name, root in graded.machines.items()
    }
    a, b = written["machine_a"], written["machine_b"]
    assert a and b
    assert a[0] < b[-1] and b[0] < a[-1], written


def test_every_student_is_in_the_gradebook_once_with_one_submission(graded):
    everyone = sorted(name for share in SHARES.values() for name in share)
    with Gradebook(graded.db_url, COURSE) as gradebook:
        assert sorted(student.id for student in gradebook.students) == everyone
        assert [a.name for a in gradebook.assignments] == [ASSIGNMENT]
        submissions = gradebook.find_assignment(ASSIGNMENT).submissions
        assert sorted(s.student.id for s in submissions) == everyone
        for name in everyone:
            student = gradebook.find_student(name)
            assert [s.assignment.name for s in student.submissions] == [ASSIGNMENT], name
            notebooks = gradebook.find_submission(ASSIGNMENT, name).notebooks
            assert sorted(nb.name for nb in notebooks) == sorted(NOTEBOOKS), name


def scores(db_url: str, student: str) -> dict:
    """``{(notebook, grade_id): score}`` of the autograded parts of one student's submission."""
    autograded = expected_points().keys()
    with Gradebook(db_url, COURSE) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, student)
        return {
            (notebook.name, grade.name): grade.score
            for notebook in submission.notebooks
            for grade in notebook.grades
            if (notebook.name, grade.name) in autograded
        }


@pytest.mark.parametrize(
    ("machine", "student"),
    [(machine, name) for machine, share in SHARES.items() for name in share],
)
def test_points_part_by_part(graded, machine, student):
    expected = expected_points(lost=BY_NAME[student].lost)
    assert len(expected) == len(graded_parts())
    assert scores(graded.db_url, student) == expected, (machine, BY_NAME[student].does)


def test_no_machine_overwrote_the_other(graded):
    # The assignment generate_assignment stored is untouched: same rows, same cells.
    assert assignment_definition(graded.db_url) == graded.definition_before
    # Each machine graded its own share and nothing else.
    for name, root in graded.machines.items():
        autograded = sorted(p.name for p in (root / "autograded").iterdir() if p.is_dir())
        assert autograded == sorted(SHARES[name]), name
    # No machine ran into a database error (a unique key taken, a lost connection).
    for name, log in graded.logs.items():
        assert not DATABASE_ERROR.search(log), (name, DATABASE_ERROR.search(log)[0])
    # One alembic version row: the tables were created once, by machine A.
    connection = psycopg2.connect(**graded.admin)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM alembic_version")
            assert cursor.fetchone() == (1,)
    finally:
        connection.close()


def test_the_postgres_gradebook_was_used_not_sqlite(graded):
    for name, root in graded.machines.items():
        assert not (root / "gradebook.db").exists(), name
