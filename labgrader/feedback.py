"""Feedback that teaches and does not leak: no hidden-test source, no tracebacks from it.

nbgrader's ``generate_feedback`` renders the autograded notebook, hidden tests
included (nbgrader issues #917 and #1363). This preprocessor runs first: it
cuts the hidden-test regions out of every cell and, in graded code cells,
removes every output line that quotes a hidden-test line. Error outputs keep
only their one-line message: a traceback would quote the test's source.
The verdicts written by :class:`labgrader.verify.VerifyAnswers` are
one-line messages already, so they reach the student as they are, and a table
at the top of the page sums them up: each part, its points, and why it failed.
"""

from __future__ import annotations

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_markdown_cell
from nbgrader import utils
from traitlets import Bool

from helpers.parts import PARTS
from labgrader.verify import VERDICT_KEY

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


def summary_table(nb) -> str | None:
    """Markdown table of the autograded parts of ``nb``, from the grader's verdicts."""
    rows = []
    for cell in nb.cells:
        verdict = cell.metadata.get(VERDICT_KEY)
        if not verdict or verdict.get("part") not in PARTS:
            continue
        points = float(cell.metadata["nbgrader"].get("points", 0))
        part = PARTS[verdict["part"]]
        names = ", ".join(f"`{name}`" for name, _ in part.answers)
        result = (
            "passed" if verdict["passed"] else "failed: " + verdict["message"].replace("|", "\\|")
        )
        score = points if verdict["passed"] else 0
        rows.append(f"| {part.title} ({names}) | {score:g} of {points:g} | {result} |")
    if not rows:
        return None
    return (
        "### Your autograded results\n\n| part | points | result |\n| --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n\nWritten answers are graded by hand; their points appear beside them below."
    )


class StripHiddenTests(Preprocessor):
    """Remove hidden tests, and anything quoting them, from the notebook a student sees.

    Based on nbconvert's ``Preprocessor``, not nbgrader's: the HTML exporter configures
    ``display_data_priority``, which ``NbGraderPreprocessor`` redeclares as not configurable.
    """

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        nb, resources = super().preprocess(nb, resources)
        table = summary_table(nb)
        if table:
            summary = new_markdown_cell(table)
            summary.id = "autograded-results"
            nb.cells.insert(0, summary)
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        cell.source, hidden = split_hidden_tests(cell.source)
        if cell.cell_type == "code" and utils.is_grade(cell):
            cell.outputs = [_without_hidden(output, hidden) for output in cell.outputs]
        return cell, resources
