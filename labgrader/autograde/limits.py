"""Keep graded notebooks and feedback small whatever a student prints, and their images described.

nbgrader's ``LimitOutput`` counts lines, so a single 5 MB line, a huge HTML
table or an enormous image passes through it into the autograded notebook and
the feedback page. :class:`LimitOutputSize` cuts every text output of a code
cell to at most ``max_chars`` characters per MIME type and drops images larger
than ``max_image_bytes``, saying what it removed; an image is never cut as if it
were text (half a PNG is no picture).

:class:`DescribeImages` gives every image an alternative text, so that the
feedback page and the Formgrader say what a plot shows to readers who cannot
see it (and nbconvert has nothing to warn about).
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
                if not isinstance(value, str):
                    continue
                if not _is_image(mime):
                    data[mime] = _cut(value, self.max_chars)
                elif len(value) > self.max_image_bytes:
                    del data[mime]
                    data["text/plain"] = (
                        f"[{mime} image of {len(value):,} bytes removed by the autograder]"
                    )
        return cell, resources


def _is_image(mime: str) -> bool:
    return mime.startswith("image/") and mime != "image/svg+xml"  # SVG is text, cut as text


#: The alternative text of an image that a student's own code draws (its cell has no ``alt``).
UNDESCRIBED_IMAGE = "A picture drawn by the code of this cell"


class DescribeImages(NbGraderPreprocessor):
    """Give every image output an alternative text: the cell's ``alt`` metadata, or a plain one.

    The lab's plot cells carry an ``alt`` in their metadata that says what the plot
    shows; an image a student's own code draws gets :data:`UNDESCRIBED_IMAGE`.
    """

    def preprocess_cell(self, cell, resources, cell_index):
        description = cell.get("metadata", {}).get("alt") or UNDESCRIBED_IMAGE
        for output in cell.get("outputs", []):
            for mime in output.get("data", {}):
                if mime.startswith("image/"):
                    metadata = output.setdefault("metadata", {}).setdefault(mime, {})
                    metadata.setdefault("alt", description)
        return cell, resources
