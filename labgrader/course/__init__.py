"""The course: its folder and configuration, which version of it a machine grades, its exchange.

Everything here is about the course as nbgrader sees it, and nothing here grades:
:mod:`~labgrader.course.assignment` names the assignment and its notebooks and reads
the instructor's solutions out of the source notebooks;
:mod:`~labgrader.course.config` reads a course's ``nbgrader_config.py`` and runs
nbgrader's commands in a course folder; :mod:`~labgrader.course.version`
fingerprints the course, the grader and the stack so that grading machines that
differ can refuse; :mod:`~labgrader.course.exchange` keeps nbgrader's exchange
quiet where a course uses none; :mod:`~labgrader.course.students` records the course's
students and their names in its gradebook; :mod:`~labgrader.course.renamed` keeps the module
names of courses set up before the grader's packages were regrouped working for
one term. This group imports no other group of the grader.
"""
