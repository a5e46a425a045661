"""nbgrader's exchange, quiet when a course uses none.

The Formgrader makes a new ``NbGraderAPI`` for nearly every request, and each one
lists the exchange: where none exists (a course that collects submissions by
other means) nbgrader logs ``Unwritable directory, please contact your
instructor`` at critical level every time, some 70 lines for an ordinary grading
session. :class:`CourseExchangeList` says nothing when the exchange folder does
not exist at all, and fails as loudly as nbgrader when it exists but cannot be
written (a real misconfiguration). Set by ``c.ExchangeFactory.list``.
"""

from __future__ import annotations

import os

from nbgrader.exchange import ExchangeError
from nbgrader.exchange.default import ExchangeList


class CourseExchangeList(ExchangeList):
    """``ExchangeList`` that treats a missing exchange as "no exchange", not as an error."""

    def ensure_root(self):
        if not os.path.exists(self.root):
            self.log.debug("No exchange at %s: this course does not use one", self.root)
            raise ExchangeError(f"no exchange at {self.root}")
        super().ensure_root()
