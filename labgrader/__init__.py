"""The multi-annotator lab's grader: nbgrader extensions, hidden checks, and grading at scale.

Instructors' side only: student code never needs it, and grading kernels cannot import it.
Its groups, each a subpackage, import one another in one direction only (the import
contract in ``pyproject.toml``, which the test suite checks), from the top:

- :mod:`labgrader.hub` and :mod:`labgrader.sample`: the course's JupyterHub; the bundled
  sample class, the synthetic cohort and the rules' calibration;
- :mod:`labgrader.fleet`: ``multiannotator-autograde``, on every core or a Dask cluster;
- :mod:`labgrader.reporting`: feedback, the Formgrader, the grade report, the export, grades
  into Canvas and Moodle, the similarity report;
- :mod:`labgrader.autograde`: the steps of ``nbgrader autograde``, from intake to scores;
- :mod:`labgrader.kernels` and :mod:`labgrader.judging`: the grading kernels; whether an
  answer is right, on the student's own dataset (which imports only ``helpers``);
- :mod:`labgrader.sandbox` and :mod:`labgrader.course`: confinement of student code; the
  course's folder, configuration, version and exchange.

The modules of the grader before it was grouped (``labgrader.execute``, ...) still import for
one term, with a warning naming their new place (:mod:`labgrader.course.renamed`).
"""

from labgrader.course import renamed

renamed.install()
