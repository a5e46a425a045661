"""The sandbox: student code runs confined, or grading says plainly why it cannot.

:mod:`~labgrader.sandbox.confine` confines one kernel process (its own namespaces, an
unprivileged user or a user namespace, hidden folders, limits) and is the launcher of
ordinary sandboxed kernels; :mod:`~labgrader.sandbox.policy` decides, per notebook, what a
confined kernel may see and use, from what the kernel's interpreter really imports;
:mod:`~labgrader.sandbox.readiness` finds out once, before the first student, whether all of
this works on this machine; :mod:`~labgrader.sandbox.environment` is what a kernel inherits.
This group imports no other group of the grader: the warm kernels' fork server runs its
confinement in the kernel's own process, before the kernel forgets the grader.
"""
