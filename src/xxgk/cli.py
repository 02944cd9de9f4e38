"""The `xxgk` command: thin click wrappers over the library functions."""

from __future__ import annotations

import sys

import click

from . import __version__

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@click.group(context_settings=CONTEXT)
@click.version_option(__version__, prog_name="xxgk")
def main() -> None:
    """政府信息公开工作年度报告：生成填报模板、校验报送的工作簿、汇总为区（市）报告。"""


# -- template ---------------------------------------------------------------
# (implemented in xxgk.template; this wrapper only parses options)


# -- check ------------------------------------------------------------------
# (implemented in xxgk.checker / xxgk.report)


# -- consolidate ------------------------------------------------------------
# (implemented in xxgk.consolidate)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
