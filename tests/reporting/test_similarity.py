"""The similarity report: thresholds that separate the synthetic class, and the report itself.

The synthetic class (:mod:`labgrader.sample.similarity_class`) holds the cohort's legitimate
methods as independent answers and copies of them disguised by renaming, new comments,
reordering and reformatting; the thresholds kept in ``similarity_thresholds.json`` must flag
every copy of an answer long enough to tell, and no independent pair.
"""

import csv
import json
import math
import random
import re
import shutil
import subprocess
import sys

import pytest

from labgrader.course.assignment import ASSIGNMENT, read_notebook
from labgrader.course.config import REPO_ROOT, nbgrader_env
from labgrader.reporting.similarity import (
    NOISE,
    SUBSTANTIAL,
    THRESHOLDS_FILE,
    compare_class,
    given_names,
    load_thresholds,
    normalise,
    weight,
)
from labgrader.reporting.similarity_report import CSV_COLUMNS, NOT_A_VERDICT
from labgrader.reporting.similarity_sources import released_code
from labgrader.sample.copies import make_copy
from labgrader.sample.similarity_class import METHODS, synthetic_class
from labgrader.sample.similarity_measure import as_records, measure
from labgrader.sample.submissions import write_submission


@pytest.fixture(scope="module")
def separations():
    return measure()


def test_the_thresholds_flag_every_copy_and_no_independent_pair(separations):
    thresholds = load_thresholds()
    for s in separations:
        threshold = thresholds[s.notebook][s.part]
        assert s.independent_pairs > 0 and s.independent_max < threshold, s
        if s.copies:
            assert s.copies_min >= threshold, s
        assert s.short_copies == 0 or s.short_answers, s
    assert sum(s.copies for s in separations) > 2000, "copies were planted in every notebook"
    assert {s.notebook for s in separations if s.copies} == set(thresholds) - {"default"}


def test_the_kept_figures_are_the_measured_ones(separations):
    kept = json.loads(THRESHOLDS_FILE.read_text())
    assert kept["separation"] == as_records(separations), "run benchmarks.similarity_thresholds"
    assert kept["measured_with"] == {"noise": NOISE, "substantial": SUBSTANTIAL,
                                     "common_share": kept["measured_with"]["common_share"]}  # fmt: skip


def test_normalised_code_ignores_names_comments_and_layout():
    keep = frozenset({"np", "vote_counts", "labels"})
    original = "counts = vote_counts.copy()  # votes\nlabels = np.argmax(counts, axis=1)\n"
    disguised = "\n# pick the winner\ntally = vote_counts.copy()\n\nlabels = np.argmax(\n    tally, axis=1\n)"
    assert normalise(original, keep)[0] == normalise(disguised, keep)[0]
    other_method = "counts = vote_counts.copy()\nlabels = np.argmin(counts, axis=1)\n"
    assert normalise(original, keep)[0] != normalise(other_method, keep)[0]
    assert weight(NOISE) == 0.0 and weight(SUBSTANTIAL) == 1.0 and 0 < weight(20) < 1


def test_a_one_line_answer_everyone_writes_alike_is_weighed_down():
    one_line = "labels_from_majority_vote_after_tie_breaker = vote_counts.argmax(axis=1)\n"
    answers = {f"student_{i}": one_line for i in range(3)}
    lowest = min(t for parts in load_thresholds().values() if isinstance(parts, dict)
                 for t in parts.values())  # fmt: skip
    result = compare_class(answers, "nb", "part", "", frozenset({"vote_counts"}), lowest)
    assert all(pair.score < lowest / 2 and not pair.flagged for pair in result.pairs)


@pytest.fixture(scope="module")
def course_with_copies(tmp_path_factory):
    """A course folder with the release, five independent students, one disguised copy, a
    student whose code holds HTML, a broken notebook and a missing one; then the report."""
    root = tmp_path_factory.mktemp("similarity") / "course"
    shutil.copytree(REPO_ROOT / "release", root / "release")
    students = {s.name: s for s in synthetic_class()}
    for name in [f"independent_{i}" for i in range(5)] + ["copy_1_all_four_0"]:
        files = {f"{nb}.ipynb": n for nb, n in students[name].notebooks.items()}
        write_submission(root, name, files)
    tricky = {f"{nb}.ipynb": n for nb, n in students["independent_2"].notebooks.items()}
    tricky["exercise2_crowdlab.ipynb"] = "{ not json"
    write_submission(root, "broken_and_html", tricky)
    nb = tricky["exercise1_majority_vote.ipynb"]
    cell = next(
        c
        for c in nb.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "answer_majority_vote"
    )
    cell.source = "# </pre><script>alert('x')</script>\n" + cell.source
    write_submission(root, "broken_and_html", {"exercise1_majority_vote.ipynb": nb})
    (root / "submitted" / "missing_ex2" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(root / "submitted" / "independent_3" / ASSIGNMENT / "exercise1_majority_vote.ipynb",
                root / "submitted" / "missing_ex2" / ASSIGNMENT)  # fmt: skip
    run = subprocess.run(
        [sys.executable, "-m", "labgrader.reporting.similarity_cli", "--course-root", str(root)],
        env=nbgrader_env(), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    return root, run.stdout


def test_the_report_flags_the_copy_and_the_pairs_that_share_its_answers(course_with_copies):
    root, printed = course_with_copies
    with (root / "reports" / "similarity.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    flagged = {(r["student_a"], r["student_b"]) for r in rows if r["flagged"] == "yes"}
    assert ("copy_1_all_four_0", "independent_1") in flagged
    assert flagged <= {("copy_1_all_four_0", "independent_1"), ("broken_and_html", "independent_2"),
                       ("independent_3", "missing_ex2")}  # fmt: skip
    students = {"independent_0", "independent_1", "independent_2", "independent_3", "independent_4",
                "copy_1_all_four_0", "broken_and_html", "missing_ex2"}  # fmt: skip
    pairs = {(r["student_a"], r["student_b"], r["notebook"], r["part"]) for r in rows}
    assert len({(a, b) for a, b, *_ in pairs}) == math.comb(len(students), 2), "every pair"
    assert "copy_1_all_four_0 / independent_1" in printed and "never a verdict" in printed
    assert "not compared: broken_and_html exercise2_crowdlab" in printed


def test_the_html_page_stands_alone_and_says_what_it_is_not(course_with_copies):
    root, _ = course_with_copies
    page = (root / "reports" / "similarity.html").read_text()
    assert NOT_A_VERDICT in page.replace("&#x27;", "'")
    assert "<script" not in page and "&lt;script&gt;" in page, "student code is escaped"
    assert not re.search(r"(src|href)\s*=|<link|@import|url\(", page), (
        "nothing loaded from anywhere"
    )
    assert page.index("copy_1_all_four_0 and independent_1") < page.index("The closest pairs below")
    assert (
        "<mark>" in page and "missing_ex2, exercise2_crowdlab: no exercise2_crowdlab.ipynb" in page
    )


def test_copies_made_with_other_seeds_are_flagged_too():
    """The thresholds hold for copies the measurement never saw (seeds 100 to 104), each
    planted alone among the independent answers."""
    notebook, part = "exercise1_majority_vote", "answer_annotator_quality"
    release = read_notebook(REPO_ROOT / "release" / ASSIGNMENT / f"{notebook}.ipynb")
    keep = given_names([released_code(release)])
    independents = {name: code for name, code in METHODS[notebook][part].items()}
    threshold = load_thresholds()[notebook][part]
    for name, original in independents.items():
        for seed in range(100, 105):
            copy = make_copy(original, random.Random(seed), keep=keep)
            answers = {**independents, "the copy": copy}
            result = compare_class(answers, notebook, part, released_code(release), keep, threshold)
            flagged = {(p.student_a, p.student_b) for p in result.pairs if p.flagged}
            assert flagged == {(name, "the copy")}, (name, seed, result.pairs[:2])
