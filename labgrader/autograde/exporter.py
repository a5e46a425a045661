"""The exporter ``nbgrader autograde`` reads, runs and writes each notebook with.

:class:`GradingNotebookExporter` (set as ``Autograde.exporter_class``) reads submissions
tolerantly (:mod:`~labgrader.autograde.intake`), times each step
(:mod:`~labgrader.autograde.timings`), and is made before the first student, which is when
the sandbox is checked (:meth:`~labgrader.autograde.confinement.SandboxedKernels.preflight`).
Every grading process imports this module (``nbgrader_config.py`` names it): from then on it
opens the gradebook without asking the database to create tables that are all there
(:mod:`~labgrader.autograde.gradebook`).
"""

from __future__ import annotations

from traitlets import Bool

from labgrader.autograde import gradebook
from labgrader.autograde.execute import GradingExecute
from labgrader.autograde.intake import TolerantNotebookExporter
from labgrader.autograde.timings import TimedPreprocessing


class GradingNotebookExporter(TimedPreprocessing, TolerantNotebookExporter):
    """Autograde's exporter: tolerant reading, timed steps, the sandbox checked first.

    It validates each notebook once per pass, after the last step, not after every one:
    nbconvert's default validates it sixteen times per notebook, which changes nothing here.
    """

    optimistic_validation = Bool(True).tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        GradingExecute(parent=self).preflight()


gradebook.install()
