"""A JupyterHub for the course on one Debian machine, set up from a roster: ``make hub``.

``python -m labgrader.hub up --roster roster.csv`` (as root) sets everything up and
starts the hub (:mod:`~labgrader.hub.cli`); each step is idempotent, so running it again changes nothing:

- the two environments, built from this checkout as ``make student-env`` and
  ``make grader-env`` build them, in ``--prefix`` (default ``/opt/multiannotator-hub``),
  where every account can run them; nbgrader's system-wide settings in each (one
  exchange, ``Exchange.path_includes_course``, course membership from JupyterHub
  groups); the students' environment with nbgrader's instructor tools switched off
  and locked;
- configurable-http-proxy from npm (``hub/proxy``, installed with ``npm ci``);
- a Linux account for every person on the roster (:mod:`~labgrader.hub.roster`), and
  per course a grading account ``grader-<course>`` owning the course folder
  (``/home/grader-<course>/<course>``: the lab's ``source/`` and ``nbgrader_config.py``),
  whose gradebook gets the course's students, with the names the roster gives;
- the exchange (``--exchange``, default ``/srv/nbgrader/exchange``);
- the hub's state (``--state``, default ``/srv/multiannotator-hub``, root only):
  ``hub.json``, read by ``hub/jupyterhub_config.py``, the hub's database and log.

``add-student USER --course COURSE [--first-name ... --last-name ... --email ...]`` adds a
student to a running course; ``stop``,
``start`` and ``teardown`` (which removes every account and folder the hub made) do
what they say.
"""
