"""The similarity report's two files: ``similarity.csv`` (every pair) and ``similarity.html``.

The HTML page stands alone (its style is inline, it loads nothing, it runs no script), so it
opens offline and can be handed on as one file. It ranks the flagged pairs first, each with
both answers side by side and the matching code highlighted, then the closest pairs that were
not flagged, for comparison. Everything the students wrote is escaped.
"""

from __future__ import annotations

import csv
import html
from pathlib import Path

from copydetect.utils import highlight_overlap

from labgrader.reporting.similarity import Pair, PartResult, threshold_for

CSV_COLUMNS = ("student_a", "student_b", "notebook", "part", "score", "flagged")
UNFLAGGED_SHOWN = 30  # the closest pairs below their threshold, shown for comparison

NOT_A_VERDICT = (
    "This report points a person at pairs of submissions whose code is alike. It is never a "
    "verdict, and nothing in it changes a grade. Code can be alike for innocent reasons: "
    "students who worked through the same tutorial or library example, who were allowed to "
    "work together, or an answer so short that there is one natural way to write it. Read both "
    "answers, and the course's rules, before you speak to anyone; then talk with the students."
)

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1a1a1a; max-width: 90rem; }
.verdict { border-left: 4px solid #b35900; background: #fff4e5; padding: 0.75rem 1rem; }
table { border-collapse: collapse; } td, th { padding: 0.2rem 0.6rem; text-align: left; }
tr:nth-child(even) { background: #f3f3f3; }
details { border: 1px solid #ccc; margin: 0.75rem 0; padding: 0.5rem; }
summary { cursor: pointer; font-weight: 600; }
.side { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
pre { background: #fafafa; padding: 0.5rem; overflow-x: auto; font-size: 0.85rem; line-height: 1.5; }
mark { background: #ffe3ad; padding: 0.15em 0; }
"""


def write_csv(results: list[PartResult], path: Path) -> None:
    """Every pair of every part, most alike first within each part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for result in results:
            for pair in result.pairs:
                writer.writerow(
                    [pair.student_a, pair.student_b, pair.notebook, pair.part,
                     f"{pair.score:.3f}", "yes" if pair.flagged else "no"]
                )  # fmt: skip


def _highlighted(code: str, spans) -> str:
    if spans is None or len(spans) == 0 or len(spans[0]) == 0:
        return html.escape(code)
    marked, _ = highlight_overlap(code, spans, "<mark>", "</mark>", escape_html=True)
    return marked


def _pair_html(pair: Pair, threshold: float, open_: bool) -> str:
    spans = pair.matches if len(pair.matches) == 2 else (None, None)
    title = (
        f"{html.escape(pair.student_a)} and {html.escape(pair.student_b)}: "
        f"{html.escape(pair.notebook)}, {html.escape(pair.part)}, score {pair.score:.2f} "
        f"(flagged from {threshold:.2f})"
    )
    sides = "".join(
        f"<div><h4>{html.escape(student)}</h4><pre>{_highlighted(code, span)}</pre></div>"
        for student, code, span in zip(
            (pair.student_a, pair.student_b), pair.code, spans, strict=True
        )
    )
    return (
        f"<details{' open' if open_ else ''}><summary>{title}</summary>"
        f"<div class='side'>{sides}</div></details>"
    )


def write_html(
    results: list[PartResult], thresholds: dict, path: Path, students: int, skipped=()
) -> None:
    """The report page: what it is and is not, the flagged pairs, then the closest others."""
    limit = {(r.notebook, r.part): threshold_for(thresholds, r.notebook, r.part) for r in results}
    pairs = [pair for result in results for pair in result.pairs]
    flagged = sorted((p for p in pairs if p.flagged), key=lambda p: -p.score)
    others = sorted((p for p in pairs if not p.flagged and p.score > 0), key=lambda p: -p.score)
    rows = "".join(
        f"<tr><td>{html.escape(nb)}</td><td>{html.escape(part)}</td><td>{value:.2f}</td></tr>"
        for (nb, part), value in sorted(limit.items())
    )
    not_compared = "".join(
        f"<li>{html.escape(s.student)}, {html.escape(s.notebook)}: {html.escape(s.why)}</li>"
        for s in skipped
    )
    body = [
        "<h1>Similar code: a pointer for a person, never a verdict</h1>",
        f"<p class='verdict'>{html.escape(NOT_A_VERDICT)}</p>",
        f"<p>{students} students compared, every pair, answer cell by answer cell and whole "
        f"notebook by whole notebook. Code in the released notebooks, and code most of the class "
        f"wrote alike, is left out; short answers count for less. {len(flagged)} pairs reach "
        "their part's threshold.</p>",
        f"<h2>Flagged pairs ({len(flagged)})</h2>",
        *(_pair_html(p, limit[(p.notebook, p.part)], True) for p in flagged),
        "" if flagged else "<p>None.</p>",
        f"<h2>The closest pairs below their threshold (at most {UNFLAGGED_SHOWN})</h2>",
        *(_pair_html(p, limit[(p.notebook, p.part)], False) for p in others[:UNFLAGGED_SHOWN]),
        "<h2>Thresholds</h2><p>Measured on a synthetic class of independent answers and copies "
        "disguised by renaming, new comments, reordering and reformatting "
        "(<code>python -m benchmarks.similarity_thresholds</code>).</p>",
        f"<table><tr><th>notebook</th><th>part</th><th>flagged from</th></tr>{rows}</table>",
        f"<h2>Not compared</h2><ul>{not_compared}</ul>" if not_compared else "",
    ]
    page = (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>Similar code: a pointer, not a verdict</title>"
        f"<style>{STYLE}</style></head><body>{''.join(body)}</body></html>\n"
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
