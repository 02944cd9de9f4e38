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
    assert "选项：" in text and "显示本帮助并退出。" in text and "; " not in text
    # help wraps at display width (a Chinese character is two columns wide)
    assert max(display_width(line) for line in text.splitlines()) <= 100
    # no stray space between two Chinese characters (source line breaks)
    assert not re.search(r"[\u4e00-\u9fff，。；）]\s[\u4e00-\u9fff（]", text), text
    description = text.split("选项：")[0]
    assert "示例：" in description and "xxgk " in description.split("示例：")[1]


def test_template_out_must_be_xlsx(tmp_path):
    result = invoke("template", "--unit", "东湖街道办事处", "--out", tmp_path / "模板.csv")
    assert result.exit_code == 2 and ".xlsx" in result.output
    assert not (tmp_path / "模板.csv").exists()


def test_consolidate_out_must_be_xlsx(tmp_path):
    result = invoke("consolidate", tmp_path, "--name", "测试区", "-o", tmp_path / "汇总.csv")
    assert result.exit_code == 2 and ".xlsx" in result.output
    assert not (tmp_path / "汇总.csv").exists()


def test_json_is_utf8_whatever_the_console_encoding(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from test_checker import write_filled

    path = tmp_path / "甲.xlsx"
    write_filled(path)
    env = dict(os.environ, PYTHONIOENCODING="ascii", LANG="C", LC_ALL="C")
    proc = subprocess.run([sys.executable, "-m", "xxgk.cli", "check", str(path), "--format", "json", "--year", "2023"],
                          capture_output=True, env=env)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    text = proc.stdout.decode("utf-8")
    assert "测试街道办事处" in text and "\\u" not in text
    assert json.loads(text)["files"][0]["unit"] == "测试街道办事处"
