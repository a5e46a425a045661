"""What the browser tests share: Debian's Chromium driven by Playwright, and a running Jupyter server."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium keeps calling out, and this machine refuses.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class JupyterServer:
    """A running Jupyter server and its REST API."""

    def __init__(self, url: str, process: subprocess.Popen, token: str, log: Path):
        self.url, self.process, self.token, self.log = url, process, token, log

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        request = urllib.request.Request(
            f"{self.url}{path}",
            method=method,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")

    def status_of(self, path: str) -> int:
        try:
            return self.api(path)[0]
        except urllib.error.HTTPError as error:
            return error.code
        except urllib.error.URLError:
            return 0  # not listening yet


@contextmanager
def jupyter_server(command: list, cwd: Path, env: dict, log: Path, token: str):
    """Start ``command`` (a ``jupyter lab`` with ``--port``), wait until it answers, stop it after."""
    port = free_port()
    options = [
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        f"--IdentityProvider.token={token}",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(
            [*command, *options], cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    server = JupyterServer(f"http://127.0.0.1:{port}", process, token, log)
    try:
        deadline = time.monotonic() + 90
        while server.status_of("/api/status") != 200:
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.3)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def chromium(profile: Path, offline: bool = False):
    """A fresh Chromium (its own --user-data-dir); ``offline`` refuses every request but loopback."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 950},
        )
        if offline:
            refused = context.refused = []

            def only_loopback(route):
                if route.request.url.startswith("http://127.0.0.1"):
                    route.continue_()
                else:
                    refused.append(route.request.url)
                    route.abort()

            context.route("**/*", only_loopback)
        try:
            yield context
        finally:
            context.close()


def log_in(page, server: JupyterServer) -> None:
    """Log in at the server's login page with its token, as a person would: pages that are not
    JupyterLab (the Formgrader) authenticate their API calls with the login cookie."""
    page.goto(f"{server.url}/login")
    field = page.locator("input[name=password]").first  # the token (the second sets a password)
    field.fill(server.token)
    field.press("Enter")
    page.wait_for_url(lambda url: "/login" not in url)
