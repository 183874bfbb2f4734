"""`python -m svreport ...`: the same command line as `svreport` (Quarto's pre-render step uses it)."""

import sys

from svreport.cli import main

sys.exit(main())
