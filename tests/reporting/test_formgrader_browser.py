"""The Formgrader as an instructor meets it, offline: in Debian's Chromium, with every request
that leaves this machine refused.

A graded sample class is opened in the instructor's JupyterLab (the grading
environment, where ``labgrader.reporting.formgrader`` stands in for nbgrader's). The page of
a graded submission loads MathJax from the server, so nothing fails; a keyboard
shortcut moves to the next submission; a test cell has a comment box, and a reason
typed there lands in the gradebook; long verdicts wrap. The server's log holds no
critical line about an exchange nobody set up. Screenshots go to
``test-artifacts/formgrader/``.
"""

from __future__ import annotations

import time

import pytest
from nbgrader.api import Gradebook

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS
from labgrader.course.config import BIN_DIR, REPO_ROOT, nbgrader_env
from tests.support.browser import CHROMIUM, chromium, jupyter_server, log_in
from tests.support.builders import copy_of

pytestmark = pytest.mark.slow

ARTIFACTS = REPO_ROOT / "test-artifacts" / "formgrader"
TOKEN = "formgrader-token"
REASON = "The tie-break is wrong, but the reasoning in 1d earns one point back."

if not CHROMIUM.exists():
    pytest.skip(
        "Debian's chromium is not installed (make test installs it)", allow_module_level=True
    )


@pytest.fixture(scope="module")
def course(sample_class, tmp_path_factory):
    return copy_of(sample_class[0], tmp_path_factory.mktemp("formgrader") / "course")


@pytest.fixture(scope="module")
def instructor_lab(course, tmp_path_factory):
    base = tmp_path_factory.mktemp("instructor")
    env = {
        **nbgrader_env(),
        "HOME": str(base),
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
    }
    command = [str(BIN_DIR / "jupyter"), "lab", "--allow-root", f"--ServerApp.root_dir={course}"]
    with jupyter_server(command, course, env, base / "jupyterlab.log", TOKEN) as server:
        yield server


def submission_id(course, student: str) -> str:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return gradebook.find_submission_notebook(NOTEBOOKS[0], ASSIGNMENT, student).id


def test_the_formgrader_works_offline(course, instructor_lab, tmp_path):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with chromium(tmp_path / "profile", offline=True) as context:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        partial = submission_id(course, "sample_partial")
        log_in(page, instructor_lab)
        page.goto(f"{instructor_lab.url}/formgrader/submissions/{partial}/")
        page.wait_for_function("() => window.MathJax && MathJax.loaded !== undefined")
        page.locator("#test_tie_breaker").wait_for()
        assert errors == [], errors
        assert not [url for url in context.refused if "mathjax" in url.lower()]

        # A long verdict wraps inside the page instead of running off its right edge.
        verdict = page.locator(
            ".output_error pre, .output_subarea pre", has_text="only 0.799"
        ).first
        width = verdict.evaluate("pre => pre.scrollWidth - pre.clientWidth")
        assert width <= 0, f"the verdict overflows by {width} px"
        verdict.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "01-graded-submission.png"))

        # A test cell has a comment box: a reason typed there is saved in the gradebook.
        box = page.locator("#test_tie_breaker-comment")
        box.fill(REASON)
        box.press("Escape")
        page.locator(".comment-saved").first.wait_for(state="attached")
        deadline = time.monotonic() + 15
        while saved_comment(course) != REASON:
            assert time.monotonic() < deadline, "the comment never reached the gradebook"
            time.sleep(0.3)
        page.screenshot(path=str(ARTIFACTS / "02-reason-for-an-override.png"))

        # The keyboard works: the help opens, and Control+, or Control+. moves between submissions.
        page.locator(".help").click()
        dialog = page.locator("#help-dialog")
        dialog.get_by_text("Move to the next score or comment input").wait_for()
        page.wait_for_timeout(500)  # the dialog fades in
        page.screenshot(path=str(ARTIFACTS / "03-keyboard-shortcuts.png"))
        dialog.locator(".modal-footer button", has_text="Close").click()
        dialog.wait_for(state="hidden")
        # The Formgrader orders submissions by their random ids: step to a neighbour that exists.
        order = submission_order(course)
        where = order.index(partial)
        key, neighbour = ("Control+,", order[where - 1]) if where else ("Control+.", order[1])
        page.locator("#test_tie_breaker").click()
        page.keyboard.press(key)
        page.wait_for_url(lambda url: neighbour in url, timeout=30_000)
        page.locator("#test_tie_breaker").wait_for()
        page.screenshot(path=str(ARTIFACTS / "04-neighbouring-submission.png"))
        assert errors == [], errors
    log = instructor_lab.log.read_text()
    critical = [line for line in log.splitlines() if line.startswith("[C ")]
    assert critical == [] and "Unwritable directory" not in log, critical
    assert " 404 GET " not in log, log[-3000:]


def submission_order(course) -> list[str]:
    """The ids of the first notebook's submissions, in the Formgrader's order."""
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        return sorted(n.id for n in gradebook.notebook_submissions(NOTEBOOKS[0], ASSIGNMENT))


def saved_comment(course) -> str | None:
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook(NOTEBOOKS[0], ASSIGNMENT, "sample_partial")
        return next(
            (c.manual_comment for c in notebook.comments if c.name == "test_tie_breaker"), None
        )
