"""Sphinx configuration of the multi-annotator lab's manual (``make docs``).

The manual is built offline: Markdown pages (MyST), the furo theme as installed from PyPI (its
fonts are the reader's own, nothing is fetched), the API reference from the docstrings of
``helpers`` and ``labgrader`` as installed in ``.venv`` (no path is added here), and the
architecture diagram drawn by Graphviz's ``dot`` into SVG. Every cross-reference must resolve
(``nitpicky``): only other packages' objects, which this manual does not document, are let go.
"""

import inspect
import os
import re
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

project = "Dataset curation with multiple annotators"
author = "The course team"
copyright = "the course team"
release = metadata.version("multiannotator-lab-grader")  # the grader as installed in .venv

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.graphviz",
]

source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

# Markdown: ::: fences for directives, definition lists, and anchors for headings down to ###,
# so that links such as grading.md#the-grade-report work here as they do on GitHub.
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

# The API reference: NumPy-style docstrings, members in the order of the source.
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
# A method that overrides nbgrader's or nbconvert's without a docstring of its own is left out,
# rather than shown with theirs.
autodoc_inherit_docstrings = False
napoleon_google_docstring = False
napoleon_numpy_docstring = True
# "int, default 3", "{'first_seen', 'model'}", "Path": literals and links, not class names.
napoleon_preprocess_types = True
napoleon_type_aliases = {"Path": "pathlib.Path"}

graphviz_output_format = "svg"

# Nothing a page loads comes from the network: furo uses the reader's own fonts and ships its
# scripts and styles into _static/; formulas, which would need MathJax from a CDN, are refused
# (_no_math, below). No "view source" or "edit this page" buttons: they need the repository's
# address, and the sources are in docs/ anyway.
html_theme = "furo"
html_title = "Multi-annotator lab"
html_theme_options = {"top_of_page_buttons": []}
html_show_sourcelink = False

# A broken cross-reference is a warning, and -W (make docs) makes it an error.
nitpicky = True

# Objects of other packages, which this manual does not document: the standard library, the
# scientific stack, Jupyter's and nbgrader's, Dask's and SQLAlchemy's; and the words NumPy-style
# docstrings use for types ("optional", "callable", "array-like", ...). Never one of our own.
_EXTERNAL_PACKAGES = [
    # the standard library
    "argparse",
    "asyncio",
    "collections",
    "concurrent",
    "contextlib",
    "dataclasses",
    "datetime",
    "enum",
    "importlib",
    "io",
    "json",
    "logging",
    "multiprocessing",
    "os",
    "pathlib",
    "re",
    "socket",
    "sqlite3",
    "subprocess",
    "threading",
    "types",
    "typing",
    # the stack
    "numpy",
    "np",
    "pandas",
    "pd",
    "scipy",
    "sklearn",
    "cleanlab",
    "matplotlib",
    "IPython",
    # Jupyter, nbgrader, Dask, the databases
    "nbgrader",
    "nbformat",
    "nbconvert",
    "nbclient",
    "jupyter_client",
    "jupyter_server",
    "jupyterhub",
    "traitlets",
    "tornado",
    "zmq",
    "distributed",
    "dask",
    "sqlalchemy",
    "psycopg2",
]
_EXTERNAL_NAMES = [
    # builtins and the words of NumPy-style types
    "optional",
    "callable",
    "array-like",
    "array_like",
    "file",
    "iterable",
    "mapping",
    "sequence",
]
nitpick_ignore_regex = [
    # traitlets' alias of typing, in the signature of every configurable class
    (r"py:class", r"t\.Any"),
    # what Sphinx 9 names the arguments of a ``Callable[[...], ...]`` it cannot evaluate
    (r"py:class", r"TypeAliasForwardRef"),
    (r"py:.*", rf"({'|'.join(re.escape(name) for name in _EXTERNAL_PACKAGES)})(\..+)?"),
    (r"py:.*", rf"({'|'.join(re.escape(name) for name in _EXTERNAL_NAMES)})"),
]


_ATTRIBUTES = ("attribute", "data", "property")
_attribute_docstrings: dict[str, list[str]] = {}


def _keep_attribute_docstring(app, what, name, obj, options, lines):
    """Before napoleon: keep the docstring of a module constant, a trait or a property as is.

    Napoleon reads the first line of such a docstring as ``type: description``, but ours are
    prose ("Seed of the lab's dataset: every number ..."), never a type.
    """
    if what in _ATTRIBUTES:
        _attribute_docstrings[name] = list(lines)


def _restore_attribute_docstring(app, what, name, obj, options, lines):
    """After napoleon: put back what :func:`_keep_attribute_docstring` kept."""
    if what in _ATTRIBUTES and name in _attribute_docstrings:
        lines[:] = _attribute_docstrings.pop(name)


def _only_our_own(app, what, name, obj, skip, options):
    """Leave out methods that other packages add to our classes (matplotlib's ``Artist.set``)."""
    module = getattr(obj, "__module__", None) or ""
    if inspect.isroutine(obj) and module and not module.startswith(("helpers", "labgrader")):
        return True
    return None


DOCS = Path(__file__).resolve().parent


class FilesBesideTheManual(SphinxTransform):
    """A link from a page to a Markdown file of the repository outside ``docs/``.

    ``[the measurements](../benchmarks/README.md)`` works on GitHub as it is. MyST takes every
    ``.md`` path for a page of this manual; this one is not, so here the link becomes a copy of
    the file to download, as MyST makes of links to any other file (``results.csv``). A link to
    a file that does not exist is left alone, and fails the build.
    """

    default_priority = 800  # before the doctree-read event (880), which collects downloads

    def apply(self):
        for node in list(self.document.findall(addnodes.pending_xref)):
            if node.get("reftype") != "myst" or node.get("refdomain") != "doc":
                continue
            target = Path(node["reftarget"] + ".md")
            if not target.is_absolute() or DOCS in target.parents or not target.is_file():
                continue
            page_folder = Path(self.env.srcdir, node["refdoc"]).parent
            link = addnodes.download_reference(
                "",
                "",
                *node.children,
                reftarget=os.path.relpath(target, page_folder),
                refdoc=node["refdoc"],
                reftype="myst",
                refexplicit=True,
                classes=["xref", "download", "myst"],
            )
            node.replace_self(link)


def _no_math(app, doctree, docname):
    """Warn of any formula: Sphinx would draw it with MathJax, fetched from a CDN when read."""
    for node in doctree.findall(lambda n: isinstance(n, nodes.math | nodes.math_block)):
        logging.getLogger(__name__).warning(
            "a formula needs MathJax, which the manual would fetch from a CDN: write it as text",
            location=node,
        )


def setup(app):
    app.connect("doctree-resolved", _no_math)
    app.add_transform(FilesBesideTheManual)
    # Around napoleon, which listens at the default priority, 500.
    app.connect("autodoc-process-docstring", _keep_attribute_docstring, priority=400)
    app.connect("autodoc-process-docstring", _restore_attribute_docstring, priority=600)
    app.connect("autodoc-skip-member", _only_our_own)
