"""nbgrader's Formgrader, offline and with a place for the reason of a changed score.

The server extension ``labgrader.reporting.formgrader`` stands in for
``nbgrader.server_extensions.formgrader`` (``make setup`` switches one off and
the other on in the grading environment). It is nbgrader's own Formgrader, with
two differences in the page it draws of a submission:

- MathJax comes from this server (the ``jupyter_server_mathjax`` package), not
  from a CDN: offline, as exam rooms often are, nbgrader's page stops at
  ``ReferenceError: MathJax is not defined`` and its keyboard shortcuts and help
  do nothing;
- every test cell has a comment box, as answer cells do: a grader who overrides
  an autograded score writes why, and :mod:`labgrader.reporting.feedback` hands it to the
  student. :mod:`labgrader.reporting.comments` makes the comment rows it saves into.
"""

from __future__ import annotations

from pathlib import Path

from jinja2 import DictLoader, FileSystemLoader, PrefixLoader
from jupyter_server.utils import url_path_join
from nbgrader.server_extensions.formgrader import handlers
from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension

TEMPLATES = Path(__file__).with_name("templates")
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # the configuration jupyter_server_mathjax ships

# Configured before MathJax.js loads; jupyter_server_mathjax ships the STIX-Web fonts only.
_MATHJAX_MACRO = """
{%- macro mathjax(url="URL") -%}
    <script>
    window.MathJax = {
        tex2jax: {inlineMath: [['$', '$'], ['\\\\(', '\\\\)']], processEscapes: true},
        "HTML-CSS": {availableFonts: [], preferredFont: null, webFont: "STIX-Web", imageFont: null},
        messageStyle: "none"
    };
    </script>
    <script src="{{ url }}"></script>
{%- endmacro %}
"""


def local_mathjax_url(base_url: str) -> str:
    """Where ``jupyter_server_mathjax`` serves MathJax on a server at ``base_url``."""
    return url_path_join(base_url, "static", "jupyter_server_mathjax", "MathJax.js") + (
        f"?config={MATHJAX_CONFIG}"
    )


def formgrade_loaders(base_url: str) -> list:
    """Jinja loaders that the Formgrader's exporter tries before nbgrader's own templates."""
    return [
        DictLoader({"mathjax.html.j2": _MATHJAX_MACRO.replace("URL", local_mathjax_url(base_url))}),
        FileSystemLoader(str(TEMPLATES)),
        PrefixLoader(
            {"nbgrader-formgrade": FileSystemLoader(handlers.template_path + "/formgrade")}
        ),
    ]


class LabFormgrader(FormgradeExtension):
    """nbgrader's Formgrader with the page of :mod:`labgrader.reporting.formgrader`."""

    def init_tornado_settings(self, webapp):
        super().init_tornado_settings(webapp)
        exporter = webapp.settings["nbgrader_exporter"]
        exporter.extra_loaders = formgrade_loaders(webapp.settings.get("base_url", "/"))


def load_jupyter_server_extension(nbapp):
    """Load the Formgrader (as nbgrader's own loader does, with :class:`LabFormgrader`)."""
    webapp = nbapp.web_app
    formgrader = LabFormgrader(parent=nbapp)
    formgrader.root_dir = nbapp.root_dir
    formgrader.log = nbapp.log
    formgrader.initialize([])
    formgrader.init_tornado_settings(webapp)
    formgrader.init_handlers(webapp)


_load_jupyter_server_extension = load_jupyter_server_extension


def _jupyter_server_extension_points():
    return [{"module": "labgrader.reporting.formgrader"}]
