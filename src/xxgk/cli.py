"""The `xxgk` command: thin click wrappers over the library functions."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .cli_zh import ChineseGroup, install

install()  # click's own messages, headings and placeholders in Chinese

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # SIGTERM (128 + SIGTERM)


class _Group(ChineseGroup):
    """Ctrl-C and SIGTERM end any command with one Chinese line and exit
    130 / 143 (no traceback); outputs are written atomically, so whatever was
    at an output path before is intact."""

    def invoke(self, ctx: click.Context):
        from .safeio import Terminated, install_signal_handlers

        install_signal_handlers()
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted("已中断（Ctrl-C）", EXIT_INTERRUPTED)
        except Terminated:
            _interrupted("已终止（收到 SIGTERM）", EXIT_TERMINATED)


def _interrupted(what: str, code: int) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not interrupt the goodbye
    if sys.stderr.isatty():
        click.echo("", err=True)  # end the progress bar's line
    click.echo(f"{what}：未写入任何不完整的文件，原有输出文件保持不变。", err=True)
    raise SystemExit(code)


def _say(text: str, **kw) -> None:
    """Echo text that may hold names from files: no control characters reach the terminal."""
    from .safeio import for_terminal

    click.echo(for_terminal(text), **kw)


def _refused(exc: Exception) -> None:
    """An output that would destroy an input or a filled workbook: one line, exit 2."""
    _say(f"错误：{exc}", err=True)
    raise SystemExit(2)


# The default of every --year option (see xxgk.reportyear).
YEAR_DEFAULT_TEXT = "默认为正在编制的年度（11、12 月为今年，其余月份为上一年）"


def _report_year() -> int:
    from .reportyear import report_year

    return report_year()


def _given(ctx: click.Context, name: str) -> bool:
    """Whether the operator gave option ``name`` (not its default)."""
    return ctx.get_parameter_source(name) not in (click.core.ParameterSource.DEFAULT,
                                                  click.core.ParameterSource.DEFAULT_MAP)


def year_option(help_text: str):
    return click.option("--year", type=click.IntRange(1990, 2200), default=_report_year,
                        help=help_text + YEAR_DEFAULT_TEXT + "。")


@click.group(cls=_Group, context_settings=CONTEXT)
@click.version_option(__version__, prog_name="xxgk")
def main() -> None:
    """\b
    政府信息公开工作年度报告：生成填报模板、校验报送的工作簿、汇总为区（市）报告。
    每个命令的用法：xxgk <命令> --help

    \b
    示例：
      xxgk template --roster 名册.csv --out 模板/
      xxgk check 报送/
      xxgk consolidate 报送/ --roster 名册.csv
    """


# -- template ---------------------------------------------------------------


@main.command("template", short_help="生成填报模板：单个单位，或按名册每个单位一份。")
@click.option("--unit", default="", help="单位名称（填入“基本信息”）。")
@click.option("--unit-type", default="", help="单位类型（层级），如“乡镇（街道）”。")
@year_option("报告年度；")
@click.option("--out", "-o", "out", type=click.Path(), help="输出文件；与 --roster 一起使用时为输出文件夹。")
@click.option("--roster", type=click.Path(dir_okay=False),
              help="名册（CSV 或 XLSX）：为每个单位生成一份模板，单位名称和类型已填好并锁定。")
@click.option("--password", default=None, help="工作表和工作簿结构保护的密码（默认无密码）。")
@click.option("--fee-decimals", type=click.IntRange(0, 10), default=4, show_default=True,
              help="行政事业性收费金额保留的小数位数。")
@click.option("--edition", default="2021", show_default=True, help="格式版本。")
@click.option("--force", is_flag=True,
              help="允许覆盖已存在的空白模板（已填报的工作簿任何情况下都不会被覆盖）。")
def template_command(unit, unit_type, year, out, roster, password, fee_decimals, edition, force) -> None:
    """\b
    生成填报模板（xlsx）：单个单位，或按名册为每个单位各生成一份。

    \b
    示例：
      xxgk template --roster 名册.csv --out 模板/
      xxgk template --unit 东湖街道办事处 --unit-type 乡镇（街道） --out 东湖.xlsx
    """
    from .roster import RosterError
    from .safeio import RefusedOutput
    from .spec import SpecError
    from .template import UnitTypeError, template_file_name, write_roster_templates, write_template

    if out and not roster and not out.lower().endswith(".xlsx"):
        raise click.BadParameter(f"模板是 Excel 工作簿，文件名须以 .xlsx 结尾（如“{Path(out).stem}.xlsx”）",
                                 param_hint="--out")
    options = {"year": year, "password": password, "fee_decimals": fee_decimals, "edition": edition,
               "force": force}
    try:
        if roster:
            paths = write_roster_templates(roster, out or ".", **options)
            click.echo(f"已按名册生成 {len(paths)} 份模板，保存在文件夹：{out or '.'}")
            return
        path = write_template(out or template_file_name(unit or "模板", year), unit=unit,
                              unit_type=unit_type, **options)
    except UnitTypeError as exc:
        raise click.BadParameter(str(exc), param_hint="--unit-type") from None
    except RefusedOutput as exc:
        _refused(exc)
    except (RosterError, SpecError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"无法写入文件：{exc.filename or exc}（{exc.strerror or exc}）") from None
    click.echo(f"模板已生成：{path}")


# -- check ------------------------------------------------------------------
# (implemented in xxgk.checker / xxgk.report / xxgk.annotate)


@main.command("check", short_help="校验报送的工作簿：勾稽关系、填写规范、与上年衔接、合理性。")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True), metavar="文件或文件夹...")
@click.option("--previous", type=click.Path(exists=True),
              help="上一年度的报告，用于核对上年结转数和现行有效件数：本单位的一份报告（工作簿，或已发布的网页、"
                   "Word、PDF、文本），或上年报告的文件夹（按单位名称与每个单位对应）。")
@year_option("应报送的报告年度：指定时，年度不符的工作簿为错误；未指定时为正在编制的年度，年度不符只作提醒；")
@click.option("--fee-decimals", type=click.IntRange(0, 10),
              help="收费金额允许的小数位数（默认取模板中的设定，否则 4）。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 供阅读，json 供程序处理（格式见 docs/check-json.md）。")
@click.option("--annotate", "annotate_out", type=click.Path(),
              help="生成批注副本（标出有问题的单元格并加批注）：一个文件时为输出文件名，"
                   "多个文件时为输出文件夹，其中每个有问题的文件生成“<名称>_批注.xlsx”。")
@click.option("--verbose", "-v", is_flag=True, help="逐个列出每个未填写的单元格（默认按表格的行合并为一条）。")
@click.option("--edition", default=None, help="格式版本（默认 2021）。")
def check_command(paths, previous, year, fee_decimals, fmt, annotate_out, verbose, edition) -> None:
    """\b
    校验报送的工作簿（文件或文件夹）：勾稽关系、填写规范、与上年衔接和合理性。
    也可以校验已发布的报告（网页 .html、文本 .txt、Word .docx、PDF）。
    退出码：0 没有错误（可以有提醒），1 有错误，2 有文件无法读取或用法错误。

    \b
    示例：
      xxgk check 报送/
      xxgk check 报送/东湖街道.xlsx --previous 上年/ --annotate 退回/
    """
    from .checker import check_paths, expand_paths
    from .report import exit_code, render_json, render_text, use_color
    from .safeio import clean_text, display_path
    from .spec import SpecError, load_edition
    from .submission import UnreadableFile

    try:
        ed = load_edition(edition) if edition else load_edition()
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--edition") from None
    not_read: list = []
    files = expand_paths(paths, not_read)
    for s in not_read:
        _say(f"已跳过 {display_path(s.path)}：{s.reason}", err=True)
    if not files:
        raise click.UsageError("没有找到要校验的工作簿（.xlsx、.xlsm、.xls、.et）或已发布的报告（.html、.htm、.txt、.docx、.pdf）。")
    if annotate_out:
        from .annotate import annotation_targets
        from .safeio import RefusedOutput, refuse_overwriting_inputs

        try:
            refuse_overwriting_inputs(annotation_targets(files, annotate_out), [*files, previous])
        except RefusedOutput as exc:
            _refused(exc)
    try:
        from .previous import PreviousReports

        last_year = PreviousReports(previous, ed if edition else None)
        skipped: list[str] = []
        results = check_paths(paths, previous=last_year, edition=ed if edition else None,
                              fee_decimals=fee_decimals, expected_year=year, skipped=skipped,
                              year_given=_given(click.get_current_context(), "year"))
    except UnreadableFile as exc:
        _say(f"错误：无法读取上年报告 {exc}", err=True)
        raise SystemExit(2) from None
    for path, why in last_year.unreadable:
        click.echo(f"上年报告文件夹中的 {path} 无法读取（{why}），未用于比对。", err=True)
    for path in skipped:
        _say(f"已跳过 {display_path(path)}：这是 xxgk 生成的批注副本（内容未改动），不是报送的报告。", err=True)
    if fmt == "json":
        click.echo(clean_text(render_json(results, ed)).encode("utf-8"))  # UTF-8 whatever the console's code page
    else:
        _say(render_text(results, ed, verbose=verbose), color=use_color())
    if annotate_out:
        from .annotate import annotate_results

        for line in annotate_results(results, annotate_out):
            _say(line, err=fmt == "json")
    raise SystemExit(exit_code(results))


# -- consolidate ------------------------------------------------------------
# (implemented in xxgk.consolidate)


def _long_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value and not value.lower().endswith((".csv", ".parquet")):
        raise click.BadParameter("长表文件须以 .csv 或 .parquet 结尾")
    return value


def _xlsx_path(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value and not value.lower().endswith(".xlsx"):
        raise click.BadParameter(f"汇总表是 Excel 工作簿，文件名须以 .xlsx 结尾（如“{Path(value).stem}.xlsx”）")
    return value


@main.command("consolidate", short_help="汇总报送的工作簿，生成区（市）汇总报告。")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar="文件或文件夹...")
@click.option("--name", "-n", help="汇总单位名称（区、市），用于标题和默认文件名；不填则取名册或各单位名称中共同的"
                   "区（市、县）名，如“青溪区”；看不出时暂用“汇总”并提示。")
@click.option("--roster", type=click.Path(dir_okay=False),
              help="名册（CSV 或 XLSX：单位名称，可选单位代码、单位类型）；列出未报送和不在名册的单位。")
@year_option("汇总的报告年度，其他年度的工作簿不计入汇总；")
@click.option("--out", "-o", type=click.Path(dir_okay=False), callback=_xlsx_path, help="汇总工作簿；默认为当前文件夹下“<名称><年度>年政府信息公开工作年度报告汇总.xlsx”。")
@click.option("--on-duplicate", type=click.Choice(["error", "latest"]), default="error", show_default=True,
              help="同一单位有多个文件：error 均不计入并列出；latest 取最新的一个（填报日期或修改时间）。")
@click.option("--include-wrong-year", is_flag=True, help="年度不符的工作簿也计入汇总（默认不计入）。")
@click.option("--previous", type=click.Path(exists=True),
              help="上年报告的文件夹（或一份报告），按单位名称与每个单位对应，核对上年结转数和现行有效件数。")
@click.option("--include-suspect", is_flag=True,
              help="有待核实数字的单位（如收费金额疑似按“元”填写）也计入汇总（默认不计入，请核实后重新报送）。")
@click.option("--include-errors", is_flag=True,
              help="有错误的单位也计入汇总（默认不计入：汇总表须能通过校验，请退回改正后重新汇总）。")
@click.option("--fee-decimals", type=click.IntRange(0, 10),
              help="收费金额的小数位数：校验时默认取各工作簿模板中的设定，汇总表默认显示 4 位。")
@click.option("--long", "long_out", type=click.Path(dir_okay=False), callback=_long_path,
              help="另存逐单元格长表（.csv 或 .parquet），供数据分析。")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), help="并行进程数（默认：全部 CPU 核）。")
@click.option("--edition", default=None, help="格式版本（默认 2021）。")
def consolidate_command(inputs, name, roster, year, out, on_duplicate, include_wrong_year, include_errors,
                        previous, include_suspect, fee_decimals, long_out, jobs, edition) -> None:
    """\b
    汇总报送的工作簿（文件或文件夹），生成区（市）汇总报告。
    每个工作簿按 xxgk check 的规则校验；有错误的单位默认不计入汇总
    （列于“报送情况”和“校验问题”，退回改正），因此汇总表本身总能通过校验。
    汇总表本身是同一格式的报告，另含分单位明细、校验问题、报送情况和图表，
    可再次汇总（区 → 市）。
    退出码：0 已生成汇总表（即使有单位有错误），1 没有可读取的工作簿、
    名册无法读取或无法写入，2 用法错误。

    \b
    示例：
      xxgk consolidate 报送/ --roster 名册.csv
      xxgk consolidate 各区汇总/ --name 某市
    """
    from .consolidate import ConsolidationError, closing_line, consolidate
    from .roster import RosterError
    from .safeio import RefusedOutput
    from .spec import SpecError

    try:
        result = consolidate(
            inputs, out=out, roster=roster, name=name, year=year, on_duplicate=on_duplicate,
            include_wrong_year=include_wrong_year, include_errors=include_errors,
            include_suspect=include_suspect, previous=previous, fee_decimals=fee_decimals, long_out=long_out, jobs=jobs, progress=True, edition=edition,
        )
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--edition") from None
    except RefusedOutput as exc:
        _refused(exc)
    except (RosterError, ConsolidationError) as exc:
        raise click.ClickException(str(exc)) from None
    from .safeio import display_path

    for s in result.not_read:
        _say(f"已跳过 {display_path(s.path)}：{s.reason}", err=True)
    for path, members in result.earlier_summaries:
        _say(f"已跳过 {display_path(path)}：这是此前生成的汇总表，其 {members} 个成员单位均已单独报送，未重复计入",
             err=True)
    _say(closing_line(result))


@main.command("import", short_help="读取已发布的报告（网页、文本、Word、PDF），生成本模板的工作簿。")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True), metavar="文件或文件夹...")
@click.option("--out", "-o", "out", required=True, type=click.Path(),
              help="输出文件夹（每份报告一个工作簿）；只有一份报告时也可以是 .xlsx 文件名。")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式：text 供阅读，json 供程序处理（与 check 的 JSON 相同，另有 output 和 sureness）。")
@click.option("--edition", default=None, help="格式版本（默认按每份报告的内容和年度判断）。")
def import_command(paths, out, fmt, edition) -> None:
    """\b
    读取已发布的年度报告（网页 .html、文本 .txt、Word .docx、带文字的 PDF，
    也可以是其他格式的工作簿），为每份报告生成一份本模板的工作簿：数字、
    文字部分（一、五、六）、单位名称和年度。读不出的数字留空并说明原因，不会当作 0。
    退出码：0 全部导入，2 有文件无法读取或用法错误。

    \b
    示例：
      xxgk import 2023年报告.pdf --out 导入/
      xxgk import 网页存档/ --out 导入/ --format json
    """
    import json

    from .published.importer import ImportUsageError, import_json, import_reports, render_import_text
    from .report import use_color
    from .safeio import RefusedOutput
    from .spec import SpecError, load_edition

    try:
        ed = load_edition(edition) if edition else load_edition()
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--edition") from None
    try:
        items = import_reports(paths, out, edition=edition)
    except ImportUsageError as exc:
        raise click.BadParameter(str(exc), param_hint="--out") from None
    except RefusedOutput as exc:
        _refused(exc)
    if not items:
        raise click.UsageError("没有找到要导入的报告（.html、.htm、.txt、.docx、.pdf、.xlsx）。")
    if fmt == "json":
        click.echo(json.dumps(import_json(items, ed), ensure_ascii=False, indent=2))
    else:
        click.echo(render_import_text(items, ed), color=use_color())
    raise SystemExit(2 if any(i.error is not None for i in items) else 0)


# -- render -------------------------------------------------------------------
# (implemented in xxgk.render)


@main.command("render", short_help="生成公开发布用的年度报告（Word、网页、PDF）。")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True), metavar="文件或文件夹...")
@click.option("--out", "-o", "out", required=True, type=click.Path(),
              help="输出文件（一个报告），或输出文件夹（多个报告，或输入为文件夹时；每个报告一个文件，命名同模板）。")
@click.option("--format", "fmt", type=click.Choice(["docx", "html", "pdf"]),
              help="输出格式：docx（Word）、html（网页）、pdf（需安装 LibreOffice）；默认取输出文件的扩展名，"
                   "输出到文件夹时为 docx。")
@click.option("--force", is_flag=True,
              help="有错误的报告也生成，每页标明“草稿（未通过校验）”（默认不生成，只列出错误）。")
@click.option("--previous", type=click.Path(exists=True, dir_okay=False),
              help="上一年度的报告（工作簿，或已发布的网页、Word、PDF、文本）：校验与上年的衔接；"
                   "汇总报告起草的第一部分写明与上年相比的变化。")
@click.option("--compile", "compile_", is_flag=True,
              help="不生成报告，而是把各单位的第一、五、六部分按单位汇编为一份 Word 文档（--out 为 .docx 文件）。")
@click.option("--edition", default=None, help="格式版本（默认 2021）。")
def render_command(inputs, out, fmt, force, previous, compile_, edition) -> None:
    """\b
    生成公开发布用的年度报告（Word、网页或 PDF），由校验通过的工作簿或汇总表生成。
    标题、六个部分、三张表的版式和标签与官方格式一致，表中数字就是 xxgk check 校验的数字。
    有错误的报告不生成（列出错误），除非使用 --force。
    汇总表生成的报告，第一部分是根据汇总数字起草的段落，标明为草稿，请修改后发布。
    退出码：0 全部生成，1 有报告因错误未生成或写入失败，2 有文件无法读取或用法错误。

    \b
    示例：
      xxgk render 报送/东湖街道.xlsx --out 东湖街道.docx
      xxgk render 报送/ --out 发布/ --format html
      xxgk render 汇总.xlsx --out 汇总报告.docx --previous 上年汇总.xlsx
      xxgk render 报送/ --compile --out 各单位文字部分汇编.docx
    """
    from .render import RenderError, compile_prose, render_paths
    from .render.texts import text
    from .report import render_text
    from .safeio import RefusedOutput
    from .spec import DEFAULT_EDITION, SpecError, load_edition
    from .submission import UnreadableFile

    try:
        ed = load_edition(edition or DEFAULT_EDITION)
        if compile_:
            path, outcomes = compile_prose(inputs, out, edition=ed)
        else:
            outcomes = render_paths(inputs, out, fmt=fmt, force=force, previous=previous,
                                    edition=ed if edition else None)
    except RefusedOutput as exc:
        _refused(exc)
    except RenderError as exc:
        raise click.UsageError(str(exc)) from None
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--edition") from None
    except UnreadableFile as exc:
        click.echo(f"错误：无法读取上年报告 {exc}", err=True)
        raise SystemExit(2) from None
    except OSError as exc:
        raise click.ClickException(f"无法写入文件：{exc.filename or exc}（{exc.strerror or exc}）") from None
    stamp = text(ed, "draft_stamp")
    code = 0
    for o in outcomes:
        if o.status == "unreadable":
            click.echo(f"无法读取：{o.path}：{o.message}", err=True)
            code = 2
        elif o.status == "refused":
            click.echo(render_text([o.result], ed))
            click.echo(f"未生成：{o.path} 有 {len(o.result.errors)} 处错误，改正后才能生成发布用的报告"
                       f"（--force 可生成每页标有“{stamp}”的草稿）。")
            code = max(code, 1)
        elif o.status == "failed":
            click.echo(f"未生成：{o.path}：{o.message}", err=True)
            code = max(code, 1)
        elif compile_:
            continue
        elif o.status == "draft":
            click.echo(f"已生成草稿（有 {len(o.result.errors)} 处错误，每页标有“{stamp}”）：{o.out}")
        else:
            click.echo(f"已生成：{o.out}")
    counts = {k: sum(o.status == k for o in outcomes) for k in ("written", "draft", "refused", "unreadable", "failed")}
    if compile_:
        if path is not None:
            click.echo(f"已汇编 {counts['written']} 个单位的文字部分：{path}")
    elif len(outcomes) > 1:
        click.echo(f"共 {len(outcomes)} 份：已生成 {counts['written']} 份，草稿 {counts['draft']} 份，"
                   f"有错误未生成 {counts['refused']} 份，无法读取 {counts['unreadable']} 份，"
                   f"写入失败 {counts['failed']} 份。")
    raise SystemExit(code)


@main.command("rules", short_help="列出全部校验规则（Markdown）。")
@click.option("--edition", default=None, help="格式版本（默认 2021）。")
def rules_command(edition) -> None:
    """\b
    列出全部校验规则及其编号、级别（Markdown，即 docs/rules.md）。

    \b
    示例：
      xxgk rules > 规则.md
    """
    from .catalog import rules_markdown
    from .spec import DEFAULT_EDITION, SpecError, load_edition

    try:
        ed = load_edition(edition or DEFAULT_EDITION)
    except SpecError as exc:
        raise click.BadParameter(str(exc), param_hint="--edition") from None
    click.echo(rules_markdown(ed), nl=False)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
