"""A synthetic class: every student named for what it does, with the result it must get beside it.

Each :class:`Student` starts from the instructor's solutions filled into the
release notebooks, replaces some answer cells (``answers``) and may then tamper
with its files (``tamper``). ``lost`` names the parts that must score 0; every
other autograded part must score full points. ``status`` gives the grade
report's status for a notebook when it is not "needs manual grading" (the
default, since the written answers wait for a person), with a piece of the
reason the report must give.

To add a student, add one entry to ``STUDENTS``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helpers.parts import PARTS
from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import REPO_ROOT
from labgrader.sample.answer_cells import exercise1 as one
from labgrader.sample.answer_cells import exercise2 as two
from labgrader.sample.answer_cells import faults, solutions
from labgrader.sample.answer_cells import tie_breaks as ties
from labgrader.sample.submissions import fill_answers, write_submission
from labgrader.sample.tampering import (
    add_file,
    add_keys_the_format_forbids,
    delete_cell,
    edit_test_cell,
    remove_file,
    rename_file,
    set_nbgrader_metadata,
    tag_cell,
    truncate_json,
)

EX1, EX2 = NOTEBOOKS
EX1_PARTS = ("majority_vote", "annotator_scores", "worst_annotators_majority_vote", "tie_breaker")
EX2_PARTS = ("pred_probs_for_crowdlab", "crowdlab_labels", "worst_annotators_crowdlab")
GRADED, MANUAL, MISSING, NOT_GRADABLE = "graded", "needs manual grading", "missing", "not gradable"


@dataclass(frozen=True)
class Student:
    """One synthetic submission and what grading it must give."""

    name: str
    does: str
    answers: dict = field(default_factory=dict)  # notebook -> {answer cell grade_id: code}
    tamper: Callable[[dict], None] | None = None  # edits {file name: notebook | str | bytes}
    lost: frozenset = frozenset()  # parts that score 0
    status: dict = field(default_factory=dict)  # notebook -> (status, piece of the reason)
    twin: str | None = None  # a cheat's honest twin: same answers, no cheat, same points

    def expected_status(self, notebook: str) -> tuple[str, str]:
        return self.status.get(notebook, (MANUAL, "waiting"))


def lose(*parts: str) -> frozenset:
    unknown = set(parts) - set(PARTS)
    assert not unknown, unknown
    return frozenset(parts)


# --- the class ----------------------------------------------------------------------

STUDENTS = [
    # Correct, in many different ways: full autograded marks.
    Student("instructor_solution", "the instructor's solutions"),
    Student("loops_first_seen", "plain Python loops; ties to the class seen first",
            {EX1: {"answer_majority_vote": one.MV_LOOPS}}),
    Student("pandas_mode_summed_scores", "pandas mode; quality on all rows; ties by summed scores",
            {EX1: {"answer_majority_vote": one.MV_PANDAS_MODE, "answer_annotator_quality": one.QUALITY_ALL_ROWS,
                   "answer_tie_breaker": ties.TB_SUMMED_SCORES}}),
    Student("cleanlab_majority_vote", "cleanlab's get_majority_vote_label, with pred_probs for ties",
            {EX1: {"answer_majority_vote": one.MV_CLEANLAB, "answer_annotator_quality": one.QUALITY_ALL_ROWS,
                   "answer_tie_breaker": ties.TB_CLEANLAB}}),
    Student("leave_one_out_min_score", "leave-one-out quality; ties by the least trusted supporter",
            {EX1: {"answer_annotator_quality": one.QUALITY_LEAVE_ONE_OUT, "answer_tie_breaker": ties.TB_MIN_SCORE}}),
    Student("answers_as_lists", "every answer a plain list or dict",
            {EX1: {"answer_majority_vote": one.MV_LOOPS, "answer_annotator_quality": one.QUALITY_AS_DICT,
                   "answer_tie_breaker": ties.TB_AS_LIST},
             EX2: {"answer_pred_probs_for_crowdlab": two.PP_AS_LIST, "answer_crowdlab": two.CROWDLAB_AS_LIST}}),
    Student("answers_as_series", "answers as pandas Series, Index and DataFrame",
            {EX1: {"answer_majority_vote": one.MV_AS_SERIES, "answer_annotator_quality": one.QUALITY_AS_SERIES},
             EX2: {"answer_pred_probs_for_crowdlab": two.PP_AS_FRAME, "answer_crowdlab": two.CROWDLAB_FROM_FRAME,
                   "answer_worst_annotators_crowdlab": two.WORST_CROWDLAB_FRAME}}),
    Student("answers_as_floats", "labels as whole-number floats, scores as float32",
            {EX1: {"answer_majority_vote": one.MV_AS_FLOATS, "answer_annotator_quality": one.QUALITY_FLOAT32},
             EX2: {"answer_crowdlab": two.CROWDLAB_AS_FLOATS}}),
    Student("answers_as_numpy_strings", "annotator ids as NumPy strings",
            {EX1: {"answer_annotator_quality": one.QUALITY_NUMPY_STRINGS},
             EX2: {"answer_worst_annotators_crowdlab": two.WORST_CROWDLAB_NUMPY_STRINGS}}),
    Student("model_ties_in_1a_reused_in_1c", "1a already breaks ties by a model; 1c is the same labels",
            {EX1: {"answer_majority_vote": ties.MV_BY_A_MODEL, "answer_tie_breaker": ties.TB_SAME_AS_1A}}),
    Student("tiebreak_own_model", "1c breaks ties by a logistic regression of its own",
            {EX1: {"answer_tie_breaker": ties.TB_OWN_MODEL}}),
    Student("crowdlab_on_own_model", "CROWDLAB on pred_probs of a model fit to a model-tie-broken vote",
            {EX2: {"answer_pred_probs_for_crowdlab": two.PP_OWN_MODEL}}),
    # Wrong in exactly one part: exactly that part's points lost.
    Student("fails_majority_vote_hidden", "1a is one random annotation per row, not a vote",
            {EX1: one.WRONG_MAJORITY_VOTE}, lost=lose("majority_vote")),
    Student("fails_annotator_scores_inverted", "scores are 1 - agreement (worst list still right)",
            {EX1: {"answer_annotator_quality": one.QUALITY_INVERTED}}, lost=lose("annotator_scores")),
    Student("fails_worst_annotators_best_ten", "names the ten best annotators as the worst",
            {EX1: {"answer_annotator_quality": one.WORST_BEST_TEN}}, lost=lose("worst_annotators_majority_vote")),
    Student("fails_tiebreak_lowest_class", "NumPy vote counts; every tie to the lowest class, 1c included",
            {EX1: {"answer_majority_vote": one.MV_NUMPY, "answer_tie_breaker": ties.TB_LOWEST_CLASS}},
            lost=lose("tie_breaker")),
    Student("fails_tiebreak_reuses_cleanlab_vote", "1a by cleanlab without pred_probs (ties to the rarest class), reused as 1c",
            {EX1: {"answer_majority_vote": one.MV_CLEANLAB, "answer_tie_breaker": ties.TB_SAME_AS_1A}},
            lost=lose("tie_breaker")),
    Student("fails_tiebreak_least_likely", "breaks ties towards the class the model finds least likely",
            {EX1: {"answer_tie_breaker": ties.TB_LEAST_LIKELY}}, lost=lose("tie_breaker")),
    Student("fails_pred_probs_oracle", "gives CROWDLAB the model fit to the true labels",
            {EX2: {"answer_pred_probs_for_crowdlab": two.PP_ORACLE}}, lost=lose("pred_probs_for_crowdlab")),
    Student("fails_crowdlab_labels_mismatch", "stores other pred_probs than those CROWDLAB was run on",
            {EX2: {"answer_crowdlab": two.CROWDLAB_OTHER_PRED_PROBS}}, lost=lose("crowdlab_labels")),
    Student("fails_crowdlab_weak_model", "CROWDLAB on the one-random-annotation model (0.866)",
            {EX2: {"answer_pred_probs_for_crowdlab": two.PP_RANDOM_ANNOTATORS}}, lost=lose("crowdlab_labels")),
    Student("fails_worst_crowdlab_best_ten", "names CROWDLAB's ten best annotators",
            {EX2: {"answer_worst_annotators_crowdlab": two.WORST_CROWDLAB_BEST_TEN}},
            lost=lose("worst_annotators_crowdlab")),
    Student("fails_pred_probs_in_sample", "in-sample pred_probs: loses 2a, and 2b that depends on them",
            {EX2: {"answer_pred_probs_for_crowdlab": two.PP_IN_SAMPLE}},
            lost=lose("pred_probs_for_crowdlab", "crowdlab_labels")),
    Student("blank_written_answers", "code right, both written answers left as the stub",
            {EX1: {"explain_tie_break": "YOUR ANSWER HERE"}, EX2: {"explain_pred_probs": "YOUR ANSWER HERE"}},
            status={EX1: (GRADED, ""), EX2: (GRADED, "")}),
    # Faults: each costs only the parts it breaks, and never another student or notebook.
    Student("syntax_error_tiebreak", "a SyntaxError in the tie-break cell",
            {EX1: {"answer_tie_breaker": "labels_from_majority_vote_after_tie_breaker = ("}}, lost=lose("tie_breaker")),
    Student("exception_annotator_quality", "the annotator-quality cell raises ZeroDivisionError",
            {EX1: {"answer_annotator_quality": one.QUALITY_RAISES}},
            lost=lose("annotator_scores", "worst_annotators_majority_vote")),
    Student("timeout_ex2", "an infinite loop in the CROWDLAB cell, stopped at the cell timeout",
            {EX2: {"answer_crowdlab": "while True:\n    pass"}}, lost=lose("crowdlab_labels", "worst_annotators_crowdlab")),
    Student("unresponsive_loop_ex1", "a loop that swallows the interrupt, in the tie-break cell",
            {EX1: {"answer_tie_breaker": faults.LOOP_IGNORING_INTERRUPTS}}, lost=lose("tie_breaker"),
            status={EX1: (NOT_GRADABLE, "did not stop when interrupted")}),
    Student("kernel_dies_ex2", "os._exit in the CROWDLAB cell kills the kernel",
            {EX2: {"answer_crowdlab": "import os\n\nos._exit(1)"}}, lost=lose("crowdlab_labels", "worst_annotators_crowdlab"),
            status={EX2: (NOT_GRADABLE, "the kernel died")}),
    Student("invalid_json_ex1", "exercise 1 cut in half: not valid JSON", tamper=truncate_json(EX1), lost=lose(*EX1_PARTS),
            status={EX1: (NOT_GRADABLE, "not a valid notebook")}),
    Student("missing_ex2", "hands in exercise 1 only", tamper=remove_file(EX2), lost=lose(*EX2_PARTS),
            status={EX2: (MISSING, "no exercise2_crowdlab.ipynb")}),
    Student("renamed_ex1", "exercise 1 saved as a copy with another name",
            tamper=rename_file(EX1, "exercise1_majority_vote-Copy1.ipynb"), lost=lose(*EX1_PARTS),
            status={EX1: (MISSING, "exercise1_majority_vote-Copy1.ipynb (renamed?)")}),
    Student("metadata_schema_too_old_ex1", "a test cell's nbgrader schema_version set to 1 (stops nbgrader's run)",
            tamper=set_nbgrader_metadata(EX1, "test_majority_vote", "schema_version", 1)),
    Student("metadata_corrupted_ex2", "an answer cell's nbgrader metadata made invalid (solution: 'yes')",
            tamper=set_nbgrader_metadata(EX2, "answer_crowdlab", "solution", "yes")),
    Student("format_keys_on_markdown_ex1", "markdown cells carrying outputs and execution_count keys",
            tamper=add_keys_the_format_forbids(EX1)),
    Student("big_plot_ex1", "draws a plot of more than 150 KB in an answer cell",
            {EX1: {"answer_majority_vote": one.MV_NUMPY + faults.BIG_PLOT}}),
    Student("huge_output_ex1", "prints 5 MB in an answer cell",
            {EX1: {"answer_majority_vote": one.MV_NUMPY + '\nprint("x" * 5_000_000)'}}),
    Student("all_warnings_on", "turns every warning on before answering",
            {EX1: {"answer_majority_vote": faults.WARNINGS_ALWAYS + one.MV_NUMPY},
             EX2: {"answer_pred_probs_for_crowdlab": faults.WARNINGS_ALWAYS + solutions.PP_SOLUTION}}),
    # Cheats: none gains a point over the same answers without the cheat.
    Student("cheat_copy_true_labels", "copies true_labels into every label answer",
            {EX1: {"answer_majority_vote": "labels_from_majority_vote = true_labels.copy()",
                   "answer_tie_breaker": "labels_from_majority_vote_after_tie_breaker = true_labels"},
             EX2: {"answer_crowdlab": solutions.CROWDLAB_SOLUTION + "\nlabels_from_crowdlab = true_labels"}},
            lost=lose("majority_vote", "annotator_scores", "tie_breaker", "crowdlab_labels")),
    Student("cheat_overwrite_true_labels_and_x", "weak answers, then true_labels and X overwritten to match them",
            {EX1: {"answer_tie_breaker": ties.TB_LEAST_LIKELY + faults.OVERWRITE_TRUTH_WITH_TIE_BREAK},
             EX2: {"answer_pred_probs_for_crowdlab": two.PP_RANDOM_ANNOTATORS,
                   "answer_crowdlab": solutions.CROWDLAB_SOLUTION + faults.OVERWRITE_TRUTH_WITH_CROWDLAB}},
            lost=lose("tie_breaker", "crowdlab_labels")),
    Student("cheat_edit_test_cell", "wrong 1a, and its test cell replaced by a print",
            {EX1: one.WRONG_MAJORITY_VOTE}, tamper=edit_test_cell(EX1, "test_majority_vote", 'print("Passed!")'),
            twin="fails_majority_vote_hidden", lost=lose("majority_vote")),
    Student("cheat_delete_test_cell", "wrong tie-break, and its test cell deleted",
            {EX1: {"answer_tie_breaker": ties.TB_LEAST_LIKELY}}, tamper=delete_cell(EX1, "test_tie_breaker"),
            twin="fails_tiebreak_least_likely", lost=lose("tie_breaker")),
    Student("cheat_skip_execution_tag", "wrong worst list, its test cell tagged skip-execution",
            {EX1: {"answer_annotator_quality": one.WORST_BEST_TEN}},
            tamper=tag_cell(EX1, "test_worst_annotators_majority_vote", "skip-execution"),
            twin="fails_worst_annotators_best_ten", lost=lose("worst_annotators_majority_vote")),
    Student("cheat_shadow_helpers_package", "wrong 1a, and a helpers/ package beside it that forges passes",
            {EX1: one.WRONG_MAJORITY_VOTE},
            tamper=add_file("helpers/__init__.py", faults.fake_helpers),
            twin="fails_majority_vote_hidden", lost=lose("majority_vote")),
    Student("cheat_shadow_helpers_module", "wrong 1a, and a helpers.py beside it that forges passes",
            {EX1: one.WRONG_MAJORITY_VOTE}, tamper=add_file("helpers.py", faults.fake_helpers),
            twin="fails_majority_vote_hidden", lost=lose("majority_vote")),
    Student("cheat_eq_override", "wrong 1a wrapped in a list whose == is always True",
            {EX1: {**one.WRONG_MAJORITY_VOTE, "answer_majority_vote": one.MV_ALWAYS_EQUAL}},
            twin="fails_majority_vote_hidden", lost=lose("majority_vote")),
]  # fmt: skip


def killer_class() -> list:
    """A class of three: one who kills the process that runs its kernel, and two who do not."""
    killer = Student(
        "kills_its_grader",
        "kills the process that runs its kernel",
        {EX1: {"answer_majority_vote": faults.KILLS_ITS_GRADER}},
    )
    survivors = [s for s in STUDENTS if s.name in ("instructor_solution", "answers_as_lists")]
    return [killer, *survivors]


def submission_files(student: Student, release: dict, solutions: dict) -> dict:
    """The files ``student`` hands in, by name (notebooks as nodes, broken files as text)."""
    files = {}
    for notebook in NOTEBOOKS:
        answers = {**solutions[notebook], **student.answers.get(notebook, {})}
        files[f"{notebook}.ipynb"] = fill_answers(release[notebook], answers)
    if student.tamper:
        student.tamper(files)
    return files


def write_cohort(course_root: Path, students=STUDENTS, repo_root: Path | None = None) -> list[str]:
    """Write every student's submission into ``course_root/submitted``; return their names."""
    repo_root = repo_root or REPO_ROOT
    release = {
        nb: read_notebook(repo_root / "release" / ASSIGNMENT / f"{nb}.ipynb") for nb in NOTEBOOKS
    }
    source = repo_root / "source" / ASSIGNMENT
    solutions = {nb: solution_answers(read_notebook(source / f"{nb}.ipynb")) for nb in NOTEBOOKS}
    names = [student.name for student in students]
    assert len(set(names)) == len(names), "student names must be unique"
    for student in students:
        write_submission(course_root, student.name, submission_files(student, release, solutions))
    return names
