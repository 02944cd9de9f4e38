"""Click in Chinese: its own messages, help headings and metavars, and help
text wrapped by display width (a Chinese character takes two columns).

Click looks its texts up through ``gettext`` at the moment it prints them;
:func:`install` points the ``_``/``ngettext`` that click's modules imported
at :data:`TEXTS`, so "Missing argument", "Usage:", "Options", "Show this
message and exit." and the "Error:" prefix all come out in Chinese, without
touching the process-wide gettext domain.  :class:`ChineseGroup` and
:class:`ChineseCommand` give the usage line and option placeholders Chinese
names.  ``xxgk.cli`` uses them for every command.
"""

from __future__ import annotations

import re
import unicodedata

import click
from click.formatting import HelpFormatter

__all__ = ["TEXTS", "install", "ChineseCommand", "ChineseGroup", "display_width"]

# click's message id -> Chinese.  Placeholders may be reordered or dropped;
# ``{name!r}`` becomes “{name}” (no Python quotes in front of a clerk).
TEXTS: dict[str, str] = {
    "Usage:": "用法：",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "参数",
    "Show this message and exit.": "显示本帮助并退出。",
    "Show the version and exit.": "显示版本号并退出。",
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing {param_type}": "缺少{param_type}",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项“{name}”。",
    "No such command {name!r}.": "没有命令“{name}”。",
    "Did you mean {possibility}?": "是否想用 {possibility}？",
    "(Did you mean one of: {possibilities}?)": "（是否想用其中之一：{possibilities}？）",
    "Option {name!r} does not take a value.": "选项“{name}”不接受取值。",
    "Option {name!r} requires an argument.": "选项“{name}”需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项“{name}”需要 {nargs} 个值。",
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
    "Invalid value: {message}": "取值无效：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的取值无效：{message}",
    "Argument {name!r} takes {nargs} values.": "参数“{name}”需要 {nargs} 个值。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是文件，应为文件夹。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是文件夹，应为文件。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”无法读取。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”无法写入。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”无法执行。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的{number_type}。",
    "integer": "整数",
    "float": "数",
    "{value} is not in the range {range}.": "{value} 不在允许的范围 {range} 内。",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value!r} is not one of {choices}.": "“{value}”不是 {choices} 之一。",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "default: {default}": "默认：{default}",
    "required": "必填",
    "(dynamic)": "（动态）",
    "env var: {var}": "环境变量：{var}",
    "Aborted!": "已中止。",
    "unknown error": "未知错误",
    "Value must be an iterable.": "取值必须是多个值。",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Repeat for confirmation": "请再输入一次确认",
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
    "deprecated": "已弃用",
}

# Metavars shown in usage and option lists, by click type name.
_METAVARS = {
    "text": "文本", "integer": "整数", "integer range": "整数", "float": "数", "float range": "数",
    "boolean": "是否", "file": "文件", "directory": "文件夹", "path": "路径", "filename": "文件",
}


def _translate(message: str) -> str:
    return TEXTS.get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


def display_width(text: str) -> int:
    """Columns a string takes on a terminal (CJK characters take two),
    ANSI colour codes not counted."""
    from click._compat import strip_ansi

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in strip_ansi(text))


def _truncate_display(text: str, n: int) -> str:
    """The longest prefix of ``text`` at most ``n`` columns wide (at least one character)."""
    width = 0
    for i, ch in enumerate(text):
        width += 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if width > n:
            return text[: max(i, 1)]
    return text


_INSTALLED = False


def install() -> None:
    """Make click speak Chinese and measure text in display columns (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    import importlib

    for name in ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils"):
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover - another click layout
            continue
        if hasattr(module, "_"):
            module._ = _translate
        if hasattr(module, "ngettext"):
            module.ngettext = _ntranslate
    for name in ("formatting", "_textwrap"):
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # pragma: no cover
            continue
        if hasattr(module, "term_len"):
            module.term_len = display_width
    import click.exceptions as exceptions

    if hasattr(exceptions, "echo"):
        exceptions.echo = _echo_polished
    try:
        textwrap_module = importlib.import_module("click._textwrap")
        if hasattr(textwrap_module, "_truncate_visible"):
            textwrap_module._truncate_visible = _truncate_display
    except ImportError:  # pragma: no cover
        pass
    _INSTALLED = True


# Leftovers of click's English inside an error message: Python quotes around
# names, type names, and an English full stop.
_QUOTED = re.compile(r"'([^'\n]*)'")
_TYPE_NAMES = {"integer range": "整数", "float range": "数"}
_FULL_STOP = re.compile(r"(?<=[^.\x00-\x7f]|[”）])\.(?=\s|$)")


def polish(text: str) -> str:
    """Chinese quotes and full stops in a message click composed."""
    text = _QUOTED.sub(r"“\1”", text)
    for english, chinese in _TYPE_NAMES.items():
        text = text.replace(english, chinese)
    text = _FULL_STOP.sub("。", text)
    text = text.replace("”, “", "”、“").replace("” / “", "”或“")
    text = re.sub(r"[ \t]+(?=“)|(?<=”)[ \t]+(?=[^\x00-\x7f])", "", text)
    return re.sub(r"([。：？）])[ \t]+", r"\1", text)


def _echo_polished(message=None, *args, **kwargs):
    return click.echo(polish(message) if isinstance(message, str) else message, *args, **kwargs)


class ChineseFormatter(HelpFormatter):
    """Help headings with a Chinese colon; usage line without a gap."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_dl(self, rows, *args, **kwargs) -> None:
        # click joins an option's [默认：…; 范围] with an English semicolon
        rows = [(term, re.sub(r"(\[[^\]]*?); ", r"\1；", text)) for term, text in rows]
        super().write_dl(rows, *args, **kwargs)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix if prefix is not None else _translate("Usage:"))


class ChineseContext(click.Context):
    formatter_class = ChineseFormatter


def _chinese_metavars(params: list[click.Parameter]) -> None:
    for p in params:
        if p.metavar is not None or isinstance(p.type, click.Choice):
            continue
        if isinstance(p, click.Option) and p.is_flag:
            continue
        name = getattr(p.type, "name", "")
        if isinstance(p.type, click.Path):
            name = "directory" if p.type.dir_okay and not p.type.file_okay else (
                "file" if p.type.file_okay and not p.type.dir_okay else "path")
        zh = _METAVARS.get(name)
        if zh:
            p.metavar = zh + ("..." if p.nargs != 1 else "")


class ChineseCommand(click.Command):
    """A command whose usage line and placeholders are Chinese."""

    context_class = ChineseContext

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)
        _chinese_metavars(self.params)


class ChineseGroup(click.Group):
    """The ``xxgk`` group: its subcommands are :class:`ChineseCommand`."""

    command_class = ChineseCommand
    context_class = ChineseContext

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("options_metavar", "[选项]")
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)
