"""Sample classes: the bundled sample class, the synthetic cohort, and the rules' calibration.

:mod:`~labgrader.sample.sample_class` grades three sample students end to end with nbgrader's
own commands (``python -m labgrader.sample``, the README's first command);
:mod:`~labgrader.sample.cohort` is a class of synthetic students, each named for what it does
with the result it must get beside it (:mod:`~labgrader.sample.cohort_variants`: the same with
datasets of one's own), whose answer cells are in :mod:`~labgrader.sample.answer_cells`;
:mod:`~labgrader.sample.submissions` fills answers into the release where nbgrader looks for
them. :mod:`~labgrader.sample.calibration` runs the answer cells of
:mod:`~labgrader.sample.calibration_methods` on hundreds of datasets to calibrate the rules;
:mod:`~labgrader.sample.similarity_class` plants copies (:mod:`~labgrader.sample.copies`)
among independent answers, on which :mod:`~labgrader.sample.similarity_measure` sets the
similarity report's thresholds.
The test suite and the benchmarks build their classes from here.
"""
