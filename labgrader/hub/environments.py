"""The hub's two environments and its proxy, built from this checkout as the Makefile builds them.

The student environment (``make student-env``: the stack and ``helpers``, no grader) and the
grading environment (``make grader-env``: the grader too), each with nbgrader's settings for the
hub (one exchange, ``Exchange.path_includes_course``, course membership from JupyterHub groups);
the students' with nbgrader's instructor tools switched off and locked. configurable-http-proxy
comes from npm (``hub/proxy``, ``npm ci``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from labgrader.course.config import REPO_ROOT

INSTRUCTOR_TOOLS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)


def run(*command, **kwargs) -> None:
    subprocess.run(list(map(str, command)), check=True, **kwargs)


def write_if_changed(path: Path, text: str, mode: int = 0o644) -> None:
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    path.chmod(mode)


def nbgrader_settings(exchange: str, plugin: str) -> str:
    return (
        "# Written by labgrader.hub: nbgrader on the course hub.\n"
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {exchange!r}\n"
        "c.Exchange.path_includes_course = True\n"
        f"c.Authenticator.plugin_class = {plugin!r}\n"
    )


def build_environments(prefix: Path, exchange: str) -> dict:
    """The student and grading environments, as the Makefile builds them; returns their paths."""
    student, grader = prefix / "student-env", prefix / "grader-env"
    run("make", "--no-print-directory", "-C", REPO_ROOT, "student-env", f"STUDENT_VENV={student}")
    run("make", "--no-print-directory", "-C", REPO_ROOT, "grader-env", f"GRADER_VENV={grader}")
    auth = "nbgrader.auth.JupyterHubAuthPlugin"
    for env in (student, grader):
        settings = nbgrader_settings(exchange, auth)
        if env == grader:  # the environments are copies: student code has no need of this checkout
            settings += f"c.GradingExecute.hidden_folders = [{str(REPO_ROOT)!r}]\n"
        write_if_changed(env / "etc/jupyter/nbgrader_config.py", settings)
        # Terminals keep the server's PATH (a login shell would reset it and lose nbgrader's
        # commands and the course's environment).
        # (config.d holds extension switches only: settings go into the environment's own file)
        write_if_changed(
            env / "etc/jupyter/jupyter_server_config.json",
            json.dumps({"ServerApp": {"terminado_settings": {"shell_command": ["/bin/bash"]}}})
            + "\n",
        )
    # Students: nbgrader's instructor tools off, and locked so the Plugin Manager cannot undo it.
    write_if_changed(
        student / "etc/jupyter/jupyter_server_config.d/nbgrader_student.json",
        json.dumps(
            {"ServerApp": {"jpserver_extensions": {
                "nbgrader.server_extensions.formgrader": False,
                "nbgrader.server_extensions.course_list": False,
            }}},
            indent=2,
        ) + "\n",
    )  # fmt: skip
    write_if_changed(
        student / "etc/jupyter/labconfig/page_config.json",
        json.dumps(
            {
                "disabledExtensions": dict.fromkeys(INSTRUCTOR_TOOLS, True),
                "lockedExtensions": dict.fromkeys(INSTRUCTOR_TOOLS, True),
            },
            indent=2,
        )
        + "\n",
    )
    # Nobody is asked to fetch Jupyter's news from the Internet: the course may run offline (an
    # exam room), and the question covers the Assignment List's buttons.
    no_news = {
        "@jupyterlab/apputils-extension:notification": {
            "fetchNews": "false",
            "checkForUpdates": False,
        }
    }
    write_if_changed(
        student / "share/jupyter/lab/settings/overrides.json",
        json.dumps(no_news, indent=2) + "\n",
    )
    # Instructors' terminals (the parallel grader runs in one) draw text, not a canvas: readable
    # by screen readers, copyable, and checked by the hub's browser test.
    write_if_changed(
        grader / "share/jupyter/lab/settings/overrides.json",
        json.dumps(
            {**no_news, "@jupyterlab/terminal-extension:plugin": {"rendererType": "dom"}}, indent=2
        )
        + "\n",
    )
    return {"student": str(student), "instructor": str(grader)}


def install_proxy(prefix: Path) -> str:
    folder = prefix / "proxy"
    lock = REPO_ROOT / "hub" / "proxy" / "package-lock.json"
    proxy = folder / "node_modules" / ".bin" / "configurable-http-proxy"
    if not proxy.exists() or (folder / "package-lock.json").read_bytes() != lock.read_bytes():
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(REPO_ROOT / "hub" / "proxy" / name, folder / name)
        run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=folder)
    return str(proxy)
