"""The course's students go into its gradebook with their names, and no name is ever blanked.

``python -m labgrader.course.students`` is what the hub runs as each course's grading account;
here it runs as this user, on a course folder of its own.
"""

import json
import shutil
import subprocess
import sys

from nbgrader.api import Gradebook

from labgrader.course.config import REPO_ROOT, nbgrader_env


def _record(root, students: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "labgrader.course.students", "--course-root", str(root)],
        input=json.dumps(students), env=nbgrader_env(), capture_output=True, text=True,
        check=True, timeout=120,
    )  # fmt: skip


def _gradebook(root) -> dict:
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        return {
            s.id: (s.first_name, s.last_name, s.email, s.lms_user_id) for s in gradebook.students
        }


def test_students_are_added_with_their_names_and_none_is_blanked(tmp_path):
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO_ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
    _record(root, {"alice": {"first_name": "Alice", "last_name": "Liddell",
                             "email": "alice@example.edu"}, "bob": {}})  # fmt: skip
    assert _gradebook(root) == {
        "alice": ("Alice", "Liddell", "alice@example.edu", None),
        "bob": (None, None, None, None),
    }
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_student("alice", lms_user_id="1001")  # as an LMS export does
    _record(root, {"alice": {}, "bob": {"last_name": "Builder"}, "carol": {"email": "c@x.org"}})
    assert _gradebook(root) == {
        "alice": ("Alice", "Liddell", "alice@example.edu", "1001"),
        "bob": (None, "Builder", None, None),
        "carol": (None, None, "c@x.org", None),
    }
