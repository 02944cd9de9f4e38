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


def _long_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value and not value.lower().endswith((".csv", ".parquet")):
        raise click.BadParameter("长表文件须以 .csv 或 .parquet 结尾")
    return value


@main.command("consolidate")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--name", "-n", required=True, help="汇总单位名称（区、市），用于标题和默认文件名。")
@click.option("--roster", type=click.Path(exists=True, dir_okay=False), help="名册（CSV 或 XLSX：单位名称，可选单位代码、单位类型）。")
@click.option("--year", type=click.IntRange(1990, 2200), help="报告年度；不填则取多数工作簿的年度。")
@click.option("--out", "-o", type=click.Path(dir_okay=False), help="汇总工作簿；默认为当前文件夹下“<名称><年度>年政府信息公开工作年度报告汇总.xlsx”。")
@click.option("--on-duplicate", type=click.Choice(["error", "latest"]), default="error", show_default=True,
              help="同一单位有多个文件：error 均不计入并列出；latest 取最新的一个（填报日期或修改时间）。")
@click.option("--include-wrong-year", is_flag=True, help="年度不符的工作簿也计入汇总（默认不计入）。")
@click.option("--exclude-errors", is_flag=True, help="有错误的单位不计入汇总（默认计入，并列出其错误）。")
@click.option("--fee-decimals", type=click.IntRange(0, 10), help="收费金额的小数位数（默认 4）。")
@click.option("--long", "long_out", type=click.Path(dir_okay=False), callback=_long_path,
              help="另存逐单元格长表（.csv 或 .parquet），供数据分析。")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), help="并行进程数（默认：全部 CPU 核）。")
@click.option("--edition", default=None, help="格式版本（默认 2021）。")
def consolidate_command(inputs, name, roster, year, out, on_duplicate, include_wrong_year, exclude_errors,
                        fee_decimals, long_out, jobs, edition) -> None:
    """汇总报送的工作簿（文件或文件夹），生成区（市）汇总报告。

    有错误的单位默认计入汇总；汇总表另含分单位明细、校验问题、报送情况和图表。
    """
    from .consolidate import ConsolidationError, closing_line, consolidate
    from .roster import RosterError
    from .spec import SpecError

    try:
        result = consolidate(
            inputs, out=out, roster=roster, name=name, year=year, on_duplicate=on_duplicate,
            include_wrong_year=include_wrong_year, exclude_errors=exclude_errors,
            fee_decimals=fee_decimals, long_out=long_out, jobs=jobs, progress=True, edition=edition,
        )
    except RosterError as exc:
        raise click.BadParameter(str(exc), param_hint="--roster") from None
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--edition") from None
    except ConsolidationError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(closing_line(result))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
