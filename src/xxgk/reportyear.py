"""The report year being prepared, from an injectable clock.

Templates go out in November and December for the year then ending; reports
are checked and consolidated in January and later for the year before.  So
the default ``--year`` of every command is this year in November and
December, otherwise last year.

The clock is :func:`today`; tests replace it (``monkeypatch.setattr``) or set
the environment variable ``XXGK_TODAY`` (``2025-12-01``) for a subprocess.
"""

from __future__ import annotations

import datetime
import os

__all__ = ["today", "report_year"]

# The first month in which the year then ending is the one being prepared.
PREPARATION_MONTH = 11


def today() -> datetime.date:
    """Today's date, or ``XXGK_TODAY`` when set (ISO format)."""
    fixed = os.environ.get("XXGK_TODAY", "").strip()
    if fixed:
        return datetime.date.fromisoformat(fixed)
    return datetime.date.today()


def report_year(on: datetime.date | None = None) -> int:
    """The report year being prepared on ``on`` (default: :func:`today`)."""
    d = on or today()
    return d.year if d.month >= PREPARATION_MONTH else d.year - 1
