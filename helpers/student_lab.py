"""Start JupyterLab as a student: the lab in a workspace of your own, instructor tools off and locked.

``python -m helpers.student_lab [--release DIR] [--workspace DIR] [JUPYTER LAB OPTIONS ...]``
(``make lab``, run in the course folder):

1. copies the released lab (default ``release/multiannotator``) into the workspace (default
   ``student-work/``) unless it is already there, so your work is never overwritten;
2. in your Jupyter configuration directory (``JUPYTER_CONFIG_DIR``, by default
   ``~/.jupyter``), disables nbgrader's Formgrader and Create Assignment plugins *and locks
   them*, so the Plugin Manager cannot switch them back on (``jupyter labextension
   disable/lock --level=user``: without ``--level=user`` the change would land in the shared
   environment), and turns off the formgrader server extension, which would otherwise keep
   serving ``/formgrader``, by setting ``ServerApp.jpserver_extensions`` in the user's
   ``jupyter_server_config.json`` (``jupyter server extension disable --user`` refuses this
   module, and the environment's ``jupyter_server_config.d`` cannot override that setting);
3. starts ``jupyter lab`` in the workspace with the remaining options (adding
   ``--allow-root`` when run as root, as in a container or CI).

These settings belong to the account that runs it. On an instructor's account,
``python -m helpers.student_lab --restore-instructor-tools`` undoes them.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_config_dir

ASSIGNMENT = "multiannotator"
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
# nbgrader's Formgrader, and the course's own in its place in the instructors' environment.
INSTRUCTOR_SERVER_EXTENSIONS = ("nbgrader.server_extensions.formgrader", "labgrader.formgrader")


def _jupyter(*args: str) -> None:
    subprocess.run(
        [str(Path(sys.executable).parent / "jupyter"), *args], check=True, capture_output=True
    )


def prepare_workspace(workspace: Path, release: Path = Path("release") / ASSIGNMENT) -> Path:
    """Copy the released lab into ``workspace`` unless the student already has it."""
    release = Path(release)
    if not any(release.glob("*.ipynb")):
        raise SystemExit(f"no notebooks in {release.resolve()}: run this in the course folder")
    target = Path(workspace) / ASSIGNMENT
    target.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(release.glob("*.ipynb")):
        if not (target / notebook.name).exists():
            shutil.copy2(notebook, target / notebook.name)
    return target


def hide_instructor_tools() -> None:
    """Disable and lock the instructor plugins, and turn off their server extension, for this user."""
    _jupyter("labextension", "disable", "--level=user", *INSTRUCTOR_PLUGINS)
    _jupyter("labextension", "lock", "--level=user", *INSTRUCTOR_PLUGINS)
    path = _server_config_path()
    config = json.loads(path.read_text()) if path.exists() else {}
    extensions = config.setdefault("ServerApp", {}).setdefault("jpserver_extensions", {})
    extensions.update(dict.fromkeys(INSTRUCTOR_SERVER_EXTENSIONS, False))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2) + "\n")


def _server_config_path() -> Path:
    return Path(jupyter_config_dir()) / "jupyter_server_config.json"


def restore_instructor_tools() -> None:
    """Undo :func:`hide_instructor_tools` for this user."""
    _jupyter("labextension", "unlock", "--level=user", *INSTRUCTOR_PLUGINS)
    _jupyter("labextension", "enable", "--level=user", *INSTRUCTOR_PLUGINS)
    path = _server_config_path()
    if path.exists():
        config = json.loads(path.read_text())
        extensions = config.get("ServerApp", {}).get("jpserver_extensions", {})
        for extension in INSTRUCTOR_SERVER_EXTENSIONS:
            extensions.pop(extension, None)
        path.write_text(json.dumps(config, indent=2) + "\n")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--release", type=Path, default=Path("release") / ASSIGNMENT)
    parser.add_argument("--workspace", type=Path, default=Path("student-work"))
    parser.add_argument(
        "--restore-instructor-tools", action="store_true", help="undo the student settings and exit"
    )
    args, lab_options = parser.parse_known_args(argv)
    if args.restore_instructor_tools:
        restore_instructor_tools()
        return
    prepare_workspace(args.workspace, args.release)
    hide_instructor_tools()
    jupyter = str(Path(sys.executable).parent / "jupyter")
    if os.geteuid() == 0 and "--allow-root" not in lab_options:
        lab_options.append("--allow-root")
    os.chdir(args.workspace)
    os.execv(jupyter, [jupyter, "lab", *lab_options])


if __name__ == "__main__":
    main()
