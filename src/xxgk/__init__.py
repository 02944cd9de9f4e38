"""xxgk: 政府信息公开工作年度报告 — templates, checks and consolidation.

The library API (the CLI is a thin wrapper over it)::

    from xxgk import load_edition
    ed = load_edition("2021")
"""

__version__ = "0.1.0"

from .spec import DEFAULT_EDITION, Edition, load_edition  # noqa: E402

__all__ = ["__version__", "load_edition", "Edition", "DEFAULT_EDITION"]
