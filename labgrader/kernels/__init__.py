"""Grading kernels: started ordinary or forked warm, and the next one started ahead.

:mod:`~labgrader.kernels.managers` holds the kernel managers and the client nbgrader's
execution uses (an ordinary kernel goes through the sandbox's launcher);
:mod:`~labgrader.kernels.warm` forks each kernel from a process that has imported the stack
once (a jupyter_client kernel provisioner), served by the script
:mod:`~labgrader.kernels.forkserver`; :mod:`~labgrader.kernels.ahead` starts the kernel of a
student's next notebook while this one runs. Kernels are confined by
:mod:`labgrader.sandbox`, the only group this one imports.
"""
