"""Each course's folder on the hub, owned by its grading account, made once and kept current."""

from __future__ import annotations

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
