"""The hub's roster with and without names, and the course's students into its gradebook.

Runs without a hub: nothing here makes accounts or starts servers (``test_hub.py`` does).
"""

import shutil
import sys

import pytest
from nbgrader.api import Gradebook

from labgrader.course.config import REPO_ROOT
from labgrader.hub.courses import course_students, record_course_students
from labgrader.hub.roster import RosterError, append_person, read_roster

OLD = "user,role,course,password\nada,instructor,dcai-lab,\nalice,student,dcai-lab,\n"
NAMED = (
    "user,role,course,password,first_name,last_name,email\n"
    "ada,instructor,dcai-lab,,Ada,Lovelace,ada@example.edu\n"
    'alice,student,dcai-lab,,Alice,"Liddell, Jr.",alice@example.edu\n'
    "alice,student,other-course,,,,\n"
    "bob,student,dcai-lab,secret,,,\n"
)


def test_a_roster_without_names_reads_as_before(tmp_path):
    (tmp_path / "roster.csv").write_text(OLD)
    people = read_roster(tmp_path / "roster.csv")
    assert {u: (p.roles, p.names) for u, p in people.items()} == {
        "ada": ({"dcai-lab": "instructor"}, {}), "alice": ({"dcai-lab": "student"}, {}),
    }  # fmt: skip


def test_names_and_emails_are_read_per_person(tmp_path):
    (tmp_path / "roster.csv").write_text(NAMED)
    people = read_roster(tmp_path / "roster.csv")
    assert people["alice"].names == {"first_name": "Alice", "last_name": "Liddell, Jr.",
                                     "email": "alice@example.edu"}  # fmt: skip
    assert people["bob"].names == {} and people["bob"].password == "secret"
    assert course_students(people, "dcai-lab") == {"alice": people["alice"].names, "bob": {}}


@pytest.mark.parametrize(
    ("line", "message"),
    [("alice,student,dcai-lab,,Alicia,,\n", "first_name is 'Alice' on an earlier line"),
     ("carol,student,dcai-lab,,,,carol-at-example\n", "is not an email address")],
)  # fmt: skip
def test_contradictions_and_bad_emails_are_refused(tmp_path, line, message):
    (tmp_path / "roster.csv").write_text(NAMED + line)
    with pytest.raises(RosterError, match=message):
        read_roster(tmp_path / "roster.csv")


def test_adding_a_student_keeps_the_roster_and_adds_missing_columns(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(OLD.rstrip("\n"))  # no newline at the end, as some editors save
    append_person(roster, {"user": "carl", "role": "student", "course": "dcai-lab",
                           "password": "", "first_name": "Carl", "email": "carl@example.edu"})  # fmt: skip
    append_person(roster, {"user": "dan", "role": "student", "course": "dcai-lab"})
    people = read_roster(roster)
    assert list(people) == ["ada", "alice", "carl", "dan"]
    assert people["carl"].names == {"first_name": "Carl", "email": "carl@example.edu"}
    assert roster.read_text().splitlines()[0] == "user,role,course,password,first_name,email"


def test_the_course_gradebook_gets_the_roster_students_with_their_names(tmp_path):
    """What the hub does for each course (there as the course's grading account)."""
    (tmp_path / "roster.csv").write_text(NAMED)
    folder = tmp_path / "dcai-lab"
    folder.mkdir()
    shutil.copy(REPO_ROOT / "nbgrader_config.py", folder / "nbgrader_config.py")
    people = read_roster(tmp_path / "roster.csv")
    record_course_students(folder, course_students(people, "dcai-lab"), sys.executable)
    with Gradebook(f"sqlite:///{folder / 'gradebook.db'}") as gradebook:
        found = {s.id: (s.first_name, s.last_name, s.email) for s in gradebook.students}
    assert found == {"alice": ("Alice", "Liddell, Jr.", "alice@example.edu"),
                     "bob": (None, None, None)}  # fmt: skip
