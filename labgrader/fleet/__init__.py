"""The fleet: grading a whole class on every core of a machine, or on a Dask cluster.

:mod:`~labgrader.fleet.cli` is ``multiannotator-autograde``; :mod:`~labgrader.fleet.local`
grades with worker processes on this machine, :mod:`~labgrader.fleet.cluster` hands the
class to the workers of a Dask scheduler, each set up by the worker plugin of
:mod:`~labgrader.fleet.worker`; :mod:`~labgrader.fleet.outcome` is what both report per
student. Each worker runs nbgrader's own ``Autograde`` with the course's configuration, so
the gradebook is the one a sequential ``nbgrader autograde`` leaves.
"""
