"""The whole course cycle runs through nbgrader's own exchange, students as real other OS users."""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.utils import parse_utc

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import BIN_DIR, new_course, run_nbgrader
from labgrader.sample.sample_class import PARTIAL_ANSWERS
from labgrader.sample.submissions import fill_answers
from tests.support.builders import FULL, MANUAL, PARTIAL, gradebook_scores

pytestmark = pytest.mark.slow

COURSE = "dcai-lab"
STUDENT_USER = "jovyan"  # nbgrader names a jovyan process after $JUPYTERHUB_USER
EX1, EX2 = NOTEBOOKS
MAX_POINTS = {EX1: 10, EX2: 8}
# Autograded points per notebook (the written answers wait for a person).
FULL_POINTS = {EX1: 8, EX2: 6}
PARTIAL_POINTS = {EX1: 4, EX2: 3}


def _skip_reason() -> str | None:
    if os.geteuid() != 0:
        return "needs root: it creates the OS user jovyan and runs students' commands as jovyan"
    missing = [tool for tool in ("useradd", "userdel", "runuser") if shutil.which(tool) is None]
    if missing:
        return f"needs {', '.join(missing)} to run students' commands as another OS user"
    return None


@pytest.fixture(scope="module")
def student_user():
    """The OS user ``jovyan``, created for this module if it does not exist, removed after."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    created = False
    try:
        pwd.getpwnam(STUDENT_USER)
    except KeyError:
        made = subprocess.run(
            ["useradd", "--no-create-home", "--shell", "/usr/sbin/nologin", STUDENT_USER],
            capture_output=True,
            text=True,
        )
        if made.returncode != 0:
            pytest.fail(f"useradd {STUDENT_USER} failed: {made.stderr}")
        created = True
    try:
        reach = subprocess.run(
            ["runuser", "-u", STUDENT_USER, "--", str(BIN_DIR / "python"), "-c", "import helpers"],
            capture_output=True,
            text=True,
        )
        if reach.returncode != 0:
            pytest.fail(
                f"{STUDENT_USER} cannot run {BIN_DIR / 'python'} or import helpers: a folder above the course "
                f"is not traversable by other users. Clone the course under a world-traversable path. {reach.stderr}"
            )
        yield pwd.getpwnam(STUDENT_USER)
    finally:
        if created:
            subprocess.run(["userdel", STUDENT_USER], check=True, capture_output=True)


@dataclass
class Cycle:
    """One course, one exchange and two student homes, and the commands each side runs."""

    course: Path
    exchange: Path
    homes: dict  # student -> home folder (owned by jovyan)

    def instructor(self, *args: str) -> str:
        """Run ``nbgrader <args>`` in the course root as root; return its log."""
        result = run_nbgrader(self.course, *args, f"--Exchange.root={self.exchange}")
        return result.stdout + result.stderr

    def student(self, name: str, *args: str) -> str:
        """Run ``nbgrader <args>`` as jovyan with ``JUPYTERHUB_USER=name``, in their home."""
        home = self.homes[name]
        command = [
            *("runuser", "-u", STUDENT_USER, "--", "env", "-i"),
            f"HOME={home}",
            f"JUPYTERHUB_USER={name}",
            f"PATH={BIN_DIR}{os.pathsep}/usr/bin{os.pathsep}/bin",
            "LANG=C.UTF-8",
            *("nbgrader", *args, f"--course={COURSE}", f"--Exchange.root={self.exchange}"),
        ]
        result = subprocess.run(command, cwd=home, capture_output=True, text=True, timeout=300)
        log = result.stdout + result.stderr
        assert result.returncode == 0, f"{name}: nbgrader {' '.join(args)} failed:\n{log}"
        return log

    def edit(self, name: str, answers: dict) -> None:
        """Write ``answers`` into the student's fetched notebooks, as the student (jovyan)."""
        for notebook in NOTEBOOKS:
            path = self.homes[name] / ASSIGNMENT / f"{notebook}.ipynb"
            filled = fill_answers(read_notebook(path), answers[notebook])
            subprocess.run(
                ["runuser", "-u", STUDENT_USER, "--", "tee", str(path)],
                input=nbformat.writes(filled),
                stdout=subprocess.DEVNULL,
                check=True,
                text=True,
            )

    def inbound(self, name: str) -> list[str]:
        """Timestamps of the student's submissions in the exchange, oldest first."""
        folders = (self.exchange / COURSE / "inbound").glob(f"{name}+{ASSIGNMENT}+*")
        return sorted((folder.name.split("+")[2] for folder in folders), key=parse_utc)

    def submitted_timestamp(self, name: str) -> str:
        return (self.course / "submitted" / name / ASSIGNMENT / "timestamp.txt").read_text()

    def fetched_feedback(self, name: str) -> dict:
        """``{(submission timestamp, notebook): html}`` the student has fetched."""
        root = self.homes[name] / ASSIGNMENT / "feedback"
        return {(page.parent.name, page.stem): page.read_text() for page in root.glob("*/*.html")}


@pytest.fixture(scope="module")
def cycle(student_user, tmp_path_factory):
    """A fresh course (root only), and a shared folder in /tmp for the exchange and the homes.

    The shared folder is traversable by everyone; the exchange is world-writable as nbgrader
    documents (``chmod ugo+rw``); each home belongs to jovyan. All of it is removed after.
    """
    course = new_course(tmp_path_factory.mktemp("exchange_course"))
    shared = Path(tempfile.mkdtemp(prefix="nbgrader-exchange-cycle-", dir="/tmp"))
    try:
        shared.chmod(0o755)
        exchange = shared / "exchange"
        exchange.mkdir()
        exchange.chmod(0o777)
        homes = {}
        for name in ("alice", "bob"):
            home = homes[name] = shared / name
            home.mkdir()
            os.chown(home, student_user.pw_uid, student_user.pw_gid)
            home.chmod(0o700)
        yield Cycle(course=course, exchange=exchange, homes=homes)
    finally:
        shutil.rmtree(shared)


def _answers(course: Path, partial: bool = False) -> dict:
    """Per notebook, the instructor's answers (with :data:`PARTIAL_ANSWERS` over them if asked)."""
    answers = {}
    for notebook in NOTEBOOKS:
        source = read_notebook(course / "source" / ASSIGNMENT / f"{notebook}.ipynb")
        answers[notebook] = solution_answers(source)
        if partial:
            answers[notebook].update(PARTIAL_ANSWERS[notebook])
    return answers


def _assert_parts(course: Path, student: str, expected: dict) -> None:
    grades = gradebook_scores(course, student)
    assert {key: score for key, (score, _) in grades.items() if key not in MANUAL} == expected
    assert all(grades[key][1] for key in MANUAL), "a written answer waits for a person"


def _heading(notebook: str, points: int) -> str:
    """The score line nbgrader's feedback page prints for a notebook."""
    return f"<h4>{notebook} (Score: {float(points)} / {float(MAX_POINTS[notebook])})</h4>"


def _assert_feedback(pages: dict, timestamp: str, points: dict) -> None:
    for notebook in NOTEBOOKS:
        page = pages[(timestamp, notebook)]
        assert _heading(notebook, points[notebook]) in page
        assert "Late submission penalty" not in page


def test_release_fetch_submit_collect_grade_feedback_and_late_resubmission(cycle):
    course, exchange = cycle.course, cycle.exchange
    jovyan = pwd.getpwnam(STUDENT_USER).pw_uid

    # 1. The instructor releases the lab into the exchange (whose mode nbgrader accepts as is).
    log = cycle.instructor("release_assignment", ASSIGNMENT)
    assert "Permissions for exchange directory" not in log
    outbound = exchange / COURSE / "outbound" / ASSIGNMENT
    assert sorted(p.name for p in outbound.glob("*.ipynb")) == [f"{nb}.ipynb" for nb in NOTEBOOKS]
    # inbound: students may write, and enter, but not list (nobody sees others' submissions).
    assert (exchange / COURSE / "inbound").stat().st_mode & 0o7777 == 0o2733

    # 2. Each student fetches it into their own home; the copies are theirs.
    for name in cycle.homes:
        cycle.student(name, "fetch_assignment", ASSIGNMENT)
        for notebook in NOTEBOOKS:
            assert (cycle.homes[name] / ASSIGNMENT / f"{notebook}.ipynb").stat().st_uid == jovyan

    # 3. alice answers everything as the instructor did, bob loses some parts; both submit.
    cycle.edit("alice", _answers(course))
    cycle.edit("bob", _answers(course, partial=True))
    for name in cycle.homes:
        cycle.student(name, "submit", ASSIGNMENT)
        assert len(cycle.inbound(name)) == 1, "a submission is named after JUPYTERHUB_USER"

    # 4. The instructor collects, autogrades, writes and releases feedback.
    cycle.instructor("collect", ASSIGNMENT)
    for name in cycle.homes:
        assert cycle.submitted_timestamp(name) == cycle.inbound(name)[0]
    cycle.instructor("autograde", ASSIGNMENT)
    _assert_parts(course, "alice", FULL)
    _assert_parts(course, "bob", PARTIAL)
    cycle.instructor("generate_feedback", ASSIGNMENT)
    cycle.instructor("release_feedback", ASSIGNMENT)
    released = exchange / COURSE / "feedback"
    # One page per notebook and submission, named by a hash of the submission's secret:
    # no student name in the exchange, and the folder cannot be listed by students.
    assert len(list(released.glob("*.html"))) == 2 * len(NOTEBOOKS)
    assert released.stat().st_mode & 0o777 == 0o711

    # 5. Each student fetches the feedback of their own submission, and nobody else's.
    for name, points, others in (
        ("alice", FULL_POINTS, PARTIAL_POINTS),
        ("bob", PARTIAL_POINTS, FULL_POINTS),
    ):
        cycle.student(name, "fetch_feedback", ASSIGNMENT)
        pages = cycle.fetched_feedback(name)
        (timestamp,) = cycle.inbound(name)
        assert set(pages) == {(timestamp, notebook) for notebook in NOTEBOOKS}
        _assert_feedback(pages, timestamp, points)
        assert not any(_heading(nb, others[nb]) in page for (_, nb), page in pages.items())

    # 6. The due date passes (it is set to now, after both submissions); bob improves his lab
    # and submits again, late. nbgrader keeps every submission in the exchange.
    duedate = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC")
    cycle.instructor("db", "assignment", "add", ASSIGNMENT, f"--duedate={duedate}")
    cycle.edit("bob", _answers(course))
    cycle.student("bob", "submit", ASSIGNMENT)
    on_time, late = cycle.inbound("bob")
    assert parse_utc(on_time) < parse_utc(duedate) < parse_utc(late)

    # `collect` never overwrites a collected submission without --update ...
    log = cycle.instructor("collect", ASSIGNMENT)
    assert "Submission already exists, use --update to update: bob" in log
    assert cycle.submitted_timestamp("bob") == on_time
    # ... --before-duedate takes the last submission before the due date (the one already here) ...
    cycle.instructor("collect", "--before-duedate", ASSIGNMENT)
    assert cycle.submitted_timestamp("bob") == on_time
    # ... and --update takes each student's most recent submission.
    log = cycle.instructor("collect", "--update", ASSIGNMENT)
    assert "Updating submission: bob" in log
    assert "No newer submission to collect: alice" in log
    assert cycle.submitted_timestamp("bob") == late

    # autograde regrades a submission newer than its autograded copy, without --force.
    log = cycle.instructor("autograde", ASSIGNMENT)
    assert f"Skipping existing assignment: {course / 'autograded' / 'alice' / ASSIGNMENT}" in log
    _assert_parts(course, "bob", FULL)
    _assert_parts(course, "alice", FULL)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        bob = gradebook.find_submission(ASSIGNMENT, "bob")
        alice = gradebook.find_submission(ASSIGNMENT, "alice")
        expected_late = (parse_utc(late) - parse_utc(duedate)).total_seconds()
        assert bob.timestamp == parse_utc(late)
        assert bob.total_seconds_late == pytest.approx(expected_late) and expected_late > 0
        # The default LateSubmissionPlugin (penalty_method "none") records lateness, no penalty.
        assert bob.late_submission_penalty == 0
        assert all(nb.late_submission_penalty is None for nb in bob.notebooks)
        assert bob.score == sum(FULL.values())
        assert alice.total_seconds_late == 0

    # bob's feedback for the late submission sits beside the one for his first.
    cycle.instructor("generate_feedback", ASSIGNMENT)
    cycle.instructor("release_feedback", ASSIGNMENT)
    cycle.student("bob", "fetch_feedback", ASSIGNMENT)
    pages = cycle.fetched_feedback("bob")
    assert set(pages) == {(stamp, notebook) for stamp in (on_time, late) for notebook in NOTEBOOKS}
    _assert_feedback(pages, late, FULL_POINTS)
    _assert_feedback(pages, on_time, PARTIAL_POINTS)
