"""The student's journey in a real JupyterLab, driven in Debian's Chromium by Playwright.

JupyterLab is started exactly as the README tells students (``make lab``, that is
``python -m helpers.student_lab`` in the student environment, which has no grader),
with a temporary workspace, config directory and token. For each exercise the test
runs all cells, sees the lab stop at the first answer stub, types the instructor's
answers, sees the visible tests check their shapes (and claim nothing more), sees
Validate fail while a written answer is still the stub and succeed once it is
written. It also checks that the instructor tools are absent and locked.
Screenshots of every step go to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import REPO_ROOT
from tests.support.browser import CHROMIUM, JupyterServer, NotebookInLab, chromium, jupyter_server
from tests.support.builders import RELEASE_DIR, SOURCE_DIR

pytestmark = pytest.mark.slow

ARTIFACTS = REPO_ROOT / "test-artifacts" / "browser"
TOKEN = "student-journey-token"
CODE_STUB = "# YOUR CODE HERE"
TEXT_STUB = "YOUR ANSWER HERE"

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed: `make test` installs it (apt-get install chromium) when run as root",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def lab(tmp_path_factory, student_environment):
    base = tmp_path_factory.mktemp("student")
    env = {
        "PATH": f"{student_environment / 'bin'}:/usr/bin:/bin",
        "HOME": str(base / "home"),
        "JUPYTER_CONFIG_DIR": str(base / "config"),  # the student's own ~/.jupyter
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
    }
    (base / "home").mkdir()
    command = [
        str(student_environment / "bin" / "python"),
        "-m",
        "helpers.student_lab",
        f"--release={RELEASE_DIR}",
        f"--workspace={base / 'work'}",
    ]
    with jupyter_server(command, base, env, base / "jupyterlab.log", TOKEN) as server:
        server.workspace = base / "work"
        yield server


@pytest.fixture(scope="module")
def browser(lab, tmp_path_factory):
    with chromium(tmp_path_factory.mktemp("chromium-profile")) as context:
        yield context


def open_lab(lab: JupyterServer, page, notebook: str, screenshots: str | None = None):
    """One notebook of the lab, in this student's JupyterLab."""
    return NotebookInLab(
        page,
        lab_url=lab.url,
        path=f"{ASSIGNMENT}/{notebook}.ipynb",
        get_json=lambda path: lab.api(path)[1],
        screenshots=ARTIFACTS / (screenshots or notebook),
        query=f"?token={TOKEN}",
    )


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_student_journey(lab, browser, notebook):
    page = browser.new_page()
    journey = open_lab(lab, page, notebook)
    journey.open()
    journey.screenshot("opened")
    assert (
        journey.panel.locator(".jp-MarkdownOutput h1", has_text="Lab: curating a dataset").count()
        == 1
    )

    # Run everything as handed out: the set-up runs, a plot renders, and execution stops at the first stub.
    journey.run_all()
    stubs = journey.code_cells_with(CODE_STUB)
    first_stub = stubs.first
    first_stub.scroll_into_view_if_needed()
    journey.screenshot("stopped-at-first-stub")
    assert "NotImplementedError" in first_stub.locator(".jp-OutputArea").text_content()
    setup = journey.code_cells_with("lab = helpers.load_lab_data()")
    assert setup.locator(".jp-InputPrompt").text_content().strip() not in ("[ ]:", "[*]:")
    images = journey.panel.locator(".jp-RenderedImage img")
    assert images.count() >= 1 and images.first.evaluate("image => image.naturalWidth") > 0
    test_cells = journey.code_cells_with("check_answer(")
    assert test_cells.first.locator(".jp-InputPrompt").text_content().strip() == "[ ]:", (
        "nothing ran after the stub"
    )

    # Type the answers, run again: every visible test checks its answer's shape, and says so.
    source = read_notebook(SOURCE_DIR / f"{notebook}.ipynb")
    answers = solution_answers(source)
    kinds = {
        c.metadata["nbgrader"]["grade_id"]: c.cell_type
        for c in source.cells
        if "nbgrader" in c.metadata
    }
    code_ids = [grade_id for grade_id in answers if kinds[grade_id] == "code"]
    written = [grade_id for grade_id in answers if kinds[grade_id] == "markdown"]
    n_tests = sum(
        1
        for c in source.cells
        if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")
    )
    assert stubs.count() == len(code_ids) and len(written) == 1
    for index, grade_id in enumerate(code_ids):
        journey.type_into(journey.code_cells_with(CODE_STUB).first, answers[grade_id])
        assert journey.code_cells_with(CODE_STUB).count() == len(code_ids) - index - 1
    journey.run_all()
    checked = [cell.locator(".jp-OutputArea").text_content() for cell in test_cells.all()]
    assert len(checked) == n_tests, checked
    assert all("Shape checked:" in text and "Passed" not in text for text in checked), checked
    assert journey.errors().count() == 0, journey.errors().all_inner_texts()
    test_cells.last.scroll_into_view_if_needed()
    journey.screenshot("visible-tests-check-shapes")

    # Validate refuses a written answer left as the stub...
    journey.save()
    succeeded, report = journey.validate()
    journey.screenshot("validate-fails-on-unwritten-answer")
    assert not succeeded and TEXT_STUB in report, report
    journey.close_dialog()

    # ... and succeeds once it is written.
    written_cell = journey.panel.locator(".jp-MarkdownCell", has_text=TEXT_STUB)
    journey.type_into(written_cell, answers[written[0]])
    journey.run_all()
    journey.save()
    succeeded, report = journey.validate()
    journey.screenshot("validate-succeeds")
    assert succeeded and "Success! Your notebook passes all the tests." in report, report
    journey.close_dialog()
    page.close()


def test_instructor_tools_are_absent_and_locked(lab, browser):
    page = browser.new_page()
    journey = open_lab(lab, page, NOTEBOOKS[0], screenshots="instructor-tools")
    journey.open()
    assert journey.panel.locator(".validate-button").count() == 1
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    menu = page.locator(".lm-Menu").last
    items = menu.locator(".lm-Menu-itemLabel").all_inner_texts()
    journey.screenshot("nbgrader-menu")
    assert "Assignment List" in items and not any("Formgrader" in item for item in items), items
    page.keyboard.press("Escape")
    assert "Create Assignment" not in page.content()
    assert "Formgrader" not in page.content()

    # The server no longer serves the formgrader page.
    assert lab.status_of("/formgrader") == 404
    # The Plugin Manager cannot switch the plugins back on: it sends this request, and it is refused.
    _, locks = lab.api("/lab/api/plugins")
    for plugin in ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment"):
        assert plugin in locks["lockRules"], locks
        with pytest.raises(urllib.error.HTTPError) as refused:
            lab.api("/lab/api/plugins", "POST", {"cmd": "enable", "plugin_name": plugin})
        assert "cannot be enabled as they are locked" in json.loads(refused.value.read())["message"]
    page.close()
