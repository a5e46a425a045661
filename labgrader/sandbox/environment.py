"""What a grading kernel inherits from the grader: nothing secret, nothing of the grader's session.

The environment a kernel starts with is the last thing the grader hands to student code
before it runs, sandboxed or not: the gradebook's address (which may hold a PostgreSQL
password) and the grading account's JupyterHub session stay behind, and the kernel learns
whose dataset to build (:mod:`helpers.identity`).
"""

from __future__ import annotations

import os

from helpers.identity import GRADED_STUDENT_VARIABLE

SECRET_VARIABLES = ("MULTIANNOTATOR_DB_URL",)
SECRET_PREFIXES = ("PG",)  # libpq's PGPASSWORD, PGHOST, ... for a PostgreSQL gradebook
# An instructor grading on a JupyterHub server inherits JUPYTERHUB_USER (their own name, which
# would pick their dataset, not the student's) and JUPYTERHUB_API_TOKEN (their hub credentials).
NOT_INHERITED_PREFIXES = ("JUPYTERHUB_", GRADED_STUDENT_VARIABLE)


def grading_kernel_env(base: dict | None = None, student: str | None = None) -> dict:
    """Environment for a grading kernel.

    ``PYTHONSAFEPATH`` keeps the kernel's working directory (the student's
    submission folder) off ``sys.path``, so a ``helpers/`` folder or
    ``helpers.py`` shipped beside the notebook cannot stand in for the
    course's installed package. The gradebook's address (which may hold a
    PostgreSQL password) is not passed on: student code has no use for it;
    nor is anything of the grading user's JupyterHub session. ``student``, the
    nbgrader student id of the submission, is whose dataset the kernel builds
    (:mod:`helpers.identity`).
    """
    env = dict(os.environ if base is None else base)
    for name in list(env):
        if (
            name in SECRET_VARIABLES
            or name.startswith(SECRET_PREFIXES)
            or name.startswith(NOT_INHERITED_PREFIXES)
        ):
            del env[name]
    env["PYTHONSAFEPATH"] = "1"
    if student:
        env[GRADED_STUDENT_VARIABLE] = student
    return env
