"""Title and prose sections of published reports as linear text."""

from pathlib import Path

import pytest

from xxgk.published.sections import identify, locate_sections, split_sections
from xxgk.spec import load_edition

PUBLISHED = Path(__file__).resolve().parent / "data" / "published"


@pytest.fixture(scope="module")
def ed():
    return load_edition()


def _real(name: str) -> str:
    return (PUBLISHED / name).read_text("utf-8")


@pytest.mark.parametrize("text, unit, year", [
    ("平潭综合实验区公安局2022年度政府信息公开工作年度报告\n正文", "平潭综合实验区公安局", 2022),
    ("湛北路街道办事处2021年政府信息公开工作年度报告\n\n一、总体情况", "湛北路街道办事处", 2021),
    ("标题: 某某县教育局2023年政府信息公开工作年度报告\n发布时间: 2024-01-09", "某某县教育局", 2023),
    ("首页 > 政府信息公开年报\n2020年度青溪区人民政府政府信息公开工作年度报告\n", "青溪区人民政府", 2020),
    ("首页 > 通知公告\n关于做好政府信息公开工作的通知", None, None),
])
def test_identify_from_title(ed, text, unit, year):
    assert identify(text, ed) == (unit, year)


def test_identify_prefers_archiver_header(ed):
    text = "标题: 甲局2022年政府信息公开工作年度报告\n乙局2019年政府信息公开工作年度报告（转载）"
    assert identify(text, ed) == ("甲局", 2022)


def test_real_report_run_together(ed):
    text = _real("2022_平潭综合实验区公安局.txt")
    assert identify(text, ed) == ("平潭综合实验区公安局", 2022)
    prose = split_sections(text, ed)
    assert set(prose) == {"overview", "problems", "other_matters"}
    assert prose["overview"].startswith("2022年，在区管委会办公室")
    assert prose["overview"].endswith("注重实效，监督有力。")
    assert prose["problems"].endswith("信息发布及时。")
    assert prose["other_matters"] == "2022年，无收取信息处理费情况。"


def test_closing_signature_is_not_prose(ed):
    text = _real("2023_平潭综合实验区财政金融局.txt")
    assert split_sections(text, ed)["other_matters"] == "2023年，无收取信息处理费情况。"


def test_extra_section_renumbers_the_rest(ed):
    """五、信息处理费收取情况 inserted; 六 is the problems section (worded 和), no 其他需要报告的事项."""
    text = _real("2024_平潭综合实验区苏平片区管理局.txt")
    keys = [(h.key, h.number) for h in locate_sections(text, ed)]
    assert keys == [("overview", 1), ("t2", 2), ("t3", 3), ("t4", 4), ("extra", 5), ("problems", 6)]
    prose = split_sections(text, ed)
    assert set(prose) == {"overview", "problems"}
    assert prose["problems"].startswith("（一）存在的主要问题2024年")


SEVEN = """青溪区某局2023年政府信息公开工作年度报告
本报告包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、存在的主要问题及改进情况和其他需要报告的事项。
一、总体情况
今年我局……
二、主动公开政府信息情况
第二十条第（一）项……
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 0 0 0 0 0 0 0
四、结转下年度继续办理 0 0 0 0 0 0 0
四、政府信息公开行政复议、行政诉讼情况
0 0 0
五、信息处理费收取情况
本年未收取。
六、存在的主要问题及改进情况
问题一。
七、其他需要报告的事项
无。
【打印本页】【关闭窗口】
主办单位：青溪区人民政府
"""


def test_seven_sections_table_rows_and_page_footer(ed):
    heads = locate_sections(SEVEN, ed)
    assert [h.key for h in heads] == ["overview", "t2", "t3", "t4", "extra", "problems", "other_matters"]
    assert split_sections(SEVEN, ed) == {"overview": "今年我局……", "problems": "问题一。", "other_matters": "无。"}


def test_table_of_contents_is_not_taken_for_headings(ed):
    toc = "目录 一、总体情况 二、主动公开政府信息情况 五、存在的主要问题及改进情况 六、其他需要报告的事项\n"
    text = toc + SEVEN.split("\n", 1)[1]
    assert split_sections(text, ed)["overview"] == "今年我局……"


def test_headings_with_spaces_and_half_width_marks(ed):
    text = "一 . 总 体 情 况\n概况。\n五、存在的主要问题及改进情况:\n问题。\n六．其他需要报告的事项 无"
    assert split_sections(text, ed) == {"overview": "概况。", "problems": "问题。", "other_matters": "无"}


def test_heading_alone_on_its_line_without_number(ed):
    text = "总体情况\n概况。\n其他需要报告的事项\n无。"
    assert split_sections(text, ed) == {"overview": "概况。", "other_matters": "无。"}
