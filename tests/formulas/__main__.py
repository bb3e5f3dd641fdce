"""`python -m formulas [pages...] [--verbose]` from tests/: the report (`make formulas`)."""

import sys

from .report import main

sys.exit(main())
