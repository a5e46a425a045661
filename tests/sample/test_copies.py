"""The planted copies disguise the code and keep what it computes.

Each transformation is applied to every legitimate answer of the synthetic class; the copy
must differ as the transformation says, and, run on the lab's data after the notebook's
given cells, give the same answer variables as the original.
"""

import ast
import random

import numpy as np
import pandas as pd
import pytest

from labgrader.course.assignment import read_notebook
from labgrader.reporting.similarity import given_names, normalise
from labgrader.reporting.similarity_sources import released_code
from labgrader.sample.answer_cells import exercise2 as two
from labgrader.sample.answer_cells.solutions import SOLUTION
from labgrader.sample.copies import KINDS, independent, make_copy, renamable, reorder_statements
from labgrader.sample.similarity_class import METHODS
from tests.support.builders import RELEASE_DIR

# What an answer needs from an earlier answer cell that is not the instructor's.
EARLIER = {"from a frame": two.PP_AS_FRAME}
ANSWERS = [
    (notebook, part, name, code)
    for notebook, parts in METHODS.items()
    for part, methods in parts.items()
    for name, code in methods.items()
]


def _keep(notebook):
    return given_names([released_code(read_notebook(RELEASE_DIR / f"{notebook}.ipynb"))])


@pytest.mark.parametrize("kind", KINDS)
def test_each_transformation_changes_the_text_and_not_the_normalised_tokens(kind):
    unchanged = []
    for notebook, part, name, code in ANSWERS:
        keep = _keep(notebook)
        copy = make_copy(code, random.Random(0), (kind,), keep)
        compile(copy, "copy", "exec")
        if kind != "reordered":  # only moving statements changes the normalised code
            assert sorted(normalise(copy, keep)[0]) == sorted(normalise(code, keep)[0])
        if copy.strip() == code.strip():
            unchanged.append((part, name))
    body = {(p, n): ast.parse(c).body for _, p, n, c in ANSWERS}
    can_move = {k for k, b in body.items() if any(map(independent, b, b[1:]))}
    can_change = {
        "renamed": {(p, n) for nb, p, n, c in ANSWERS if renamable(c, _keep(nb))},
        "comments changed": set(body),
        "reordered": can_move,
        "reformatted": {k for k, b in body.items() if len(b) > 2},
    }[kind]
    assert can_change.isdisjoint(unchanged), f"{kind} left {sorted(can_change & set(unchanged))}"
    assert len(can_move) >= 5, "the class has statements to move"


def test_reordering_moves_only_independent_statements():
    code = "a = 1\nb = 2\nc = a + b\nlabels = []\nlabels.append(c)\nprint(c)\nprint(a)\n"
    seen = {reorder_statements(code, random.Random(seed)) for seed in range(30)}
    assert len(seen) > 2
    for version in seen:
        lines = version.splitlines()
        assert lines.index("c = a + b") > max(lines.index("a = 1"), lines.index("b = 2"))
        assert lines.index("labels.append(c)") > max(
            lines.index("labels = []"), lines.index("c = a + b")
        )
        assert lines[-2:] == ["print(c)", "print(a)"], "output order kept"


def _run_before(notebook: str, part: str) -> dict:
    """The namespace an answer cell sees: the release's code cells before it, earlier answer
    cells answered with the instructor's solutions, plots and tests left out."""
    namespace = {}
    for cell in read_notebook(RELEASE_DIR / f"{notebook}.ipynb").cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade_id") == part:
            return namespace
        if cell.cell_type != "code" or meta.get("grade") or "plot" in cell.source:
            continue
        source = SOLUTION[notebook].get(meta.get("grade_id"), cell.source)
        exec(compile(source, meta.get("grade_id", "given"), "exec"), namespace)  # noqa: S102
    raise KeyError(part)


def _same(a, b) -> bool:
    if isinstance(a, pd.DataFrame | pd.Series):
        return a.equals(b)
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True))
    except TypeError:
        return bool(np.array_equal(np.asarray(a), np.asarray(b)))


@pytest.mark.slow
def test_copies_compute_what_the_originals_compute(lab):
    by_part = {}
    for notebook, part, name, code in ANSWERS:
        if (notebook, part) not in by_part:
            by_part[(notebook, part)] = _run_before(notebook, part)
        before, keep = dict(by_part[(notebook, part)]), _keep(notebook)
        if name in EARLIER:
            exec(compile(EARLIER[name], "earlier", "exec"), before)  # noqa: S102
        original = dict(before)
        exec(compile(code, name, "exec"), original)  # noqa: S102
        answers = {k for k in keep if k in original and original[k] is not before.get(k)}
        assert answers, (part, name)
        for seed in range(2):
            copy = dict(before)
            exec(compile(make_copy(code, random.Random(seed), KINDS, keep), name, "exec"), copy)  # noqa: S102
            for variable in answers:
                assert _same(original[variable], copy[variable]), (part, name, variable)
