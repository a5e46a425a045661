"""How a synthetic student tampers with the files it hands in (for :mod:`labgrader.sample.cohort`).

Each function returns a ``tamper(files)`` that edits ``{file name: notebook | str | bytes}``
in place: a test cell edited, deleted or tagged, nbgrader metadata changed, keys the notebook
format forbids, a notebook cut in half, removed or renamed, a file added beside the notebooks.
"""

from __future__ import annotations

import json

import nbformat


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def edit_test_cell(notebook, grade_id, source):
    def tamper(files):
        _cell(files[f"{notebook}.ipynb"], grade_id).source = source

    return tamper


def delete_cell(notebook, grade_id):
    def tamper(files):
        nb = files[f"{notebook}.ipynb"]
        nb.cells.remove(_cell(nb, grade_id))

    return tamper


def tag_cell(notebook, grade_id, tag):
    def tamper(files):
        _cell(files[f"{notebook}.ipynb"], grade_id).metadata.setdefault("tags", []).append(tag)

    return tamper


def set_nbgrader_metadata(notebook, grade_id, key, value):
    def tamper(files):
        _cell(files[f"{notebook}.ipynb"], grade_id).metadata.nbgrader[key] = value

    return tamper


def add_keys_the_format_forbids(notebook):
    """Markdown cells with ``outputs`` and ``execution_count``, as some editors and scripts write."""

    def tamper(files):
        nb = json.loads(nbformat.writes(files[f"{notebook}.ipynb"]))
        for cell in nb["cells"]:
            if cell["cell_type"] == "markdown":
                cell.update(outputs=[], execution_count=None)
        files[f"{notebook}.ipynb"] = json.dumps(nb, indent=1)

    return tamper


def truncate_json(notebook):
    def tamper(files):
        text = nbformat.writes(files[f"{notebook}.ipynb"])
        files[f"{notebook}.ipynb"] = text[: len(text) // 2]

    return tamper


def remove_file(notebook):
    def tamper(files):
        del files[f"{notebook}.ipynb"]

    return tamper


def rename_file(notebook, new_name):
    def tamper(files):
        files[new_name] = files.pop(f"{notebook}.ipynb")

    return tamper


def add_file(name, make_text):
    """Add a file beside the notebooks; its text is made when the cohort is written."""

    def tamper(files):
        files[name] = make_text()

    return tamper
