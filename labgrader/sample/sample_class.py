"""Grade a small bundled sample class end to end with nbgrader's own commands.

``python -m labgrader.sample`` (the README's first command, ``make sample-class``, runs it)
regenerates the release from ``source/``, writes three sample submissions into
``submitted/``, autogrades them, writes their feedback and ``grades.csv``, and
prints the grade table. Only the ``sample_*`` students are touched: real
submissions in the same course folders are left alone.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from labgrader.course.assignment import ASSIGNMENT, NOTEBOOKS, read_notebook, solution_answers
from labgrader.course.config import REPO_ROOT, run_nbgrader
from labgrader.reporting.report import grade_report, print_table, write_csv
from labgrader.sample.submissions import fill_answers, write_submission

COURSE_ROOT = REPO_ROOT

# Answers that differ from the instructor's solution, per notebook.
PARTIAL_ANSWERS = {
    "exercise1_majority_vote": {
        "answer_annotator_quality": (
            "agrees = multiannotator_labels.eq(pd.Series(labels_from_majority_vote), axis=0)\n"
            "annotator_scores = agrees.sum() / multiannotator_labels.notna().sum()\n"
            "worst_annotators_from_majority_vote = list(multiannotator_labels.columns[:10])"
        ),
        "answer_tie_breaker": (
            "vote_counts = helpers.vote_counts(multiannotator_labels)\n"
            "is_most_voted = vote_counts == vote_counts.max(axis=1, keepdims=True)\n"
            "labels_from_majority_vote_after_tie_breaker = np.where(\n"
            "    is_most_voted, -pred_probs_from_model_fit_to_majority_vote, -np.inf\n"
            ").argmax(axis=1)"
        ),
    },
    "exercise2_crowdlab": {
        "answer_pred_probs_for_crowdlab": "pred_probs_for_crowdlab = pred_probs_from_model_fit_to_random_annotators",
    },
}

SAMPLE_STUDENTS = {
    "sample_full_marks": "the instructor's solutions",
    "sample_partial": "some parts wrong: worst annotators, tie-break, pred_probs from a weak model",
    "sample_blank": "the release as handed out, nothing answered",
}


def sample_submission(student: str, course_root: Path = COURSE_ROOT) -> dict:
    """The notebooks one sample student hands in, by file name."""
    files = {}
    for notebook in NOTEBOOKS:
        release = read_notebook(course_root / "release" / ASSIGNMENT / f"{notebook}.ipynb")
        if student == "sample_blank":
            files[f"{notebook}.ipynb"] = release
            continue
        answers = solution_answers(
            read_notebook(course_root / "source" / ASSIGNMENT / f"{notebook}.ipynb")
        )
        if student == "sample_partial":
            answers.update(PARTIAL_ANSWERS[notebook])
        files[f"{notebook}.ipynb"] = fill_answers(release, answers)
    return files


def nbgrader(*args: str, course_root: Path = COURSE_ROOT) -> None:
    """Run one nbgrader command in the course root, showing it and its warnings."""
    print(f"$ nbgrader {' '.join(args)}", flush=True)
    result = run_nbgrader(course_root, *args, "--log-level=WARN")
    print(result.stderr, end="", file=sys.stderr)


def grade_sample_class(course_root: Path = COURSE_ROOT) -> None:
    """Release, submit, autograde, give feedback and export grades for the sample class."""
    # Removing the old release first spares nbgrader's "Removing existing assignment" warning.
    shutil.rmtree(course_root / "release" / ASSIGNMENT, ignore_errors=True)
    nbgrader("generate_assignment", ASSIGNMENT, "--force", course_root=course_root)
    for student in SAMPLE_STUDENTS:
        for folder in ("submitted", "autograded", "feedback"):
            shutil.rmtree(course_root / folder / student, ignore_errors=True)
        write_submission(course_root, student, sample_submission(student, course_root))
    students = "--CourseDirectory.student_id=sample_*"
    nbgrader("autograde", ASSIGNMENT, students, "--force", course_root=course_root)
    nbgrader("generate_feedback", ASSIGNMENT, students, "--force", course_root=course_root)
    nbgrader("export", "--to", str(course_root / "grades.csv"), course_root=course_root)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--course-root", type=Path, default=COURSE_ROOT)
    args = parser.parse_args(argv)
    grade_sample_class(args.course_root)
    rows = [row for row in grade_report(args.course_root) if row.student in SAMPLE_STUDENTS]
    write_csv(rows, args.course_root / "reports" / "grade_report.csv")
    print()
    print_table(rows)
    print(f"\nFeedback: {args.course_root / 'feedback'}/sample_*/{ASSIGNMENT}/*.html")
    print(
        f"Grades: {args.course_root / 'grades.csv'} (nbgrader export), "
        f"{args.course_root / 'reports' / 'grade_report.csv'} (every submission, with status)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
