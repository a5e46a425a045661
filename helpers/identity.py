"""Who a notebook's kernel works for, when the course gives each student a dataset of their own.

The identity is looked up where it really lives, in this order:

1. ``MULTIANNOTATOR_STUDENT_ID``: the nbgrader student id, which the autograder sets in every
   grading kernel from the submission folder it grades;
2. ``JUPYTERHUB_USER``: the user a JupyterHub started this server for;
3. the operating-system account running the kernel.

Nothing is looked up at import: only when a dataset of one's own is built.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass

GRADED_STUDENT_VARIABLE = "MULTIANNOTATOR_STUDENT_ID"
"""Environment variable in which the autograder names the student whose notebook it runs."""

HUB_USER_VARIABLE = "JUPYTERHUB_USER"


@dataclass(frozen=True)
class Identity:
    """A student's name and where it was found.

    Attributes
    ----------
    name : str
        The student id, hub user name or account name.
    found_in : str
        ``"the autograder"``, ``"JupyterHub"`` or ``"your account"``: for messages.
    """

    name: str
    found_in: str


def student_identity(environ=None) -> Identity:
    """The identity of the student this kernel works for.

    Parameters
    ----------
    environ : mapping, optional
        The environment to read (default ``os.environ``).

    Returns
    -------
    Identity

    Raises
    ------
    RuntimeError
        If no identity can be found at all (no variable set and no account name).
    """
    environ = os.environ if environ is None else environ
    for variable, found_in in (
        (GRADED_STUDENT_VARIABLE, "the autograder"),
        (HUB_USER_VARIABLE, "JupyterHub"),
    ):
        name = environ.get(variable, "").strip()
        if name:
            return Identity(name, found_in)
    try:
        return Identity(getpass.getuser(), "your account")
    except (KeyError, OSError) as error:  # an account with no name (a bare container uid)
        raise RuntimeError(
            "cannot tell who you are: neither JUPYTERHUB_USER nor an account name is available. "
            "Ask course staff to set JUPYTERHUB_USER to your course id."
        ) from error
