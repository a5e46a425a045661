"""The multi-annotator lab's grader: nbgrader extensions, hidden checks and their reference.

Instructors' side only: student code never needs it, and grading kernels
cannot import it. :mod:`labgrader.parts` and :mod:`labgrader.reference` judge
the answers that :mod:`helpers.checks` records; :mod:`labgrader.verify` does
so during ``nbgrader autograde``. The rest runs grading: execution
(:mod:`~labgrader.execute`), warm kernels (:mod:`~labgrader.warm`), the sandbox
(:mod:`~labgrader.sandbox`), intake of broken files (:mod:`~labgrader.intake`),
feedback (:mod:`~labgrader.feedback`), the report (:mod:`~labgrader.report`),
parallel grading (:mod:`~labgrader.parallel`) and the sample class
(:mod:`~labgrader.sample_class`).
"""
