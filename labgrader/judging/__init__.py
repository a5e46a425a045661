"""Judging: whether an answer is right, decided in the grader on the student's own dataset.

A test cell only records a student's answers; everything that decides whether they are
right lives here, out of the students' reach. :mod:`~labgrader.judging.reference` builds,
from the design alone, the data of the student's dataset and what fixed methods reach on it
(the original lab's own methods, :mod:`~labgrader.judging.original_lab`);
:mod:`~labgrader.judging.rules` sets each part's bar on that dataset, with constants
calibrated on hundreds of datasets (``calibration.json``, beside it);
:mod:`~labgrader.judging.properties` holds the hidden property of every part (its checks in
:mod:`~labgrader.judging.labels`, :mod:`~labgrader.judging.annotators` and
:mod:`~labgrader.judging.crowdlab`); :mod:`~labgrader.judging.judge` reads a record again and
judges it, and :mod:`~labgrader.judging.mismatch` says when a failed answer was computed on
another dataset. :mod:`~labgrader.judging.variants` is the switch that gives every student a
dataset of their own, and tells the grader whose dataset a submission is graded on. This
group imports only the students' ``helpers`` (and the stack).
"""
