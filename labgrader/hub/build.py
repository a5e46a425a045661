"""Set the hub up from a roster, add a student to a running course, and take it all down."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import urllib.error
from pathlib import Path

from labgrader.course.config import REPO_ROOT
from labgrader.hub.control import api, is_running, load_state, stop
from labgrader.hub.courses import (
    course_folder,
    course_students,
    migrate_course_folder,
    record_course_students,
)
from labgrader.hub.environments import build_environments, install_proxy, write_if_changed
from labgrader.hub.roster import (
    append_person,
    courses_of,
    ensure_account,
    grader_account,
    new_password,
    read_roster,
    remove_account,
)

SERVICE_PORTS = 10100  # the first course's Formgrader listens on this port (loopback), and so on


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
        if migrate_course_folder(folder):
            print(
                f"{course}: {folder}/nbgrader_config.py now names the grader's modules by their "
                "new names (the old file is kept beside it, as nbgrader_config.py.before-2.1)"
            )
        grader_python = f"{hub['environments']['instructor']}/bin/python"
        record_course_students(folder, course_students(people, course), grader_python, grader)
        hub["courses"][course] = {
            "grader": grader,
            "home": str(home),
            "folder": str(folder),
            "port": SERVICE_PORTS + index,
        }
    _record_passwords(state_dir, passwords)
    write_if_changed(
        prefix / "jupyterhub_config.py", (REPO_ROOT / "hub" / "jupyterhub_config.py").read_text()
    )
    write_if_changed(state_file, json.dumps(hub, indent=2, sort_keys=True) + "\n", mode=0o600)
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


def add_student(args) -> None:
    """Append the student to the roster, make their account, and tell the running hub."""
    hub = load_state(args.state)
    roster = Path(hub["roster"])
    append_person(
        roster,
        {"user": args.user, "role": "student", "course": args.course,
         "password": args.password or "", "first_name": args.first_name or "",
         "last_name": args.last_name or "", "email": args.email or ""},
    )  # fmt: skip
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
