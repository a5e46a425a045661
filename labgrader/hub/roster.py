"""Who is on the course hub: the roster file, and the Linux accounts made from it.

The roster is a CSV file with one line per person and course::

    user,role,course,password,first_name,last_name,email
    ada,instructor,dcai-lab,,Ada,Lovelace,ada@example.edu
    alice,student,dcai-lab,,Alice,Liddell,alice@example.edu
    bob,student,dcai-lab,a-password-of-bobs,,,

``role`` is ``student`` or ``instructor``; a person in two courses has two lines.
``first_name``, ``last_name`` and ``email`` are optional columns (a roster without them is
read as before): the Formgrader lists students by them, so each course's gradebook gets
them (:func:`~labgrader.hub.courses.record_course_students`).
An empty password gets a random one, written to the hub's state folder
(``initial-passwords.csv``, readable by root only); a password is only ever set
when the account is created, so running the set-up again changes nothing.

Each course also gets a grading account, ``grader-<course>``, that owns the
course folder and runs its Formgrader; it has no password and nobody logs in
as it.
"""

from __future__ import annotations

import csv
import pwd
import re
import secrets
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROLES = ("student", "instructor")
NAME = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")


class RosterError(ValueError):
    """A roster line that cannot be used, with the line number and why."""


@dataclass
class Person:
    """One person on the hub and the courses they are in."""

    user: str
    password: str = ""
    roles: dict = field(default_factory=dict)  # course -> role
    names: dict = field(default_factory=dict)  # first_name, last_name, email (those given)

    def courses(self, role: str) -> list[str]:
        return sorted(course for course, r in self.roles.items() if r == role)


def read_roster(path: Path) -> dict[str, Person]:
    """The people of a roster file, by user name; raises :class:`RosterError` on a bad line."""
    people: dict[str, Person] = {}
    with Path(path).open(newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            user, role, course = ((row.get(k) or "").strip() for k in ("user", "role", "course"))
            password = (row.get("password") or "").strip()
            for what, value in (("user", user), ("course", course)):
                if not NAME.match(value):
                    raise RosterError(
                        f"{path}:{number}: {what} {value!r} must be lower-case letters, digits, "
                        "'-' or '_', starting with a letter (it becomes a Linux name)"
                    )
            if role not in ROLES:
                raise RosterError(f"{path}:{number}: role {role!r} must be one of {ROLES}")
            if user.startswith("grader-"):
                raise RosterError(f"{path}:{number}: names starting grader- are the hub's own")
            person = people.setdefault(user, Person(user))
            if course in person.roles and person.roles[course] != role:
                raise RosterError(
                    f"{path}:{number}: {user} is both student and instructor of {course}"
                )
            person.roles[course] = role
            person.password = person.password or password
            _add_names(person, row, f"{path}:{number}")
    if not people:
        raise RosterError(f"{path}: no one is on the roster")
    return people


NAME_COLUMNS = ("first_name", "last_name", "email")


def _add_names(person: Person, row: dict, where: str) -> None:
    for column in NAME_COLUMNS:
        value = (row.get(column) or "").strip()
        if not value:
            continue
        if column == "email" and ("@" not in value or " " in value):
            raise RosterError(f"{where}: email {value!r} is not an email address")
        if person.names.get(column, value) != value:
            raise RosterError(
                f"{where}: {person.user}'s {column} is {person.names[column]!r} on an earlier "
                f"line and {value!r} here"
            )
        person.names[column] = value


def append_person(path: Path, row: dict) -> None:
    """Add a line to the roster, under its own header (a column it lacks is added to it)."""
    path = Path(path)
    with path.open(newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or ()), list(reader)
    given = {key: value for key, value in row.items() if value}
    missing = [key for key in given if key not in header]
    if missing:  # rewrite the roster with the new columns; every line kept as it was
        header += missing
        with path.open("w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    ends_a_line = path.read_bytes().endswith(b"\n")
    with path.open("a", newline="") as handle:
        if not ends_a_line:
            handle.write("\n")
        csv.DictWriter(handle, fieldnames=header, lineterminator="\n").writerow(given)


def courses_of(people: dict[str, Person]) -> list[str]:
    return sorted({course for person in people.values() for course in person.roles})


def grader_account(course: str) -> str:
    return f"grader-{course}"


def account_exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True


def ensure_account(user: str, home: Path, password: str | None) -> bool:
    """Make the Linux account ``user`` with a private home, unless it exists; ``True`` if made.

    ``password`` ``None`` leaves the account without one (nobody logs in as it).
    """
    if account_exists(user):
        return False
    subprocess.run(
        ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash",
         "--user-group", user],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    home.chmod(0o700)  # Debian's default is 755: every student could read every other's work
    if password is not None:
        subprocess.run(["chpasswd"], input=f"{user}:{password}\n", text=True, check=True)
    return True


def remove_account(user: str) -> bool:
    """Remove ``user`` and its home, stopping its processes first; say whether it is gone."""
    if not account_exists(user):
        return True
    subprocess.run(["pkill", "--signal", "KILL", "-u", user], capture_output=True)
    for _ in range(100):  # userdel refuses an account that still runs a process
        if subprocess.run(["pgrep", "-u", user], capture_output=True).returncode != 0:
            break
        time.sleep(0.1)
    subprocess.run(["userdel", "--remove", user], capture_output=True)
    return not account_exists(user)


def new_password() -> str:
    return secrets.token_urlsafe(12)
