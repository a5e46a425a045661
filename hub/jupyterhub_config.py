"""JupyterHub configuration of the course hub, written from the hub's state by labgrader.hub.

Read by ``jupyterhub -f`` as root (PAM checks real passwords, and each server is
started as its own user). Everything that varies (people, courses, ports, folders)
comes from ``$MULTIANNOTATOR_HUB_STATE/hub.json``, which ``python -m labgrader.hub
setup`` writes from the roster; this file only says how a hub for the course is run:

- students log in with their Linux password and get a JupyterLab of the student
  environment (no grader), with nbgrader's Assignment List and none of its
  instructor tools;
- instructors get a JupyterLab of the grading environment, with nbgrader's Course
  List, and each course's Formgrader as a hub-managed service
  (``/services/<course>/formgrader``), run as the course's grading account and
  open only to the course's ``formgrade-<course>`` group;
- course membership is JupyterHub groups: ``nbgrader-<course>`` (students and
  instructors) and ``formgrade-<course>`` (instructors), which nbgrader's
  ``JupyterHubAuthPlugin`` reads.
"""

import json
import os
from pathlib import Path

STATE = Path(os.environ["MULTIANNOTATOR_HUB_STATE"])
HUB = json.loads((STATE / "hub.json").read_text())
ENVIRONMENTS = HUB["environments"]

c = get_config()  # noqa: F821 (injected by traitlets)

c.JupyterHub.bind_url = HUB["bind_url"]
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB['hub_port']}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.ConfigurableHTTPProxy.command = [HUB["proxy"]]
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{HUB['proxy_api_port']}"
c.ConfigurableHTTPProxy.pid_file = str(STATE / "proxy.pid")

# Real accounts, real passwords. No PAM session: servers are plain processes of their user.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
c.Authenticator.allowed_users = set(HUB["people"])

c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def role_of(user: str) -> str:
    roles = set(HUB["people"].get(user, {}).get("roles", {}).values())
    return "instructor" if "instructor" in roles else "student"


def environment_of(spawner) -> None:
    """Students' servers run the student environment, instructors' the grading one."""
    prefix = ENVIRONMENTS[role_of(spawner.user.name)]
    spawner.cmd = [f"{prefix}/bin/jupyterhub-singleuser"]
    spawner.environment = {"PATH": f"{prefix}/bin:/usr/bin:/bin"}


c.Spawner.pre_spawn_hook = environment_of

groups = {}
for user, person in HUB["people"].items():
    for course, role in person["roles"].items():
        groups.setdefault(f"nbgrader-{course}", []).append(user)
        if role == "instructor":
            groups.setdefault(f"formgrade-{course}", []).append(user)
for course in HUB["courses"]:
    groups.setdefault(f"formgrade-{course}", [])
c.JupyterHub.load_groups = {name: {"users": sorted(users)} for name, users in groups.items()}

services, roles = [], []
for course, info in HUB["courses"].items():
    grader_env = ENVIRONMENTS["instructor"]
    services.append(
        {
            "name": course,
            "url": f"http://127.0.0.1:{info['port']}",
            "command": [f"{grader_env}/bin/jupyterhub-singleuser"],
            "user": info["grader"],
            "cwd": info["folder"],
            "environment": {
                "PATH": f"{grader_env}/bin:/usr/bin:/bin",
                "HOME": info["home"],
                "JUPYTERHUB_DEFAULT_URL": "/formgrader",
            },
            "oauth_no_confirm": True,
        }
    )
    roles.append(
        {
            "name": f"formgrader-{course}",
            "description": f"The instructors of {course} may use its Formgrader",
            "groups": [f"formgrade-{course}"],
            "scopes": [f"access:services!service={course}"],
        }
    )
services.append({"name": "course-admin", "api_token": HUB["admin_token"]})
roles += [
    {
        "name": "course-admin",
        "description": "labgrader.hub adds students to a running course",
        "services": ["course-admin"],
        "scopes": ["admin:users", "admin:groups", "list:services"],
    },
    {
        # nbgrader's JupyterHubAuthPlugin reads the user's groups (their courses), and its
        # Course List the services (the courses' Formgraders), with the server's own token.
        "name": "server",
        "scopes": [
            "users:activity!user",
            "access:servers!server",
            "read:users:groups!user",
            "read:users:name!user",
            "list:services",
            "read:services",
        ],
    },
]
c.JupyterHub.services = services
c.JupyterHub.load_roles = roles
