"""The running hub: its state file, and starting, stopping and asking it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path


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
