"""``python -m labgrader.hub up --roster roster.csv``: see :mod:`labgrader.hub`."""

import sys

from labgrader.hub.cli import main

sys.exit(main())
