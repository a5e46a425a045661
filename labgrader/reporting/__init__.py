"""Reporting: what students, graders and the records get back from grading.

:mod:`~labgrader.reporting.feedback` makes the feedback page teach without leaking hidden
tests, and shows the points the gradebook holds, a grader's override and its reason
included; :mod:`~labgrader.reporting.comments` gives every test cell a comment for that
reason; :mod:`~labgrader.reporting.formgrader` is nbgrader's Formgrader, offline and with
those comment boxes; :mod:`~labgrader.reporting.export` is ``nbgrader export`` with the
graders' comments; :mod:`~labgrader.reporting.report` is the grade report that loses
nobody (``multiannotator-grade-report``), which also fills the lab's column of an LMS's own
file (:mod:`~labgrader.reporting.lms_export`, with :mod:`~labgrader.reporting.canvas` and
:mod:`~labgrader.reporting.moodle`; as ``nbgrader export`` plugins in
:mod:`~labgrader.reporting.lms_plugins`); :mod:`~labgrader.reporting.similarity` finds code
alike between students for a person to read (``multiannotator-similarity``). This group
reads what :mod:`labgrader.autograde` recorded, and imports nothing above it.
"""
