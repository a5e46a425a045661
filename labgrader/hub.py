"""A JupyterHub for the course on one Debian machine, set up from a roster: ``make hub``.

``python -m labgrader.hub up --roster roster.csv`` (as root) sets everything up and
starts the hub; each step is idempotent, so running it again changes nothing:

- the two environments, built from this checkout as ``make student-env`` and
  ``make grader-env`` build them, in ``--prefix`` (default ``/opt/multiannotator-hub``),
  where every account can run them; nbgrader's system-wide settings in each (one
  exchange, ``Exchange.path_includes_course``, course membership from JupyterHub
  groups); the students' environment with nbgrader's instructor tools switched off
  and locked;
- configurable-http-proxy from npm (``hub/proxy``, installed with ``npm ci``);
- a Linux account for every person on the roster (:mod:`labgrader.hub_roster`), and
  per course a grading account ``grader-<course>`` owning the course folder
  (``/home/grader-<course>/<course>``: the lab's ``source/`` and ``nbgrader_config.py``);
- the exchange (``--exchange``, default ``/srv/nbgrader/exchange``);
- the hub's state (``--state``, default ``/srv/multiannotator-hub``, root only):
  ``hub.json``, read by ``hub/jupyterhub_config.py``, the hub's database and log.

``add-student USER --course COURSE`` adds a student to a running course; ``stop``,
``start`` and ``teardown`` (which removes every account and folder the hub made) do
what they say.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from labgrader.course import REPO_ROOT
from labgrader.hub_roster import (
    courses_of,
    ensure_account,
    grader_account,
    new_password,
    read_roster,
    remove_account,
)

DEFAULTS = {
    "prefix": "/opt/multiannotator-hub",
    "state": "/srv/multiannotator-hub",
    "exchange": "/srv/nbgrader/exchange",
}
INSTRUCTOR_TOOLS = (
    "@jupyter/nbgrader:formgrader",
    "@jupyter/nbgrader:create-assignment",
    "@jupyter/nbgrader:course-list",
)
SERVICE_PORTS = 10100  # the first course's Formgrader listens on this port (loopback), and so on


def _run(*command, **kwargs) -> None:
    subprocess.run(list(map(str, command)), check=True, **kwargs)


def _write_if_changed(path: Path, text: str, mode: int = 0o644) -> None:
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
    _run("make", "--no-print-directory", "-C", REPO_ROOT, "student-env", f"STUDENT_VENV={student}")
    _run("make", "--no-print-directory", "-C", REPO_ROOT, "grader-env", f"GRADER_VENV={grader}")
    auth = "nbgrader.auth.JupyterHubAuthPlugin"
    for env in (student, grader):
        settings = nbgrader_settings(exchange, auth)
        if env == grader:  # the environments are copies: student code has no need of this checkout
            settings += f"c.GradingExecute.hidden_folders = [{str(REPO_ROOT)!r}]\n"
        _write_if_changed(env / "etc/jupyter/nbgrader_config.py", settings)
        # Terminals keep the server's PATH (a login shell would reset it and lose nbgrader's
        # commands and the course's environment).
        # (config.d holds extension switches only: settings go into the environment's own file)
        _write_if_changed(
            env / "etc/jupyter/jupyter_server_config.json",
            json.dumps({"ServerApp": {"terminado_settings": {"shell_command": ["/bin/bash"]}}})
            + "\n",
        )
    # Students: nbgrader's instructor tools off, and locked so the Plugin Manager cannot undo it.
    _write_if_changed(
        student / "etc/jupyter/jupyter_server_config.d/nbgrader_student.json",
        json.dumps(
            {"ServerApp": {"jpserver_extensions": {
                "nbgrader.server_extensions.formgrader": False,
                "nbgrader.server_extensions.course_list": False,
            }}},
            indent=2,
        ) + "\n",
    )  # fmt: skip
    _write_if_changed(
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
    _write_if_changed(
        student / "share/jupyter/lab/settings/overrides.json",
        json.dumps(no_news, indent=2) + "\n",
    )
    # Instructors' terminals (the parallel grader runs in one) draw text, not a canvas: readable
    # by screen readers, copyable, and checked by the hub's browser test.
    _write_if_changed(
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
        _run("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", cwd=folder)
    return str(proxy)


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
        _run("chown", "-R", f"{grader_account(course)}:{grader_account(course)}", folder)
    return folder


def setup(args) -> dict:
    """Everything but starting the hub; idempotent. Returns the hub's state."""
    prefix, state_dir, exchange = Path(args.prefix), Path(args.state), Path(args.exchange)
    for folder, mode in ((prefix, 0o755), (state_dir, 0o700)):
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(mode)
    state_file = state_dir / "hub.json"
    old = json.loads(state_file.read_text()) if state_file.exists() else {}
    people = read_roster(Path(args.roster))
    hub = {
        "prefix": str(prefix),
        "state": str(state_dir),
        "exchange": str(exchange),
        "roster": str(Path(args.roster).resolve()),
        "bind_url": f"http://{args.ip}:{args.port}",
        "hub_port": args.hub_port,
        "proxy_api_port": args.proxy_api_port,
        "admin_token": old.get("admin_token") or secrets.token_hex(32),
        "created_accounts": list(old.get("created_accounts", [])),
    }
    hub["environments"] = build_environments(prefix, str(exchange))
    hub["proxy"] = install_proxy(prefix)
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o777)  # nbgrader's exchange: everyone writes, the sticky inbound keeps order
    passwords = []
    for person in people.values():
        password = person.password or new_password()
        if ensure_account(person.user, Path("/home") / person.user, password):
            hub["created_accounts"].append(person.user)
            if not person.password:
                passwords.append((person.user, password))
    hub["people"] = {p.user: {"roles": dict(sorted(p.roles.items()))} for p in people.values()}
    hub["courses"] = {}
    for index, course in enumerate(courses_of(people)):
        grader = grader_account(course)
        home = Path("/home") / grader
        if ensure_account(grader, home, password=None):
            hub["created_accounts"].append(grader)
        folder = course_folder(course, home)
        hub["courses"][course] = {
            "grader": grader,
            "home": str(home),
            "folder": str(folder),
            "port": SERVICE_PORTS + index,
        }
    _record_passwords(state_dir, passwords)
    _write_if_changed(
        prefix / "jupyterhub_config.py", (REPO_ROOT / "hub" / "jupyterhub_config.py").read_text()
    )
    _write_if_changed(state_file, json.dumps(hub, indent=2, sort_keys=True) + "\n", mode=0o600)
    return hub


def _record_passwords(state_dir: Path, passwords: list) -> None:
    if not passwords:
        return
    record = state_dir / "initial-passwords.csv"
    new = not record.exists()
    with record.open("a") as handle:
        if new:
            handle.write("user,password\n")
        handle.writelines(f"{user},{password}\n" for user, password in passwords)
    record.chmod(0o600)


def load_state(state: str) -> dict:
    return json.loads((Path(state) / "hub.json").read_text())


def hub_url(hub: dict, path: str = "/hub/api") -> str:
    port = hub["bind_url"].rsplit(":", 1)[1]
    return f"http://127.0.0.1:{port}{path}"


def is_running(hub: dict) -> bool:
    try:
        with urllib.request.urlopen(hub_url(hub), timeout=5) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def start(hub: dict, timeout: float = 180) -> None:
    """Start the hub in the background (its log: ``<state>/jupyterhub.log``) and wait for it."""
    if is_running(hub):
        return
    state = Path(hub["state"])
    log = (state / "jupyterhub.log").open("a")
    subprocess.Popen(
        [f"{hub['environments']['instructor']}/bin/jupyterhub", "-f",
         f"{hub['prefix']}/jupyterhub_config.py"],
        cwd=state, env={**os.environ, "MULTIANNOTATOR_HUB_STATE": str(state)},
        stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    while not is_running(hub):
        if time.monotonic() > deadline:
            raise SystemExit(f"the hub did not start within {timeout:.0f} s: see {log.name}")
        time.sleep(0.5)


def stop(hub: dict, timeout: float = 60) -> None:
    pid_file = Path(hub["state"]) / "jupyterhub.pid"
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text().strip() or 0)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pid_file.unlink(missing_ok=True)
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.3)
    else:
        os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)
    # The hub stops its proxy and services as it exits; one it could not stop is stopped here.
    proxy_file = Path(hub["state"]) / "proxy.pid"
    if proxy_file.exists():
        proxy = proxy_file.read_text().strip()
        try:  # only if that process is still the proxy (a pid is reused)
            if b"configurable-http-proxy" in Path(f"/proc/{proxy}/cmdline").read_bytes():
                os.kill(int(proxy), signal.SIGKILL)
        except (OSError, ValueError):
            pass
        proxy_file.unlink(missing_ok=True)


def api(hub: dict, method: str, path: str, body: dict | None = None):
    """Call the running hub's REST API as the course-admin service."""
    request = urllib.request.Request(
        hub_url(hub, f"/hub/api{path}"),
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {hub['admin_token']}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read() or b"null")


def add_student(args) -> None:
    """Append the student to the roster, make their account, and tell the running hub."""
    hub = load_state(args.state)
    roster = Path(hub["roster"])
    password = args.password or ""
    with roster.open("a") as handle:
        handle.write(f"{args.user},student,{args.course},{password}\n")
    # The hub as it was set up, whatever the command line's defaults say.
    args.roster, args.prefix, args.exchange = str(roster), hub["prefix"], hub["exchange"]
    args.ip, args.port = hub["bind_url"].rsplit("//", 1)[1].rsplit(":", 1)
    args.port = int(args.port)
    args.hub_port, args.proxy_api_port = hub["hub_port"], hub["proxy_api_port"]
    hub = setup(args)
    if is_running(hub):
        try:
            api(hub, "POST", f"/users/{args.user}")
        except urllib.error.HTTPError as error:
            if error.code != 409:  # 409: already a user of the hub
                raise
        api(hub, "POST", f"/groups/nbgrader-{args.course}/users", {"users": [args.user]})


def teardown(args) -> None:
    """Stop the hub and remove every account and folder it made."""
    hub = load_state(args.state)
    stop(hub)
    left = [f"the account {user}" for user in reversed(hub.get("created_accounts", []))
            if not remove_account(user)]  # fmt: skip
    for folder in (hub["prefix"], hub["exchange"], hub["state"]):
        shutil.rmtree(folder, ignore_errors=True)
        if os.path.lexists(folder):
            left.append(folder)
    if left:
        raise SystemExit("teardown could not remove " + ", ".join(left))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("up", "setup", "start", "stop", "add-student", "teardown"):
        command = commands.add_parser(name)
        command.add_argument("--state", default=DEFAULTS["state"])
        if name in ("up", "setup"):
            command.add_argument("--prefix", default=DEFAULTS["prefix"])
            command.add_argument("--exchange", default=DEFAULTS["exchange"])
            command.add_argument("--ip", default="0.0.0.0", help="where the hub listens")
            command.add_argument("--port", type=int, default=8000)
            command.add_argument("--hub-port", type=int, default=8081)
            command.add_argument("--proxy-api-port", type=int, default=8001)
        if name in ("up", "setup"):
            command.add_argument("--roster", required=True, type=Path)
        if name == "add-student":
            command.add_argument("user")
            command.add_argument("--course", required=True)
            command.add_argument("--password")
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit("the hub is set up and run as root: it makes accounts and starts servers")
    if args.command in ("up", "setup"):
        hub = setup(args)
        if args.command == "up":
            start(hub)
            print(f"The hub is running at {hub['bind_url']} (log: {hub['state']}/jupyterhub.log)")
    elif args.command == "start":
        start(load_state(args.state))
    elif args.command == "stop":
        stop(load_state(args.state))
    elif args.command == "add-student":
        add_student(args)
    else:
        teardown(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
