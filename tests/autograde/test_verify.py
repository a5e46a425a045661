"""The grader re-judges each test cell from its recorded answer; feedback never quotes hidden tests."""

import nbformat
from nbformat.v4 import new_code_cell, new_output

from helpers.answers import ANSWER_MIME_TYPE
from labgrader.autograde.verify import VERDICT_KEY, WRAP_AT, Award, VerifyAnswers, verdict_text
from labgrader.judging.judge import Verdict
from labgrader.judging.original_lab import majority_vote
from labgrader.reporting.feedback import StripHiddenTests, split_hidden_tests
from labgrader.sandbox.environment import grading_kernel_env
from tests.support.builders import recorded_payload

HIDDEN_LINE = 'check_answer("majority_vote", labels_from_majority_vote, hidden=True)'
TEST_SOURCE = (
    '"""Checks labels_from_majority_vote."""\n'
    'check_answer("majority_vote", labels_from_majority_vote)\n'
    f"### BEGIN HIDDEN TESTS\n{HIDDEN_LINE}\n### END HIDDEN TESTS"
)


def graded_test_cell(*outputs, grade_id="test_majority_vote"):
    cell = new_code_cell(TEST_SOURCE, outputs=list(outputs))
    cell.metadata["nbgrader"] = {
        "grade": True,
        "grade_id": grade_id,
        "locked": True,
        "points": 2.0,
        "solution": False,
        "schema_version": 3,
    }
    return cell


def answer_output(payload):
    return new_output("display_data", data={ANSWER_MIME_TYPE: payload, "text/plain": "(recorded)"})


def verify(cell):
    nb = nbformat.v4.new_notebook(cells=[cell])
    VerifyAnswers().preprocess(nb, {})
    return nb.cells[0]


def test_correct_answer_passes_whatever_the_kernel_printed(lab):
    payload = recorded_payload("majority_vote", majority_vote(lab.multiannotator_labels))
    cell = verify(
        graded_test_cell(
            answer_output(payload),
            new_output("error", ename="AssertionError", evalue="", traceback=[]),
        )
    )
    assert [o.output_type for o in cell.outputs] == ["stream"]
    assert cell.outputs[0].text.startswith("Passed (2 of 2 points)")
    assert cell.metadata[VERDICT_KEY]["passed"] is True


def test_wrong_answer_fails_even_if_the_kernel_says_it_passed(lab):
    payload = recorded_payload("majority_vote", lab.true_labels)
    cell = verify(
        graded_test_cell(
            answer_output(payload), new_output("stream", name="stdout", text="Passed!")
        )
    )
    (output,) = cell.outputs
    assert output.output_type == "error" and output.ename == "Failed"
    assert "not a most-voted class" in output.evalue
    assert cell.metadata[VERDICT_KEY]["passed"] is False


def test_no_record_explains_why():
    undefined = new_output(
        "error",
        ename="NameError",
        evalue="name 'labels_from_majority_vote' is not defined",
        traceback=[],
    )
    assert (
        "define labels_from_majority_vote" in verify(graded_test_cell(undefined)).outputs[0].evalue
    )
    timeout = new_output("error", ename="CellTimeoutError", evalue="", traceback=[])
    assert "time limit" in verify(graded_test_cell(timeout)).outputs[0].evalue
    assert "did not run" in verify(graded_test_cell()).outputs[0].evalue


def test_two_records_are_not_trusted(lab):
    payload = recorded_payload("majority_vote", lab.true_labels)
    cell = verify(graded_test_cell(answer_output(payload), answer_output(payload)))
    assert "more than one answer" in cell.outputs[0].evalue


def test_a_graders_change_starts_a_line_of_its_own_however_long_the_verdict():
    for words in range(1, 40):
        verdict = Verdict(False, " ".join(["because"] * words))
        text = verdict_text(verdict, Award(1.0, 2.0, by_grader=True, reason="explained well"))
        lines = text.splitlines()
        assert max(map(len, lines)) <= WRAP_AT
        assert "Your grader changed the score to 1 of 2 points: explained well" in lines, text


def test_cells_of_other_assignments_are_left_alone():
    untouched = graded_test_cell(
        new_output("stream", name="stdout", text="hi"), grade_id="test_something_else"
    )
    assert verify(untouched).outputs[0].text == "hi"


def test_split_hidden_tests():
    kept, hidden = split_hidden_tests(TEST_SOURCE)
    assert hidden == {HIDDEN_LINE}
    assert "hidden=True" not in kept and "HIDDEN TESTS" not in kept


def test_feedback_strips_hidden_tests_and_tracebacks_quoting_them():
    leaky = new_output(
        "error",
        ename="AssertionError",
        evalue="boom",
        traceback=["Traceback", f"----> 4 {HIDDEN_LINE}", "AssertionError: boom"],
    )
    printed = new_output("stream", name="stdout", text=f"ran {HIDDEN_LINE}\nok")
    nb = nbformat.v4.new_notebook(cells=[graded_test_cell(leaky, printed)])
    StripHiddenTests().preprocess(nb, {})
    text = nbformat.writes(nb)
    assert "hidden=True" not in text
    assert nb.cells[0].outputs[0].traceback == ["AssertionError: boom"]
    assert nb.cells[0].outputs[1].text == "ok"


def test_grading_kernels_get_a_safe_path_and_no_gradebook_secrets():
    env = grading_kernel_env(
        {
            "PATH": "/bin",
            "MULTIANNOTATOR_DB_URL": "postgresql+psycopg2://g:pw@h/gb",
            "PGPASSWORD": "pw",
            "PGHOST": "h",
        }
    )
    assert env == {"PATH": "/bin", "PYTHONSAFEPATH": "1"}
