"""Shared test setup.

The clock is fixed (``XXGK_TODAY``, read by :mod:`xxgk.reportyear`) so that the
default ``--year`` of every command is the same whenever the suite runs:
2024-01-15 is the time of checking the 2023 reports, the year most fixtures
write.  Tests of the clock itself set their own date.
"""

import os

os.environ.setdefault("XXGK_TODAY", "2024-01-15")
