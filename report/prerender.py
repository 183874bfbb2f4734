"""Quarto pre-render step: run the pipeline for the report year and write report/_generated/.

Quarto runs this before rendering, so `quarto render` alone gives an up-to-date report. The year
is SVREPORT_YEAR, or the latest year in the config. `svreport render` prepares everything itself
and sets SVREPORT_PREPARED=1 so the work is not done twice.
"""

import os
import sys

from svreport.cli import main

if os.environ.get("SVREPORT_PREPARED") != "1":
    arguments = ["prepare-report"]
    if os.environ.get("SVREPORT_YEAR"):
        arguments += ["--year", os.environ["SVREPORT_YEAR"]]
    sys.exit(main(arguments))
