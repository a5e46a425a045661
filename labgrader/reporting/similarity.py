"""How alike two students' code is, part by part: copydetect's winnowing on normalised code.

Each answer is normalised first (:func:`normalise`): comments, blank lines and spacing go,
every name the student chose becomes ``V``, and what the student did not choose stays as it
is (attributes and methods, keyword arguments, builtins, and the names the notebook gives,
:func:`given_names`); each token becomes one character, so lengths count tokens. Renaming
variables, rewriting comments and reformatting so change nothing; moving a statement breaks
only the matches that run across it. copydetect then fingerprints the normalised code
(k-grams of :data:`NOISE` tokens, every one kept) and
:func:`compare_class` compares every pair of a class's answers to one part, leaving out:

- the released notebook's code (the boilerplate every student starts from);
- code that most of the class wrote alike (:data:`COMMON_SHARE`): the same library call
  written the same way is not a sign of copying.

A pair's score is the larger of the two shares of each answer's code found in the other,
weighed down when the code they share is short (:func:`weight`): a one-line ``argmax`` that
everyone writes alike scores low however alike it is. A pair is flagged when its score
reaches the part's threshold, measured on a synthetic class
(``python -m benchmarks.similarity_thresholds``, kept in ``similarity_thresholds.json``).
"""

from __future__ import annotations

import builtins
import io
import itertools
import json
import keyword
import tokenize
import zlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from copydetect.detector import CodeFingerprint, compare_files
from copydetect.utils import filter_code

NOISE = 6
"""The shortest run of tokens that counts as a match (copydetect's k, its noise threshold)."""
SUBSTANTIAL = 40
"""Tokens two answers must share for their score to count in full (a one-line answer has ~10)."""
COMMON_SHARE = 0.5
"""Code found in more than this share of a class's answers (and in 5 or more) is everyone's."""
COMMON_MIN = 5
WHOLE_NOTEBOOK = "whole notebook"
TOKEN_CHARACTERS = 0xF0000  # Unicode's private use area A: one character per token
THRESHOLDS_FILE = Path(__file__).with_name("similarity_thresholds.json")


def given_names(codes) -> frozenset:
    """Names the students do not choose: every name in ``codes`` (the released notebook's code)."""
    names = set(dir(builtins))
    for code in codes:
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
        except (tokenize.TokenError, SyntaxError):
            continue
        names |= {token.string for token in tokens if token.type == tokenize.NAME}
    return frozenset(names)


def _imported(tokens) -> set[str]:
    """Names brought in by ``import`` lines: library names, not the student's choice."""
    names, importing = set(), False
    for token in tokens:
        if token.type == tokenize.NAME and token.string in ("import", "from"):
            importing = True
        elif token.type in (tokenize.NEWLINE, tokenize.ENDMARKER):
            importing = False
        elif importing and token.type == tokenize.NAME and token.string != "as":
            names.add(token.string)
    return names


def _next_significant(tokens: list, index: int) -> str:
    """The next token after ``index`` that is not a comment or a line break inside brackets."""
    for token in tokens[index + 1 :]:
        if token.type not in (tokenize.COMMENT, tokenize.NL):
            return token.string
    return ""


def normalise(code: str, keep: frozenset = frozenset()) -> tuple[str, np.ndarray]:
    """``code`` normalised, and offsets back to it in copydetect's form.

    Every ``NAME`` that is not a keyword, an attribute, a keyword argument, an imported name or
    in ``keep`` becomes ``V``; strings take double quotes; each logical line ends with ``;``;
    comments, trailing commas and layout go. Code that does not tokenize falls back to copydetect's own filter.
    """
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError):
        return filter_code(code, "answer.py", "python")
    line_starts = [0]
    for line in code.splitlines(keepends=True):
        line_starts.append(line_starts[-1] + len(line))
    fixed = set(keep) | _imported(tokens)
    parts, offsets = [], [[0, 0]]
    length = removed = position = depth = 0
    for index, token in enumerate(tokens):
        start = line_starts[token.start[0] - 1] + token.start[1]
        end = line_starts[token.end[0] - 1] + token.end[1]
        if start > position:  # spacing between tokens
            offsets.append([length - 1, removed])
            removed += start - position
        text = token.string
        after = tokens[index + 1].string if index + 1 < len(tokens) else ""
        before = tokens[index - 1].string if index else ""
        if token.type == tokenize.NAME:
            keyword_argument = depth > 0 and after == "="
            if not (keyword.iskeyword(text) or before == "." or keyword_argument or text in fixed):
                text = "V"
        elif token.type == tokenize.OP:
            depth += text in "([{"
            depth -= text in ")]}"
            if text == "," and _next_significant(tokens, index) in (")", "]", "}"):
                text = ""  # a trailing comma is layout: a formatter adds or drops it
        elif token.type == tokenize.STRING:
            text = text.replace("'", '"')
        elif token.type == tokenize.NEWLINE:
            text = ";"
        elif token.type in (tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT):
            text = ""
        text = _one_character(text)
        parts.append(text)
        length += len(text)
        if len(text) != end - start:
            offsets.append([length - 1, removed])
            removed += (end - start) - len(text)
        position = max(position, end)
    offsets.append([length, removed])  # so that a match at the very end maps back whole
    return "".join(parts), np.array(offsets)


def _one_character(token: str) -> str:
    """Each token as one character, so that lengths count tokens, not letters."""
    if len(token) <= 1:
        return token
    return chr(TOKEN_CHARACTERS + zlib.crc32(token.encode()) % 0xFFFD)


def fingerprint(code: str, keep: frozenset, boilerplate=()) -> CodeFingerprint:
    """copydetect's fingerprint of normalised ``code``, ``boilerplate`` hashes left out."""
    normalised, offsets = normalise(code, keep)
    excluded = np.array(sorted(boilerplate), dtype=np.int64)
    result = CodeFingerprint(
        "answer.py", NOISE, 1, boilerplate=excluded, filter=False, fp=io.StringIO(normalised)
    )
    result.raw_code, result.offsets = code, offsets  # matches are shown in the code as written
    return result


def weight(shared: float) -> float:
    """How much a score counts when two answers share ``shared`` tokens.

    Nothing at :data:`NOISE` (the shortest match), in full from :data:`SUBSTANTIAL` on.
    """
    return float(np.clip((shared - NOISE) / (SUBSTANTIAL - NOISE), 0.0, 1.0))


@dataclass
class Pair:
    """Two students' answers to one part, how alike they are, and where."""

    student_a: str
    student_b: str
    notebook: str
    part: str
    score: float
    flagged: bool = False
    shared: int = 0  # tokens the two have in common
    code: tuple = ("", "")  # each answer as written
    matches: tuple = field(default=(), repr=False)  # each answer's matching spans (copydetect's)


@dataclass
class PartResult:
    """Every pair of a class's answers to one part, and what was left out as everyone's."""

    notebook: str
    part: str
    pairs: list
    common: int  # fingerprints left out because most of the class wrote them
    lengths: dict  # student -> tokens of their own (not boilerplate, not everyone's)


def compare_class(
    answers: dict[str, str],
    notebook: str,
    part: str,
    released_code: str = "",
    keep: frozenset = frozenset(),
    threshold: float = 1.0,
) -> PartResult:
    """Compare every pair of ``answers`` (student -> code) to one part of one notebook.

    ``released_code`` is what every student was given (left out); ``keep`` the names they
    did not choose. Pairs are returned most alike first.
    """
    release = set(fingerprint(released_code, keep).hashes) if released_code.strip() else set()
    first = {student: fingerprint(code, keep, release) for student, code in answers.items()}
    counts = Counter(h for print_ in first.values() for h in print_.hashes)
    common = {h for h, n in counts.items() if n >= COMMON_MIN and n > COMMON_SHARE * len(first)}
    prints = (
        {s: fingerprint(answers[s], keep, release | common) for s in answers} if common else first
    )
    pairs = []
    for a, b in itertools.combinations(sorted(prints), 2):
        shared, similarity, matches = compare_files(prints[a], prints[b])
        score = round(max(similarity) * weight(shared), 3) if shared else 0.0
        pairs.append(
            Pair(a, b, notebook, part, score, score >= threshold, int(shared),
                 (answers[a], answers[b]), matches)
        )  # fmt: skip
    pairs.sort(key=lambda pair: (-pair.score, pair.student_a, pair.student_b))
    lengths = {s: int(p.token_coverage) for s, p in prints.items()}
    return PartResult(notebook, part, pairs, len(common), lengths)


def load_thresholds(path: Path = THRESHOLDS_FILE) -> dict:
    """The measured threshold of each part, by notebook then part (``whole notebook`` too)."""
    return json.loads(Path(path).read_text())["thresholds"]


def threshold_for(thresholds: dict, notebook: str, part: str) -> float:
    """The threshold of one part in :func:`load_thresholds`' table, or its default."""
    return thresholds.get(notebook, {}).get(part, thresholds.get("default", 1.0))
