"""An LMS's CSV file, read and written back as the LMS wrote it: BOM, separator, line endings.

Canvas writes its gradebook export with a comma, or a semicolon where the instructor's
Canvas settings ask for one, and with a UTF-8 byte-order mark where they ask for that;
Moodle writes its grading worksheet with a comma and no mark. :func:`read_sheet` notes which,
and :func:`write_sheet` writes the same way, so the LMS reads its own file back; every cell
the lab does not fill is written as it was read.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path


class LmsFileError(ValueError):
    """An LMS file that cannot be used as it is, and what to do about it."""


@dataclass
class Sheet:
    """A CSV file: its header, every row after it as read, and how it was written."""

    path: Path
    header: list[str]
    rows: list[list[str]] = field(default_factory=list)
    bom: bool = False
    delimiter: str = ","
    newline: str = "\n"

    def column(self, name: str) -> int | None:
        """The index of the column named ``name``, or ``None``."""
        return self.header.index(name) if name in self.header else None

    def require(self, *names: str, what: str) -> None:
        missing = [name for name in names if name not in self.header]
        if missing:
            raise LmsFileError(
                f"{self.path} is not {what}: it has no column {', '.join(map(repr, missing))} "
                f"(its columns: {', '.join(self.header[:8])}{', ...' if len(self.header) > 8 else ''})"
            )

    def insert_column(self, index: int, name: str) -> None:
        self.header.insert(index, name)
        for row in self.rows:
            row.insert(index, "")

    def decimal_comma(self, cells) -> bool:
        """Whether any of these cells is a number written with a decimal comma (``18,00``)."""
        return any(re.fullmatch(r"-?\d+,\d+", cell.strip()) for cell in cells)


def read_sheet(path: Path) -> Sheet:
    """Read an LMS's CSV file; a clear :class:`LmsFileError` if it cannot be."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise LmsFileError(f"cannot read {path}: {error.strerror}") from error
    bom = raw.startswith(codecs.BOM_UTF8)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise LmsFileError(
            f"{path} is not UTF-8 text (byte {error.start}): download it again from the LMS, or "
            "save it from your spreadsheet as 'CSV UTF-8'"
        ) from error
    if not text.strip():
        raise LmsFileError(f"{path} is empty")
    first_line = text.splitlines()[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header, body = rows[0], [row for row in rows[1:] if any(cell.strip() for cell in row)]
    for number, row in enumerate(body, start=2):
        if len(row) > len(header):
            raise LmsFileError(
                f"{path}: line {number} has {len(row)} cells for {len(header)} columns (a comma "
                "in a cell that lost its quotes?)"
            )
        row.extend([""] * (len(header) - len(row)))
    newline = "\r\n" if "\r\n" in text else "\n"
    return Sheet(path, header, body, bom, delimiter, newline)


def write_sheet(sheet: Sheet, path: Path) -> Path:
    """Write ``sheet`` to ``path`` as the LMS wrote it (never over the file it was read from)."""
    path = Path(path)
    if path.exists() and path.resolve() == Path(sheet.path).resolve():
        raise LmsFileError(f"will not write over the LMS's own file {path}: name another")
    path.parent.mkdir(parents=True, exist_ok=True)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=sheet.delimiter, lineterminator=sheet.newline)
    writer.writerow(sheet.header)
    writer.writerows(sheet.rows)
    path.write_bytes((codecs.BOM_UTF8 if sheet.bom else b"") + out.getvalue().encode("utf-8"))
    return path


def format_number(value: float, decimal_comma: bool = False) -> str:
    """``value`` with two decimals, as both LMSes write points (``9.50``, or ``9,50``)."""
    text = f"{value:.2f}"
    return text.replace(".", ",") if decimal_comma else text


def parse_number(text: str) -> float | None:
    """A number as an LMS writes it (``18.00``, ``18,00``), or ``None``."""
    text = text.strip().replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


@dataclass(frozen=True)
class Target:
    """A column the lab's grades go into: the total, or one notebook's."""

    column: int
    name: str
    notebook: str | None = None  # None: the assignment's total
    new: bool = False  # added to the file; the LMS creates it on import


class LmsFormat:
    """What one LMS's file looks like; :mod:`~labgrader.reporting.canvas` and
    :mod:`~labgrader.reporting.moodle` fill it in."""

    name = ""
    import_file = ""  # the file written for the LMS's import, in reports/
    default_match = ""

    def check(self, sheet: Sheet) -> None:
        """Raise :class:`LmsFileError` unless ``sheet`` is this LMS's file."""

    def student_rows(self, sheet: Sheet) -> list[int]:
        """The indices of the rows that are students."""
        raise NotImplementedError

    def display(self, sheet: Sheet, row: int) -> str:
        """How a person recognises the row: name and key (never used to match)."""
        raise NotImplementedError

    def names(self, sheet: Sheet, row: int) -> dict:
        """``first_name``, ``last_name``, ``email``, ``lms_user_id`` the row gives (if any)."""
        raise NotImplementedError

    def targets(self, sheet: Sheet, columns: list, notebooks: dict, assignment: str) -> list:
        """The :class:`Target` columns, added to ``sheet`` where new; ``notebooks`` maps each
        notebook (and ``None``, the total) to its points."""
        raise NotImplementedError

    def points_possible(self, sheet: Sheet, target: Target, row: int) -> float | None:
        raise NotImplementedError

    def refuses(self, sheet: Sheet, target: Target, row: int) -> str | None:
        """Why this cell must not be written (the LMS says so), or ``None``."""
        return None

    def decimal_comma(self, sheet: Sheet) -> bool:
        """Whether the file writes its points with a decimal comma (``18,00``)."""
        return False

    def rejects(self, value: float, possible: float | None) -> str | None:
        """Why the LMS's import would skip this grade, or ``None``."""
        return None
