"""How the autograder starts the kernel that runs a student's notebook."""

from __future__ import annotations

import os

from nbgrader.preprocessors import Execute


def grading_kernel_env(base: dict | None = None) -> dict:
    """Environment for a grading kernel.

    ``PYTHONSAFEPATH`` keeps the kernel's working directory (the student's
    submission folder) off ``sys.path``, so a ``helpers/`` folder or
    ``helpers.py`` shipped beside the notebook cannot stand in for the
    course's installed package.
    """
    env = dict(os.environ if base is None else base)
    env["PYTHONSAFEPATH"] = "1"
    return env


class GradingExecute(Execute):
    """nbgrader's ``Execute``, with kernels started in :func:`grading_kernel_env`."""

    async def async_start_new_kernel(self, **kwargs):
        kwargs["env"] = grading_kernel_env(kwargs.get("env"))
        return await super().async_start_new_kernel(**kwargs)
