"""What the browser tests share: Debian's Chromium driven by Playwright, and a running Jupyter server."""

from __future__ import annotations

import json
import shutil
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


class NotebookInLab:
    """One notebook opened in a JupyterLab in the browser, with numbered screenshots.

    ``get_json(path)`` reads the server's REST API (``/api/sessions`` and the like) as the
    page's user: with a token for a plain server, with the page's cookies through a hub.
    """

    def __init__(self, page, lab_url, path, get_json, screenshots: Path, query: str = ""):
        self.page, self.lab_url, self.path, self.get_json = page, lab_url, path, get_json
        self.query = query
        self.folder = screenshots
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.step = 0

    def screenshot(self, name: str) -> Path:
        self.step += 1
        path = self.folder / f"{self.step:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        return path

    def open(self) -> None:
        self.page.goto(f"{self.lab_url}/lab/tree/{self.path}{self.query}")
        self.panel.locator(".jp-Cell").first.wait_for(timeout=60_000)
        dismiss_news(self.page)
        self.wait_until_kernel_started()

    def kernel(self) -> dict:
        sessions = self.get_json("/api/sessions")
        mine = [s for s in sessions if s["path"].endswith(self.path)]
        return self.get_json(f"/api/kernels/{mine[0]['kernel']['id']}") if mine else {}

    def wait_until_kernel_started(self) -> None:
        # The toolbar says "Idle" before the kernel has started: ask the server, which
        # reports "starting" until the kernel has answered, and wait for the connection.
        deadline = time.monotonic() + 90
        while True:
            kernel = self.kernel()
            if kernel.get("execution_state") == "idle" and kernel.get("connections", 0) >= 1:
                break
            assert time.monotonic() < deadline, f"kernel never started: {kernel}"
            time.sleep(0.3)
        self.page.wait_for_selector(".jp-StatusBar-TextItem:has-text('| Idle')", timeout=60_000)

    def run_all(self) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        self.page.get_by_text("Run All Cells", exact=True).click()
        time.sleep(1)
        deadline = time.monotonic() + 180
        while (
            self.page.locator(".jp-InputPrompt:has-text('[*]')").count()
            or self.kernel().get("execution_state") != "idle"
        ):
            assert time.monotonic() < deadline, "Run All did not finish"
            time.sleep(0.3)

    @property
    def panel(self):
        """The notebook on show (JupyterLab may have restored other tabs behind it)."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def code_cells_with(self, text: str):
        return self.panel.locator(
            ".jp-CodeCell", has=self.page.locator(".cm-content", has_text=text)
        )

    def errors(self):
        return self.panel.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
        )

    def type_into(self, cell, text: str) -> None:
        cell.scroll_into_view_if_needed()
        editor = cell.locator(".cm-content")
        if not editor.is_visible():  # a rendered markdown cell: open its editor
            cell.locator(".jp-MarkdownOutput").dblclick()
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.insert_text(text)  # no auto-indent, unlike typing key by key
        self.page.keyboard.press("Escape")

    def save(self) -> None:
        self.page.keyboard.press("Control+S")
        deadline = time.monotonic() + 30
        while self.page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty").count():
            assert time.monotonic() < deadline, "notebook not saved"
            time.sleep(0.2)

    def validate(self) -> tuple[bool, str]:
        """Click Validate; return whether nbgrader reported success, and the dialog's text."""
        self.panel.locator(".validate-button").click()
        dialog = self.page.locator(".jp-Dialog")
        verdict = dialog.locator(".validation-success, .validation-failed").first
        verdict.wait_for(timeout=180_000)
        return "validation-success" in verdict.get_attribute("class"), dialog.inner_text()

    def close_dialog(self) -> None:
        self.page.locator(".jp-Dialog button").last.click()
        self.page.locator(".jp-Dialog").wait_for(state="detached")


def dismiss_news(page) -> None:
    """Answer JupyterLab's "notified about official Jupyter news?" toast, if it is there."""
    news = page.get_by_role("button", name="No", exact=True)
    if news.count():
        news.first.click()


@contextmanager
def chromium_browser():
    """One Chromium for several people: each gets ``browser.new_context()``, with its own cookies."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS
        )
        try:
            yield browser
        finally:
            browser.close()


VIEWPORT = {"width": 1400, "height": 950}
