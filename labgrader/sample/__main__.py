"""``python -m labgrader.sample``: grade the bundled sample class (see :mod:`labgrader.sample.sample_class`)."""

import sys

from labgrader.sample.sample_class import main

sys.exit(main())
