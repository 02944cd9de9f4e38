"""The report's own texts, taken from the edition's ``render`` section.

Nothing here is worded in code: the opening paragraph, the date, the draft
stamp, the drafted paragraph of a district summary and the compilation's
title all come from the edition file.  This module only fills them in.
"""

from __future__ import annotations

import datetime as _dt
import fnmatch
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Mapping

from ..values import format_decimal
from ..spec import Edition, SpecError

__all__ = ["text", "fill", "format_date", "draft_overview", "template_keys", "section_titles"]

_FIELD = re.compile(r"\{([^{}]+)\}")


def text(edition: Edition, *path: str) -> str:
    """The render text at ``path`` (pieces of a list joined without spaces)."""
    node: Any = edition.render
    for part in path:
        if not isinstance(node, Mapping) or part not in node:
            raise SpecError(f"格式描述 {edition.edition} 缺少发布报告所需的文字 render.{'.'.join(path)}")
        node = node[part]
    if isinstance(node, list):
        return "".join(str(p) for p in node)
    return str(node)


def fill(template: str, fields: Mapping[str, object]) -> str:
    """Replace ``{name}`` by ``fields[name]``; unknown names raise SpecError."""

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in fields:
            raise SpecError(f"发布报告的文字中有未知的占位符 {{{name}}}")
        return str(fields[name])

    return _FIELD.sub(sub, template)


def section_titles(edition: Edition) -> list[str]:
    """The six section titles in order, without their numbers (总体情况 …)."""
    return [re.sub(r"^[一二三四五六七八九十]+、", "", label) for _, label in ordered_sections(edition)]


def ordered_sections(edition: Edition) -> list[tuple[object, str]]:
    """(ProseSection or Table, title) in the order of their section numbers."""
    items: list[tuple[object, str]] = [(s, s.label) for s in edition.prose_sections]
    items += [(t, t.title) for t in edition.tables]
    numbers = [getattr(obj, "number") for obj, _ in items]
    return [items[i] for i in sorted(range(len(items)), key=lambda i: _chinese_number(numbers[i]))]


_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def _chinese_number(text: str) -> int:
    """一 … 九十九 as an int (section numbers)."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, ones = text.partition("十")
        return _DIGITS.get(tens, 1) * 10 + _DIGITS.get(ones, 0)
    return _DIGITS.get(text, 0)


def format_date(edition: Edition, day: _dt.date | str | None) -> str:
    """The report date as the edition writes it (2022年1月20日)."""
    if isinstance(day, str):
        try:
            day = _dt.date.fromisoformat(day.strip()[:10])
        except ValueError:
            return day.strip()
    if day is None:
        day = _dt.date.today()
    return fill(text(edition, "date"), {"year": day.year, "month": day.month, "day": day.day})


def _number(value: Decimal) -> str:
    return format_decimal(value)


def _pct(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "0%"
    share = (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{_number(share)}%"


def template_keys(edition: Edition, template: str) -> list[str]:
    """Cell keys and patterns used by a summary-draft template (for validation)."""
    keys = []
    for field_ in _FIELD.findall(template):
        kind, _, arg = field_.partition(":") if ":" in field_ else ("", "", field_)
        keys += arg.split("/") if kind == "share" else [arg]
    return [k for k in keys if "." in k]


def _figure(edition: Edition, values: Mapping[str, Decimal], key: str) -> Decimal:
    if "*" in key:
        matched = [k for k in edition.cells if fnmatch.fnmatchcase(k, key)]
        if not matched:
            raise SpecError(f"发布报告的文字引用了不存在的单元格 {key}")
        return sum((values.get(k, Decimal(0)) for k in matched), Decimal(0))
    if key not in edition.cells:
        raise SpecError(f"发布报告的文字引用了不存在的单元格 {key}")
    return values.get(key, Decimal(0))


def _change(edition: Edition, now: Decimal, before: Decimal) -> str:
    diff = now - before
    if diff == 0:
        return text(edition, "summary_draft", "change_words", "same")
    if diff > 0 and not before:
        return fill(text(edition, "summary_draft", "change_words", "more_from_zero"), {"diff": _number(diff)})
    word = "more" if diff > 0 else "fewer"
    return fill(text(edition, "summary_draft", "change_words", word),
                {"diff": _number(abs(diff)), "pct": _pct(abs(diff), before)})


def _fill_figures(edition: Edition, template: str, values: Mapping[str, Decimal],
                  previous: Mapping[str, Decimal] | None, plain: Mapping[str, object]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in plain:
            return str(plain[name])
        kind, sep, arg = name.partition(":")
        if not sep:
            return _number(_figure(edition, values, name))
        if kind == "share":
            part, _, whole = arg.partition("/")
            return _pct(_figure(edition, values, part), _figure(edition, values, whole))
        if kind == "change" and previous is not None:
            return _change(edition, _figure(edition, values, arg), _figure(edition, previous, arg))
        raise SpecError(f"发布报告的文字中有未知的占位符 {{{name}}}")

    return _FIELD.sub(sub, template)


def draft_overview(edition: Edition, values: Mapping[str, Decimal], *, unit: str, year: object,
                   previous: Mapping[str, Decimal] | None = None) -> str:
    """Section 一 of a district summary, drafted from the summed figures."""
    plain = {"unit": unit, "year": year}
    out = _fill_figures(edition, text(edition, "summary_draft", "text"), values, None, plain)
    if previous is not None:
        out += _fill_figures(edition, text(edition, "summary_draft", "previous"), values, previous, plain)
    return out
