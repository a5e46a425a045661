"""Feedback that teaches and does not leak: no hidden-test source, no tracebacks from it.

nbgrader's ``generate_feedback`` renders the autograded notebook, hidden tests
included (nbgrader issues #917 and #1363). This preprocessor runs first: it
cuts the hidden-test regions out of every cell and, in graded code cells,
removes every output line that quotes a hidden-test line. Error outputs keep
only their one-line message: a traceback would quote the test's source.
The verdicts written by :class:`helpers.grading.verify.VerifyAnswers` are
one-line messages already, so they reach the student as they are.
"""

from __future__ import annotations

from nbgrader import utils
from nbgrader.preprocessors import NbGraderPreprocessor

BEGIN_HIDDEN, END_HIDDEN = "BEGIN HIDDEN TESTS", "END HIDDEN TESTS"


def split_hidden_tests(source: str) -> tuple[str, set[str]]:
    """Return ``source`` without its hidden-test regions, and those regions' non-blank lines."""
    kept, hidden, inside = [], set(), False
    for line in source.split("\n"):
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif inside:
            if line.strip():
                hidden.add(line.strip())
        else:
            kept.append(line)
    return "\n".join(kept), hidden


def _scrub(text: str, hidden: set[str]) -> str:
    return "\n".join(line for line in text.split("\n") if not any(h in line for h in hidden))


def _without_hidden(output, hidden: set[str]):
    if output.output_type == "error":
        output.evalue = _scrub(str(output.get("evalue", "")), hidden)
        if (
            output.ename != "Failed"
        ):  # a verdict is already one line; other errors lose the traceback
            output.traceback = [f"{output.ename}: {output.evalue}"]
        output.traceback = [_scrub(line, hidden) for line in output.traceback]
    elif output.output_type == "stream":
        output.text = _scrub(output.text, hidden)
    for mime, value in output.get("data", {}).items():
        if isinstance(value, str):
            output.data[mime] = _scrub(value, hidden)
    return output


class StripHiddenTests(NbGraderPreprocessor):
    """Remove hidden tests, and anything quoting them, from the notebook a student sees."""

    def preprocess_cell(self, cell, resources, cell_index):
        cell.source, hidden = split_hidden_tests(cell.source)
        if cell.cell_type == "code" and utils.is_grade(cell):
            cell.outputs = [_without_hidden(output, hidden) for output in cell.outputs]
        return cell, resources
