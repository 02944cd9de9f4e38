"""Administrative areas in unit names: which area a unit or a summary belongs to.

A unit's name starts with the areas it sits in (某市青溪区教育局 -> 某市,
青溪区); a summary's name *is* an area (青溪区), and it belongs to the area
above it.  :func:`common_area` finds the area a batch of names shares, which
``xxgk consolidate`` uses as the summary's default name.

Levels: 省/自治区 above 市/州/盟/地区 above 区/县/旗 (a 县级市 sits under a
市 or 州).  A name part is an area only where the levels descend, so
青溪区城市管理局 is in 青溪区, not in “青溪区城市”.
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

__all__ = ["area_segments", "parent_areas", "common_area", "common_area_paths"]

# suffix -> level (1 province, 2 prefecture, 3 county); longest first.
_LEVELS = {
    "特别行政区": 1, "自治区": 1, "省": 1,
    "自治州": 2, "地区": 2, "州": 2, "盟": 2, "市": 2,
    "自治县": 3, "自治旗": 3, "区": 3, "县": 3, "旗": 3,
}
_SUFFIX_CHARS = "省市州盟区县旗"
_SEGMENT = re.compile(
    rf"[^{_SUFFIX_CHARS}\s]{{1,10}}?({'|'.join(sorted(_LEVELS, key=len, reverse=True))})"
)


def area_segments(name: str) -> list[str]:
    """The areas a name starts with, outermost first:
    某市青溪区教育局 -> [某市, 青溪区]; 教育局 -> []."""
    name = re.sub(r"\s+", "", name or "")
    out: list[str] = []
    pos, level = 0, 0
    while m := _SEGMENT.match(name, pos):
        lvl = _LEVELS[m.group(1)]
        if m.group(1) == "市" and level >= 2:
            lvl = 3  # 县级市 under a 市 or 州
        if lvl <= level:
            break
        out.append(m.group(0))
        pos, level = m.end(), lvl
    return out


def parent_areas(name: str) -> list[str]:
    """The areas a unit or summary belongs to: a unit's leading areas; for a
    name that is an area itself (a summary, or a roster of districts), the
    areas above it (青溪区 -> [], 某市青溪区 -> [某市])."""
    segs = area_segments(name)
    if segs and "".join(segs) == re.sub(r"\s+", "", name or ""):
        return segs[:-1]
    return segs


def common_area(names: Iterable[str]) -> str:
    """The area all names belong to ("" if none): 青溪区教育局, 青溪区东湖街道办事处 -> 青溪区;
    某市青溪区, 某市东山区 -> 某市; 青溪区, 东山区 -> ""."""
    return "".join(common_area_paths([parent_areas(n) for n in names if n and n.strip()]))


def common_area_paths(paths: Sequence[list[str]]) -> list[str]:
    """The leading areas every path shares ([] if none, or no paths)."""
    shared: list[str] = []
    for level in zip(*paths) if paths else ():
        if len(set(level)) != 1:
            break
        shared.append(level[0])
    return shared
