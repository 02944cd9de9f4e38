"""Issue 8 point 10: every word of the command line in Chinese, help wrapped by
display width, an example at the end of every command's help."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from xxgk.cli import main
from xxgk.cli_zh import display_width

ENGLISH = re.compile(r"Error|Usage|Options|Missing|does not exist|No such|Show this|Try '|default:|TEXT|PATH|INTEGER")


def invoke(*args):
    return CliRunner().invoke(main, list(map(str, args)))


@pytest.mark.parametrize("args", [
    ["check"],                              # missing argument
    ["check", "不存在的文件.xlsx"],            # path does not exist
    ["nosuchcommand"],                      # no such command
    ["check", "--yaer", "2023", "."],       # no such option
    ["template", "--year", "abc"],          # not a number
    ["template", "--year", "3000"],         # out of range
    ["check", "--format", "xml", "."],      # not a choice
])
def test_usage_errors_are_chinese_and_exit_2(args):
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert not ENGLISH.search(result.output), result.output
    assert "错误：" in result.output and "'" not in result.output


def test_missing_argument_names_it_in_chinese():
    out = invoke("check").output
    assert "缺少参数“文件或文件夹...”。" in out


COMMANDS = sorted(main.commands)


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_is_chinese_wrapped_and_ends_with_an_example(command):
    result = invoke(*([command] if command else []), "--help")
    assert result.exit_code == 0
    text = result.output
    assert not ENGLISH.search(text), text
    assert "选项：" in text and "显示本帮助并退出。" in text
    # help wraps at display width (a Chinese character is two columns wide)
    assert max(display_width(line) for line in text.splitlines()) <= 100
    # no stray space between two Chinese characters (source line breaks)
    assert not re.search(r"[\u4e00-\u9fff，。；）]\s[\u4e00-\u9fff（]", text), text
    description = text.split("选项：")[0]
    assert "示例：" in description and "xxgk " in description.split("示例：")[1]
