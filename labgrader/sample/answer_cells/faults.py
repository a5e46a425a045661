"""Answer cells that break things or cheat: a huge plot, an unstoppable loop, a forged ``helpers``."""

from __future__ import annotations

import json
from pathlib import Path

import helpers
from helpers.checks import answer_record
from labgrader.judging.original_lab import majority_vote

# A plot far larger than any text limit: its PNG must reach the feedback whole.
BIG_PLOT = """
import matplotlib.pyplot as plt

noise = np.random.RandomState(7).random_sample((40_000, 2))
figure, axes = plt.subplots(figsize=(9, 9), dpi=110)
axes.scatter(*noise.T, s=1, c=noise[:, 0], cmap="viridis")
plt.show()
"""

# --- faults and cheats --------------------------------------------------------------

LOOP_IGNORING_INTERRUPTS = """
import time

while True:
    try:
        time.sleep(0.05)
    except KeyboardInterrupt:
        pass
"""

WARNINGS_ALWAYS = 'import warnings\n\nwarnings.simplefilter("always")\n'

OVERWRITE_TRUTH_WITH_TIE_BREAK = (
    "\ntrue_labels = np.asarray(labels_from_majority_vote_after_tie_breaker)  # now 'perfect'"
    "\nX = X[:, ::-1].copy()"
)
OVERWRITE_TRUTH_WITH_CROWDLAB = "\ntrue_labels = np.asarray(labels_from_crowdlab)\nX = X * 0"

_FAKE_HELPERS = '''"""Not the course's helpers: a cheat that forges a pass for 1a and defers the rest."""
import importlib.util
import json
import sys
import types
from pathlib import Path

REAL = Path({real!r})
__path__ = [str(REAL)]  # so helpers.data, helpers.model, ... are the real modules
exec(compile((REAL / "__init__.py").read_text(), str(REAL / "__init__.py"), "exec"))

_spec = importlib.util.spec_from_file_location("helpers._real_checks", REAL / "checks.py")
_real = sys.modules["helpers._real_checks"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_real)
_FORGED = json.loads({forged!r})


def check_answer(part, *values, hidden=False):
    if part not in _FORGED:
        return _real.check_answer(part, *values, hidden=hidden)
    if not hidden:
        from IPython.display import display

        display({{_real.ANSWER_MIME_TYPE: _FORGED[part], "text/plain": "(recorded)"}}, raw=True)
    print("Passed")


checks = types.ModuleType("helpers.checks")
checks.check_answer = check_answer
sys.modules["helpers.checks"] = checks
'''


def fake_helpers() -> str:
    """Source of a ``helpers`` stand-in that forges the record of a correct 1a.

    The same text works as ``helpers/__init__.py`` and as ``helpers.py``.
    """
    lab = helpers.load_lab_data()
    forged = {
        "majority_vote": answer_record("majority_vote", majority_vote(lab.multiannotator_labels))
    }
    return _FAKE_HELPERS.format(real=str(Path(helpers.__file__).parent), forged=json.dumps(forged))


# Kills the process that runs its kernel (a grading worker, or the warm kernels' fork server),
# then waits: a kernel notices that its parent died within a second, not at once.
KILLS_ITS_GRADER = (
    "import os\nimport signal\nimport time\n\nos.kill(os.getppid(), signal.SIGKILL)\ntime.sleep(5)"
)
