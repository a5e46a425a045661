"""Copies of an answer cell, made as a student hides copying: the similarity report's planted copies.

Four transformations, each keeping what the code computes, and :func:`make_copy`, which
applies some or all of them:

- :func:`rename_variables`: every name the cell binds gets another (names the notebook
  gives or the tests read, in ``keep``, stay as they are);
- :func:`change_comments`: every comment removed, and other comments written in;
- :func:`reorder_statements`: neighbouring statements that do not depend on each other swapped;
- :func:`reformat`: the code printed again by :func:`ast.unparse` (other spacing, quotes,
  parentheses and line breaks), with blank lines between statements.

The measurement of the report's thresholds (``python -m benchmarks.similarity_thresholds``)
and its tests make their copies here; randomness comes from the ``random.Random`` passed in.
"""

from __future__ import annotations

import ast
import builtins
import io
import keyword
import random
import tokenize

NEW_NAMES = (
    "arr", "result", "tmp", "data", "values", "table", "out", "res", "mat", "acc",
    "buf", "items", "stats", "parts", "entry", "col", "idx", "val", "mask", "totals",
)  # fmt: skip
NEW_COMMENTS = (
    "# step one",
    "# work it out here",
    "# compute it",
    "# this does the main part",
    "# loop over the data",
    "# keep the result",
    "# see the lecture notes",
    "# TODO tidy up",
)
KINDS = ("renamed", "comments changed", "reordered", "reformatted")
ALL_FOUR = "all four"


def bound_names(tree: ast.AST) -> set[str]:
    """Names a piece of code binds: assignment and loop targets, arguments, imports, defs."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            names.add(node.name)
    return names


def _in_fstrings(tree: ast.AST) -> set[str]:
    return {
        name.id
        for node in ast.walk(tree)
        if isinstance(node, ast.JoinedStr)
        for name in ast.walk(node)
        if isinstance(name, ast.Name)
    }


def _not_renamed(tree: ast.AST) -> set[str]:
    """Names bound by imports, definitions and arguments, and names used inside f-strings."""
    names = set(_in_fstrings(tree))
    for node in ast.walk(tree):
        if isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef | ast.AsyncFunctionDef):
            names.add(node.name)
    return names


def renamable(code: str, keep: frozenset = frozenset()) -> list[str]:
    """The names :func:`rename_variables` renames in ``code``."""
    tree = ast.parse(code)
    fixed = set(keep) | set(dir(builtins)) | _not_renamed(tree)
    return sorted(n for n in bound_names(tree) - fixed if not keyword.iskeyword(n))


def rename_variables(code: str, rng: random.Random, keep: frozenset = frozenset()) -> str:
    """``code`` with each variable it binds renamed, except those in ``keep``.

    Only names bound by plain assignment, loops and comprehensions are renamed (not imports,
    functions, classes or arguments, whose names other code may call by keyword); a name used
    inside an f-string is left alone, since its position there is not reliable.
    """
    tree = ast.parse(code)
    fixed = set(keep) | set(dir(builtins)) | _not_renamed(tree)
    candidates = renamable(code, keep)
    taken = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)} | fixed
    mapping = {}
    for name in candidates:
        pool = [n for n in NEW_NAMES if n not in taken] or [f"{name}_{len(taken)}"]
        mapping[name] = rng.choice(pool)
        taken.add(mapping[name])
    lines = code.splitlines(keepends=True)
    spots = sorted(
        ((node.lineno, node.col_offset, node.id) for node in ast.walk(tree)
         if isinstance(node, ast.Name) and node.id in mapping),
        reverse=True,
    )  # fmt: skip
    for line, column, name in spots:  # from the end, so earlier positions stay valid
        text = lines[line - 1]
        assert text[column : column + len(name)] == name, (text, name)
        lines[line - 1] = text[:column] + mapping[name] + text[column + len(name) :]
    return "".join(lines)


def change_comments(code: str, rng: random.Random) -> str:
    """``code`` with its comments removed and about one statement in three given a new one."""
    lines = code.splitlines()
    cuts = {}
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            cuts[token.start[0]] = token.start[1]
    kept = {}
    for number, text in enumerate(lines, start=1):
        if number in cuts:
            text = text[: cuts[number]].rstrip()
            if not text.strip():
                continue  # a line that was only a comment
        kept[number] = text
    starts = sorted(
        {node.lineno for node in ast.walk(ast.parse(code)) if isinstance(node, ast.stmt)}
    )
    chosen = set(rng.sample(starts, max(1, len(starts) // 3))) if starts else set()
    out = []
    for number, text in kept.items():
        if number in chosen:
            indent = text[: len(text) - len(text.lstrip())]
            out.append(indent + rng.choice(NEW_COMMENTS))
        out.append(text)
    return "\n".join(out) + "\n"


MUTATING_METHODS = frozenset(
    ("append", "extend", "insert", "pop", "remove", "clear", "update", "setdefault", "sort",
     "add", "discard", "fill", "resize", "popitem", "reverse")
)  # fmt: skip


def _reads_and_writes(statement: ast.stmt) -> tuple[set, set]:
    reads, writes = set(), bound_names(statement)
    for node in ast.walk(statement):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            reads.add(node.id)
        changed = None  # x.append(...), x.sort(inplace=True), x[i] = ...: x is changed
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            inplace = any(k.arg == "inplace" for k in node.keywords)
            if node.func.attr in MUTATING_METHODS or inplace:
                changed = node.func.value
        if isinstance(node, ast.Subscript | ast.Attribute) and isinstance(node.ctx, ast.Store):
            changed = node.value
        if changed is not None:
            writes |= {n.id for n in ast.walk(changed) if isinstance(n, ast.Name)}
    return reads, writes


def independent(first: ast.stmt, second: ast.stmt) -> bool:
    """Whether two statements can run in either order with the same result.

    Conservative: a statement that prints, or that changes an object in place, depends on
    every statement that names that object.
    """
    reads1, writes1 = _reads_and_writes(first)
    reads2, writes2 = _reads_and_writes(second)
    printing = {"print", "display"} & (reads1 | reads2)
    return not (writes1 & (reads2 | writes2) or writes2 & reads1 or printing)


def _first_line(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", [])
    return min([statement.lineno, *(d.lineno for d in decorators)])


def reorder_statements(code: str, rng: random.Random) -> str:
    """``code`` with independent neighbouring top-level statements swapped (unchanged if none).

    Each statement moves with the comments and blank lines just above it.
    """
    body = ast.parse(code).body
    lines = code.splitlines()
    if any(_first_line(b) <= a.end_lineno for a, b in zip(body, body[1:], strict=False)):
        return code  # statements sharing a line (a; b): left as they are
    blocks, previous_end = [], 0
    for statement in body:
        blocks.append(lines[previous_end : statement.end_lineno])
        previous_end = statement.end_lineno
    order = list(range(len(body)))
    swappable = [i for i in range(len(body) - 1) if independent(body[i], body[i + 1])]
    chosen = set()
    for i in rng.sample(swappable, len(swappable)):  # at least one swap where any is possible
        if {i - 1, i, i + 1} & chosen or (chosen and rng.random() < 0.5):
            continue
        chosen.add(i)
    for i in chosen:
        order[i], order[i + 1] = order[i + 1], order[i]
    tail = lines[previous_end:]
    return "\n".join([line for i in order for line in blocks[i]] + tail) + "\n"


def reformat(code: str) -> str:
    """``code`` printed again from its syntax tree, a blank line between statements."""
    tree = ast.parse(code)
    return "\n\n".join(ast.unparse(statement) for statement in tree.body) + "\n"


def make_copy(code: str, rng: random.Random, kinds=KINDS, keep: frozenset = frozenset()) -> str:
    """A copy of ``code`` disguised by the transformations named in ``kinds`` (all by default)."""
    if "reformatted" in kinds:
        code = reformat(code)
    if "reordered" in kinds:
        code = reorder_statements(code, rng)
    if "renamed" in kinds:
        code = rename_variables(code, rng, keep)
    if "comments changed" in kinds:
        code = change_comments(code, rng)
    return code
