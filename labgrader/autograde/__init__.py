"""Autograding: nbgrader's ``autograde`` with the steps of this course, from intake to scores.

The steps run in the order nbgrader runs them (``nbgrader_config.py`` names them):
:mod:`~labgrader.autograde.exporter` reads each submitted notebook tolerantly
(:mod:`~labgrader.autograde.intake`: one broken file costs only itself) and times each step
(:mod:`~labgrader.autograde.timings`); :mod:`~labgrader.autograde.integrity` puts locked
cells back and notes real edits; :mod:`~labgrader.autograde.execute` runs the notebook in a
sandboxed, warm kernel within its time budget; :mod:`~labgrader.autograde.verify` judges
every recorded answer in the grader's process (:mod:`labgrader.judging`);
:mod:`~labgrader.autograde.limits` keeps outputs small and images described; and
:mod:`~labgrader.autograde.gradebook` opens nbgrader's gradebook without needless work.
This group imports :mod:`labgrader.judging`, :mod:`labgrader.kernels` and
:mod:`labgrader.sandbox`, never the other way round.
"""
