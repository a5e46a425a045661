"""Keep graded notebooks and feedback small whatever a student prints.

nbgrader's ``LimitOutput`` counts lines, so a single 5 MB line, a huge HTML
table or an enormous image passes through it into the autograded notebook and
the feedback page. :class:`LimitOutputSize` cuts every output of a code cell to
at most ``max_chars`` characters of text per MIME type and drops images larger
than ``max_image_bytes``, saying what it removed.
"""

from __future__ import annotations

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return (
        text[:limit]
        + f"\n... output truncated by the autograder: {len(text):,} characters in all ...\n"
    )


class LimitOutputSize(NbGraderPreprocessor):
    """Truncate oversized outputs of code cells."""

    max_chars = Integer(100_000, help="Characters kept of each text output.").tag(config=True)
    max_image_bytes = Integer(2_000_000, help="Largest image (base64 text) kept.").tag(config=True)

    def preprocess_cell(self, cell, resources, cell_index):
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                output.text = _cut(output.text, self.max_chars)
            if output.output_type == "error":
                output.evalue = _cut(str(output.get("evalue", "")), self.max_chars)
                output.traceback = [
                    _cut(line, self.max_chars) for line in output.get("traceback", [])
                ]
            data = output.get("data", {})
            for mime in list(data):
                value = data[mime]
                if (
                    mime.startswith("image/")
                    and isinstance(value, str)
                    and len(value) > self.max_image_bytes
                ):
                    del data[mime]
                    data["text/plain"] = (
                        f"[{mime} image of {len(value):,} bytes removed by the autograder]"
                    )
                elif isinstance(value, str):
                    data[mime] = _cut(value, self.max_chars)
        return cell, resources
