"""Regenerate the committed blank templates, one per edition (no unit, no year).

    python workbook_templates/regenerate.py

tests/test_template.py regenerates it into a temporary folder and fails if
the content (cells, formulas, defined names, validations, merges) differs
from the committed file.
"""

from __future__ import annotations

import sys
from pathlib import Path

from xxgk.spec import DEFAULT_EDITION, available_editions
from xxgk.template import write_template

HERE = Path(__file__).resolve().parent


def blank_template_name(edition: str = DEFAULT_EDITION) -> str:
    return f"政府信息公开工作年度报告模板_{edition}版.xlsx"


def regenerate(out_dir: Path = HERE, edition: str = DEFAULT_EDITION) -> Path:
    return write_template(Path(out_dir) / blank_template_name(edition), edition=edition, force=True)


def regenerate_all(out_dir: Path = HERE) -> list[Path]:
    return [regenerate(out_dir, edition) for edition in available_editions()]


if __name__ == "__main__":
    for path in regenerate_all(*(Path(a) for a in sys.argv[1:2])):
        print(f"已生成：{path}")
