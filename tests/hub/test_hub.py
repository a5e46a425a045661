"""The course on a real JupyterHub: real accounts, PAM passwords, a whole term walked in Chromium.

``python -m labgrader.hub up`` builds a hub from a roster (two courses: an instructor and
two students in ``dcai-lab``, an instructor and a student in ``ml-101``), in folders and on
ports of the test's own. Then, each person logging in at the hub's login page:

1. the instructor generates, dates and releases the lab in the course's Formgrader
   (a hub service, opened in its own tab);
2. two students fetch it from the Assignment List, run it, answer, Validate and submit;
3. the instructor collects, grades with the course's parallel grader in a terminal of the
   course's JupyterLab, grades the written answers in the Formgrader (a score and a
   comment), overrides an autograded score with a reason, and releases feedback;
4. each student fetches feedback and sees their own scores, the comment and the override;
5. a late resubmission is collected and regraded.

Around it: the set-up run twice changes nothing; people cannot read each other's files,
the course's ``source/`` or the gradebook; the second course stays apart; a student added
to the running course gets in; grading from the hub's account is sandboxed; teardown
removes everything. Screenshots of every step go to ``test-artifacts/hub/``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import REPO_ROOT
from labgrader.course.renamed import migrate_text
from labgrader.sample.answer_cells.tie_breaks import TB_LEAST_LIKELY
from labgrader.sample.cohort import write_cohort
from tests.support.attacker import attacker, attempts_of
from tests.support.browser import (
    CHROMIUM,
    VIEWPORT,
    NotebookInLab,
    chromium_browser,
    dismiss_news,
    free_port,
)
from tests.support.builders import SOURCE_DIR

pytestmark = pytest.mark.slow

OLD_CONFIG = REPO_ROOT / "tests" / "course" / "golden" / "hub-course-config-2.0.py.txt"
ARTIFACTS = REPO_ROOT / "test-artifacts" / "hub"
DOCS = REPO_ROOT / "docs"
COURSE, OTHER_COURSE = "dcai-lab", "ml-101"
TAG = "hub" + hashlib.sha1(str(os.getpid()).encode()).hexdigest()[:4]  # user names of this run
PEOPLE = {
    "ada": ("instructor", COURSE),
    "alice": ("student", COURSE),
    "bob": ("student", COURSE),
    "grace": ("instructor", OTHER_COURSE),
    "carol": ("student", OTHER_COURSE),
}
WRITTEN_COMMENT = "Clear reasoning, and the failure case is the right one."
OVERRIDE_REASON = "The least likely class on purpose is wrong, but 1d explains the risk: 1 point."

if os.geteuid() != 0 or not CHROMIUM.exists() or not shutil.which("npm"):
    pytest.skip("the hub needs root, Debian's chromium and npm (make test installs them)",
                allow_module_level=True)  # fmt: skip


def user(name: str) -> str:
    return f"{TAG}-{name}"


def password(name: str) -> str:
    return f"{name}-{TAG}-password"


class Hub:
    """The test's hub: its folders, its address, and the labgrader.hub command line."""

    def __init__(self, root: Path):
        self.root = root
        self.prefix, self.state, self.exchange = root / "prefix", root / "state", root / "exchange"
        self.roster = root / "roster.csv"
        self.port, self.hub_port, self.proxy_port = free_port(), free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"

    def command(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "labgrader.hub", *args], cwd=REPO_ROOT,
            capture_output=True, text=True, timeout=1800,
        )  # fmt: skip

    def setup_args(self) -> list[str]:
        return [
            f"--roster={self.roster}", f"--prefix={self.prefix}", f"--state={self.state}",
            f"--exchange={self.exchange}", "--ip=127.0.0.1", f"--port={self.port}",
            f"--hub-port={self.hub_port}", f"--proxy-api-port={self.proxy_port}",
        ]  # fmt: skip

    @property
    def course_folder(self) -> Path:
        return Path("/home") / f"grader-{COURSE}" / COURSE

    def gradebook(self) -> Gradebook:
        return Gradebook(f"sqlite:///{self.course_folder / 'gradebook.db'}")


@pytest.fixture(scope="module")
def hub():
    for course in (COURSE, OTHER_COURSE):
        if subprocess.run(["id", f"grader-{course}"], capture_output=True).returncode == 0:
            pytest.skip(f"a course hub with {course} is already set up on this machine")
    root = Path(tempfile.mkdtemp(prefix="multiannotator-hub-test-", dir="/opt"))
    root.chmod(0o755)
    hub = Hub(root)
    hub.roster.write_text(
        "user,role,course,password\n"
        + "".join(
            f"{user(n)},{role},{course},{password(n)}\n" for n, (role, course) in PEOPLE.items()
        )
    )
    up = hub.command("up", *hub.setup_args())
    try:
        assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
        yield hub
    finally:
        hub.command("teardown", f"--state={hub.state}")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    with chromium_browser() as chromium:
        yield chromium


def person(browser):
    """A fresh browser context: one person, their own cookies."""
    return browser.new_context(viewport=VIEWPORT).new_page()


def log_in(page, hub: Hub, name: str) -> str:
    """Log in at the hub's login page; return the address of the person's JupyterLab."""
    page.goto(f"{hub.url}/hub/login")
    page.locator("#username_input").fill(user(name))
    page.locator("#password_input").fill(password(name))
    page.locator("#login_submit").click()
    lab = f"{hub.url}/user/{user(name)}"
    page.wait_for_url(f"{lab}/lab**", timeout=180_000)
    page.locator(".jp-LabShell").wait_for(timeout=120_000)
    dismiss_news(page)
    return lab


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def formgrader(page, hub: Hub, course: str = COURSE, path: str = "manage_assignments"):
    return page.goto(f"{hub.url}/services/{course}/formgrader/{path}")


def formgrader_action(page, column: str) -> str:
    """Click a button of the assignment's row in Manage Assignments; return the dialog's text."""
    page.locator("tr", has_text=ASSIGNMENT).locator(f"td.{column} a").click()
    dialog = page.locator(".modal:visible")
    dialog.get_by_text("Log Output").wait_for(timeout=300_000)
    text = dialog.inner_text()
    dialog.locator(".modal-footer button").last.click()
    dialog.wait_for(state="hidden")
    return text


def assignment_list(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click()
    page.get_by_text("Assignment List", exact=True).click()
    page.locator("#released_assignments_list").wait_for()
    for listed in ("released", "fetched", "submitted"):
        page.locator(f"#{listed}_assignments_list_loading").wait_for(state="hidden", timeout=60_000)


def answer_and_submit(page, hub: Hub, name: str, lab: str, answers: dict) -> None:
    """Fetch, open, answer, run, Validate and submit exercise 1 as a student would."""
    assignment_list(page)
    page.locator("#released_assignments_list button", has_text="Fetch").click()
    page.locator("#fetched_assignments_list button", has_text="Submit").wait_for()
    notebook = NotebookInLab(
        page, lab, f"{COURSE}/{ASSIGNMENT}/{NOTEBOOKS[0]}.ipynb",
        get_json=lambda path: page.request.get(f"{lab}{path}").json(),
        screenshots=ARTIFACTS / name,
    )  # fmt: skip
    notebook.open()
    for grade_id in ("answer_majority_vote", "answer_annotator_quality", "answer_tie_breaker"):
        notebook.type_into(notebook.code_cells_with("# YOUR CODE HERE").first, answers[grade_id])
    written = notebook.panel.locator(".jp-MarkdownCell", has_text="YOUR ANSWER HERE")
    notebook.type_into(written, answers["explain_tie_break"])
    notebook.run_all()
    assert notebook.errors().count() == 0, notebook.errors().all_inner_texts()
    notebook.save()
    succeeded, report = notebook.validate()
    notebook.screenshot("validated")
    assert succeeded, report
    notebook.close_dialog()
    assignment_list(page)
    page.locator("#fetched_assignments_list button", has_text="Submit").click()
    page.locator("#submitted_assignments_list", has_text=ASSIGNMENT).wait_for(timeout=60_000)


def run_in_course_terminal(page, hub: Hub, command: str, timeout: float = 600) -> None:
    """Type ``command`` in a terminal of the course's JupyterLab (the grading account's), and wait
    until it has finished (the terminal draws on a canvas: its text is not in the page)."""
    page.goto(f"{hub.url}/services/{COURSE}/lab")
    page.locator(".jp-LabShell").wait_for(timeout=120_000)
    dismiss_news(page)
    page.locator(".lm-MenuBar-itemLabel", has_text="File").click()
    page.locator(
        ".lm-Menu-item", has=page.locator(".lm-Menu-itemLabel", has_text="New")
    ).first.hover()
    page.locator(".lm-Menu-item[data-command='terminal:create-new']").click()
    terminal = page.locator(".jp-Terminal:visible")
    terminal.wait_for(timeout=60_000)
    time.sleep(2)  # the shell's prompt
    terminal.click()
    page.keyboard.type(f"{command}\n")
    program = command.split()[0]
    deadline = time.monotonic() + timeout
    time.sleep(2)
    running = ["pgrep", "-u", f"grader-{COURSE}", "-f", program]
    while subprocess.run(running, capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, f"{command} did not finish"
        time.sleep(1)
    time.sleep(1)  # the last line drawn


def submission_id(hub: Hub, name: str) -> str:
    with hub.gradebook() as gradebook:
        return gradebook.find_submission_notebook(NOTEBOOKS[0], ASSIGNMENT, user(name)).id


def grade_by_hand(page, hub: Hub, name: str, scores: dict, comments: dict) -> None:
    """Type scores and comments into the Formgrader page of a submission, as a grader does."""
    formgrader(page, hub, path=f"submissions/{submission_id(hub, name)}/")
    for grade_id, score in scores.items():
        box = page.locator(f"#{grade_id}")
        box.fill(str(score))
        box.press("Tab")
    for grade_id, text in comments.items():
        box = page.locator(f"#{grade_id}-comment")
        box.fill(text)
        box.press("Escape")
    deadline = time.monotonic() + 30
    while not all(saved(hub, name, grade_id, scores.get(grade_id), comments.get(grade_id))
                  for grade_id in {*scores, *comments}):  # fmt: skip
        assert time.monotonic() < deadline, "the Formgrader did not save the grades"
        time.sleep(0.5)


def saved(hub: Hub, name: str, grade_id: str, score, comment) -> bool:
    with hub.gradebook() as gradebook:
        notebook = gradebook.find_submission_notebook(NOTEBOOKS[0], ASSIGNMENT, user(name))
        grades = {g.name: g.manual_score for g in notebook.grades}
        notes = {c.name: c.manual_comment for c in notebook.comments}
    return (score is None or grades.get(grade_id) == score) and (
        comment is None or notes.get(grade_id) == comment
    )


def fetch_feedback(page, lab: str, screenshot: str) -> str:
    """Fetch feedback in the Assignment List, open exercise 1's in a tab; return its text."""
    assignment_list(page)
    page.locator("#submitted_assignments_list button", has_text="Fetch Feedback").first.click()
    folder = f"{COURSE}/{ASSIGNMENT}/feedback"
    deadline = time.monotonic() + 60
    while page.request.get(f"{lab}/api/contents/{folder}").status != 200:
        assert time.monotonic() < deadline, "no feedback arrived"
        time.sleep(1)
    (stamp,) = [
        e["name"] for e in page.request.get(f"{lab}/api/contents/{folder}").json()["content"]
    ]
    tab = page.context.new_page()
    tab.goto(f"{lab}/files/{folder}/{stamp}/{NOTEBOOKS[0]}.html")
    tab.locator("text=Your results on the autograded parts").wait_for()
    shot(tab, screenshot)
    text = tab.inner_text("body")
    tab.close()
    return text


def test_setup_twice_changes_nothing_and_homes_are_private(hub):
    def fingerprint():
        files = [hub.state / "hub.json", hub.prefix / "jupyterhub_config.py", Path("/etc/passwd")]
        stamps = [
            hub.prefix / "student-env" / ".installed",
            hub.prefix / "grader-env" / ".installed",
        ]
        course = sorted((p.relative_to(hub.course_folder), p.stat().st_mtime_ns)
                        for p in (hub.course_folder / "source").rglob("*"))  # fmt: skip
        return [f.read_bytes() for f in files], [s.stat().st_mtime_ns for s in stamps], course

    before = fingerprint()
    again = hub.command("setup", *hub.setup_args())
    assert again.returncode == 0, again.stderr[-3000:]
    assert fingerprint() == before
    for name in PEOPLE:
        assert (Path("/home") / user(name)).stat().st_mode & 0o777 == 0o700


def test_a_course_folder_of_the_previous_version_is_brought_to_the_new_names(hub):
    """A course folder is made once and never overwritten: one made by version 2.0 names the
    grader's old modules, and the next set-up rewrites just those (the second course then
    releases and grades its lab with it, below)."""
    folder = Path("/home") / f"grader-{OTHER_COURSE}" / OTHER_COURSE
    owner = (folder / "nbgrader_config.py").stat()
    old = OLD_CONFIG.read_text().replace("'dcai-lab'", repr(OTHER_COURSE))
    (folder / "nbgrader_config.py").write_text(old)
    again = hub.command("setup", *hub.setup_args())
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{OTHER_COURSE}: {folder}/nbgrader_config.py now names the grader's modules" in (
        again.stdout
    )
    assert (folder / "nbgrader_config.py").read_text() == migrate_text(old)[0]
    assert (folder / "nbgrader_config.py.before-2.1").read_text() == old
    for name in ("nbgrader_config.py", "nbgrader_config.py.before-2.1"):
        assert (folder / name).stat().st_uid == owner.st_uid


def test_a_whole_term_in_the_browser(hub, browser):
    source = read_notebook(SOURCE_DIR / f"{NOTEBOOKS[0]}.ipynb")
    answers = {"alice": solution_answers(source)}
    answers["bob"] = {**answers["alice"], "answer_tie_breaker": TB_LEAST_LIKELY}
    # 1. The instructor releases the lab, due in a few minutes.
    ada = person(browser)
    ada_lab = log_in(ada, hub, "ada")
    shot(ada, "01-instructor-jupyterlab")
    formgrader(ada, hub)
    assert "Successfully created the student version" in formgrader_action(ada, "assign")
    due = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=5)
    ada.locator("tr", has_text=ASSIGNMENT).locator("td.edit a").click()
    ada.locator("input.modal-duedate").fill(due.strftime("%Y-%m-%dT%H:%M"))
    ada.locator("input.modal-timezone").fill("+0000")
    ada.locator(".modal:visible button", has_text="Save").click()
    ada.locator("td.duedate", has_text=due.strftime("%Y-%m-%d")).wait_for()
    assert "Successfully released" in formgrader_action(ada, "release")
    shot(ada, "02-instructor-released")

    # 2. Two students fetch, answer, validate and submit.
    pages = {}
    for name in ("alice", "bob"):
        page = pages[name] = person(browser)
        lab = log_in(page, hub, name)
        assignment_list(page)
        assert page.locator("#released_assignments_list").inner_text().count(ASSIGNMENT) == 1
        # Nobody is asked to fetch Jupyter's news from the Internet (the course may be offline).
        assert page.get_by_text("Jupyter news").count() == 0
        shot(page, f"03-{name}-assignment-list")
        answer_and_submit(page, hub, name, lab, answers[name])
        shot(page, f"04-{name}-submitted")

    # 3. Collect, grade in parallel in the course's terminal, grade by hand, give feedback.
    formgrader(ada, hub)
    assert "Successfully collected" in formgrader_action(ada, "collect")
    run_in_course_terminal(ada, hub, "multiannotator-autograde")
    shot(ada, "05-instructor-parallel-grader")
    for name in ("alice", "bob"):
        graded = hub.course_folder / "autograded" / user(name) / ASSIGNMENT
        assert (graded / f"{NOTEBOOKS[0]}.ipynb").exists(), name
    grade_by_hand(
        ada, hub, "alice", {"explain_tie_break": 2}, {"explain_tie_break": WRITTEN_COMMENT}
    )
    grade_by_hand(ada, hub, "bob", {"test_tie_breaker": 1, "explain_tie_break": 1},
                  {"test_tie_breaker": OVERRIDE_REASON})  # fmt: skip
    shot(ada, "06-instructor-override-with-reason")
    formgrader(ada, hub)
    assert "Successfully generated feedback" in formgrader_action(ada, "generate-feedback")
    assert "Successfully released feedback" in formgrader_action(ada, "release-feedback")

    # 4. Each student sees their own scores, the comment and the override.
    alice_page = fetch_feedback(
        pages["alice"], f"{hub.url}/user/{user('alice')}", "07-alice-feedback"
    )
    assert "(Score: 10.0 / 10.0)" in alice_page and WRITTEN_COMMENT in alice_page
    assert "changed by your grader" not in alice_page
    bob_page = fetch_feedback(pages["bob"], f"{hub.url}/user/{user('bob')}", "08-bob-feedback")
    assert "(Score: 8.0 / 10.0)" in bob_page
    assert f"changed by your grader: {OVERRIDE_REASON}" in " ".join(bob_page.split())
    assert WRITTEN_COMMENT not in bob_page

    # 5. A late resubmission is collected and regraded.
    wait = (due - datetime.datetime.now(datetime.UTC)).total_seconds() + 5
    time.sleep(max(wait, 0))
    assignment_list(pages["alice"])
    pages["alice"].locator("#fetched_assignments_list button", has_text="Submit").click()
    submitted = pages["alice"].locator("#submitted_assignments_list")
    deadline = time.monotonic() + 60
    while submitted.inner_text().count(" UTC") < 2:  # one timestamp per submission
        assert time.monotonic() < deadline, submitted.inner_text()
        time.sleep(0.5)
    shot(pages["alice"], "09-alice-late-resubmission")
    formgrader(ada, hub)
    assert "Successfully collected" in formgrader_action(ada, "collect")
    run_in_course_terminal(ada, hub, "multiannotator-autograde")
    with hub.gradebook() as gradebook:
        late = gradebook.find_submission(ASSIGNMENT, user("alice"))
        assert late.total_seconds_late > 0
        assert gradebook.find_submission(ASSIGNMENT, user("bob")).total_seconds_late == 0
    autograded = hub.course_folder / "autograded" / user("alice") / ASSIGNMENT
    assert autograded.stat().st_mtime > due.timestamp()
    DOCS.mkdir(exist_ok=True)
    shutil.copy(ARTIFACTS / "03-alice-assignment-list.png", DOCS / "jupyterhub-student.png")
    shutil.copy(
        ARTIFACTS / "06-instructor-override-with-reason.png", DOCS / "jupyterhub-instructor.png"
    )
    assert ada_lab  # the instructor's own JupyterLab ran (the grading environment)


def as_user(name: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", name, "--", *command], capture_output=True, text=True)


def test_people_cannot_reach_each_other_the_source_or_the_gradebook(hub):
    alice, bob = user("alice"), user("bob")
    folder = hub.course_folder
    for command in (
        ["ls", f"/home/{bob}"],
        ["cat", str(folder / "gradebook.db")],
        ["ls", str(folder / "source")],
        ["sh", "-c", f"echo x >> {folder / 'gradebook.db'}"],
    ):
        for outsider in (alice, f"grader-{OTHER_COURSE}"):  # a student; the other course's grader
            refused = as_user(outsider, *command)
            assert refused.returncode != 0 and "Permission denied" in refused.stderr, command
    assert as_user(bob, "ls", f"/home/{bob}").returncode == 0  # the control: one's own home


def test_the_second_course_stays_apart(hub, browser):
    grace = person(browser)
    log_in(grace, hub, "grace")
    own = formgrader(grace, hub, OTHER_COURSE)
    assert own.status == 200 and "Manage Assignments" in grace.content()
    assert "Successfully created the student version" in formgrader_action(grace, "assign")
    assert "Successfully released" in formgrader_action(grace, "release")
    other = formgrader(grace, hub, COURSE)
    assert other.status == 403 and "Manage Assignments" not in grace.content(), grace.url
    shot(grace, "10-other-instructor-refused")

    carol = person(browser)
    log_in(carol, hub, "carol")
    assignment_list(carol)
    carol.locator("#released_assignments_list", has_text=ASSIGNMENT).wait_for(timeout=60_000)
    shot(carol, "11-other-course-student")
    courses = carol.locator("#course_list a").all_inner_texts()
    assert courses == [OTHER_COURSE], courses  # both courses have released the lab
    assert COURSE not in carol.locator("#nbgrader-assignment-list").inner_text()


def test_a_student_added_to_the_running_course_gets_in(hub, browser):
    added = hub.command("add-student", user("dave"), f"--course={COURSE}",
                        f"--password={password('dave')}", f"--state={hub.state}")  # fmt: skip
    assert added.returncode == 0, added.stderr[-3000:]
    page = person(browser)
    log_in(page, hub, "dave")
    assignment_list(page)
    page.locator("#released_assignments_list", has_text=ASSIGNMENT).wait_for(timeout=60_000)


def test_grading_from_the_hub_account_is_sandboxed(hub):
    """The course's grading account is not root: its kernels get a user namespace of their own."""
    folder = hub.course_folder
    grader = f"grader-{COURSE}"
    write_cohort(folder, [attacker(port=free_port())])
    subprocess.run(["chown", "-R", f"{grader}:{grader}", str(folder / "submitted")], check=True)
    env_bin = hub.prefix / "grader-env" / "bin"
    graded = subprocess.run(
        ["runuser", "-u", grader, "--", "env", f"PATH={env_bin}:/usr/bin:/bin",
         f"HOME=/home/{grader}", str(env_bin / "multiannotator-autograde"), "--student", "attacker"],
        cwd=folder, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert graded.returncode == 0, graded.stderr[-3000:]
    attempts = attempts_of(folder)
    assert len(attempts) == 12
    assert all(result.startswith("blocked") for result in attempts.values()), attempts
    with hub.gradebook() as gradebook:  # the attacker was graded, in the real gradebook
        assert gradebook.find_submission(ASSIGNMENT, "attacker").score > 0


def test_teardown_removes_every_account_and_folder(hub):
    made = json.loads((hub.state / "hub.json").read_text())["created_accounts"]
    assert hub.command("teardown", f"--state={hub.state}").returncode == 0
    for account in made:
        assert subprocess.run(["id", account], capture_output=True).returncode != 0, account
    assert not hub.prefix.exists() and not hub.exchange.exists() and not hub.state.exists()
