"""``python -m labgrader.hub``: the course's JupyterHub on this machine, from a roster."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from labgrader.hub.build import add_student, setup, teardown
from labgrader.hub.control import load_state, start, stop

DEFAULTS = {
    "prefix": "/opt/multiannotator-hub",
    "state": "/srv/multiannotator-hub",
    "exchange": "/srv/nbgrader/exchange",
}


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
            command.add_argument("--first-name")
            command.add_argument("--last-name")
            command.add_argument("--email")
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
