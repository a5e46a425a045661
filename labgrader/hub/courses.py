"""Each course's folder on the hub, owned by its grading account, made once and kept current,
and its students in its gradebook, with their names."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from labgrader.course.config import REPO_ROOT
from labgrader.course.renamed import migrate_file
from labgrader.hub.roster import grader_account


def course_folder(course: str, home: Path) -> Path:
    """The course folder, made once (the instructors' work in it is never overwritten)."""
    folder = home / course
    if not folder.exists():
        shutil.copytree(REPO_ROOT / "source", folder / "source")
        settings = (REPO_ROOT / "nbgrader_config.py").read_text() + (
            "\n# --- This course on the hub (written once by labgrader.hub) ---\n"
            f"c.CourseDirectory.course_id = {course!r}\n"
            "# The Formgrader runs as a hub service, with no user of its own to ask about.\n"
            'c.Authenticator.plugin_class = "nbgrader.auth.NoAuthPlugin"\n'
        )
        (folder / "nbgrader_config.py").write_text(settings)
        account = grader_account(course)
        subprocess.run(["chown", "-R", f"{account}:{account}", str(folder)], check=True)
    return folder


def migrate_course_folder(folder: Path) -> list[str]:
    """Bring a course folder made by an earlier version to the grader's module names.

    Its ``nbgrader_config.py`` is the instructors' (made once, never overwritten): only the
    grader's old module names in it are replaced, the old file kept beside it.
    """
    config = Path(folder) / "nbgrader_config.py"
    if not config.is_file():
        return []
    owner = config.stat()
    changes = migrate_file(config)
    for path in config.parent.glob("nbgrader_config.py*"):
        os.chown(path, owner.st_uid, owner.st_gid)
    return changes


def course_students(people: dict, course: str) -> dict[str, dict]:
    """The course's students (user -> the names the roster gives), as the gradebook takes them."""
    return {
        person.user: dict(person.names)
        for person in people.values()
        if person.roles.get(course) == "student"
    }


def record_course_students(
    folder: Path, students: dict[str, dict], python: str, account: str | None = None
) -> None:
    """Add the course's students to its gradebook, with the names the roster gives.

    Runs ``python -m labgrader.course.students`` in the course folder as ``account`` (the
    course's grading account, which owns the gradebook; ``None``: as this process), so that
    the Formgrader lists every student by name before anyone has handed anything in. Names
    the roster leaves out are never blanked (an LMS may have filled them in).
    """
    # nbgrader runs `alembic` by name when it makes a gradebook: the environment's bin first.
    path = f"{Path(python).parent}:/usr/bin:/bin"
    command = ["env", f"PATH={path}", python, "-m", "labgrader.course.students",
               "--course-root", str(folder)]  # fmt: skip
    if account is not None:  # as the account, in its own home (the course folder's parent)
        command = ["runuser", "-u", account, "--", command[0], f"HOME={Path(folder).parent}",
                   *command[1:]]  # fmt: skip
    done = subprocess.run(
        command, input=json.dumps(students), text=True, cwd=folder, capture_output=True
    )
    if done.returncode != 0:
        raise SystemExit(f"could not record the students of {folder}: {done.stderr.strip()}")
