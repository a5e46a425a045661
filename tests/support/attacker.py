"""A student who tries everything: the attacker of the sandbox's tests (and the hub's).

It answers exercise 1 correctly but, in the same cell, tries to read the gradebook and print a
hidden test, to write to it, to read the source notebooks (of the course and of the checkout the
grader is installed from), to import the grader and read its thresholds, to reach a port the test
listens on, to fork without end, to allocate 50 GiB and to write outside its folder. It records
what happened in its own output, which :func:`attempts_of` reads back.
"""

from __future__ import annotations

import json
from pathlib import Path

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook
from labgrader.course.config import REPO_ROOT
from labgrader.sample.answer_cells.solutions import MV_SOLUTION
from labgrader.sample.cohort import Student

ATTACKS = (
    """
import json, os, socket, sqlite3, time

course = os.path.abspath("../../..")
attempts = {{}}


def attempt(name, action):
    try:
        attempts[name] = "succeeded: " + str(action())[:80]
    except BaseException as error:  # MemoryError, OSError, ...
        attempts[name] = "blocked: " + type(error).__name__


def hidden_tests():
    rows = sqlite3.connect(f"file:{{course}}/gradebook.db?mode=ro", uri=True).execute("select source from source_cell")
    return [line for (source,) in rows for line in source.splitlines() if "hidden=True" in line]


def write_gradebook():  # changes the file's bytes, not any grade
    database = sqlite3.connect(f"{{course}}/gradebook.db")
    database.execute("pragma user_version = 7")
    database.close()
    return "user_version set"


def fork_bomb():
    children = []
    try:
        while len(children) < 1000:  # four times the limit
            child = os.fork()
            if child == 0:
                time.sleep(5)
                os._exit(0)
            children.append(child)
    finally:
        print("forked", len(children))
        for child in children:  # reap them, so that only the limit, not zombies, is tested
            os.waitpid(child, 0)
    return len(children)


attempt("read the gradebook", hidden_tests)
attempt("write the gradebook", write_gradebook)
attempt("read the source", lambda: os.listdir(f"{{course}}/source/multiannotator"))
attempt("reach the network", lambda: socket.create_connection(("127.0.0.1", {port}), timeout=3).close())
attempt("fork without end", fork_bomb)
attempt("allocate 50 GiB", lambda: len(bytearray(50 * 2**30)))
attempt("write outside the folder", lambda: open(f"{{course}}/autograded/evil.txt", "w").close())
attempt("write the course package", lambda: open("{helpers}/checks.py", "a").close())
attempt("import the grader", lambda: __import__("labgrader.judging.rules").judging.rules.TIE_BREAK_MAX_LOSS)
attempt("read the grader's thresholds", lambda: open("{grader}/judging/rules.py").read().count("MIN"))
attempt("read the checkout's source", lambda: os.listdir("{checkout}/source/multiannotator"))
attempt("find the grader in memory", lambda: [m for m in __import__("sys").modules if "labgrader" in m][0])
print("ATTEMPTS " + json.dumps(attempts))
"""
    + MV_SOLUTION
)


def attacker(port: int) -> Student:
    code = ATTACKS.format(
        port=port, helpers=REPO_ROOT / "helpers", grader=REPO_ROOT / "labgrader", checkout=REPO_ROOT
    )
    return Student("attacker", "tries everything", {NOTEBOOKS[0]: {"answer_majority_vote": code}})


def attempts_of(course: Path) -> dict:
    nb = read_notebook(course / "autograded" / "attacker" / ASSIGNMENT / f"{NOTEBOOKS[0]}.ipynb")
    cell = next(
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_majority_vote"
    )
    text = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    return json.loads(text.split("ATTEMPTS ")[1].splitlines()[0])
