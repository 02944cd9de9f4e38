"""Numbers as staff type them: "12", "12件", "１２", "1,234", "/", "0.5万元" …

:func:`read_number` reads whatever can be read unambiguously and says how
it read it (a note in Chinese); anything that needs a guess ("约12",
"12、13", "十二") is ``unreadable``.  A unit written after the number is
converted into the unit of the cell's value type as the edition declares it
(``units``: 元 → 万元 is 0.0001); units a type does not declare are ignored
(and said so).  Negative numbers and fractions in a count are read as they
are: judging them is the checker's business.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .spec import ValueType

__all__ = [
    "OK",
    "BLANK",
    "PLACEHOLDER",
    "TEXT_NUMBER",
    "UNREADABLE",
    "STATUSES",
    "EXCEL_DIGITS",
    "parse_number",
    "read_number",
    "Reading",
    "normalise_decimal",
    "format_decimal",
]

OK = "ok"  # a number (or a text that is exactly a number)
BLANK = "blank"  # nothing in the cell
PLACEHOLDER = "placeholder"  # "/", "-", "—", "无" …: not the same as 0
TEXT_NUMBER = "text-number"  # a number read out of text ("12件", "１２", "1,234")
UNREADABLE = "unreadable"  # text from which no number can be read without guessing
STATUSES = (OK, BLANK, PLACEHOLDER, TEXT_NUMBER, UNREADABLE)

EXCEL_DIGITS = 15  # Excel keeps and shows 15 significant digits

# Placeholders: a cell made only of dashes/slashes, or one of these words.
_PLACEHOLDER_MARKS = re.compile(r"[-/\\—–―‐‑−ー~_]+")
_PLACEHOLDER_WORDS = frozenset({"无", "空", "N/A", "NA", "暂无", "没有", "不适用", "无此项", "无数据", "NULL",
                                "未发生", "未收到", "不涉及", "暂未"})

# Unit words allowed after a number; a value type's own ``units`` convert, the
# others are ignored (and the note says so).  Longest first.
_UNIT_WORDS = ("人次", "万元", "件", "个", "项", "条", "次", "起", "份", "宗", "例", "元", "万")

_NUMBER = re.compile(
    r"(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d+))?"
)
_EXTRA = str.maketrans({"\u2212": "-", "\u200b": None, "\ufeff": None})  # minus sign, invisible marks
_PAREN = re.compile(r"\([^()]*\)")
_SPACES = re.compile(r"(?<!\d)\s+|\s+(?!\d)")  # spaces, except between two digits


def normalise_decimal(value: Decimal) -> Decimal:
    """12.0 -> 12, 12.50 -> 12.5; more than 15 significant digits are
    rounded to 15, as Excel shows them (0.30000000000000004 -> 0.3).
    Values outside :func:`in_range` are returned as they are."""
    if not in_range(value):
        return value
    digits = len(value.as_tuple().digits)
    if digits > EXCEL_DIGITS:
        exp = value.adjusted() - EXCEL_DIGITS + 1
        value = value.quantize(Decimal(1).scaleb(exp))
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


# Largest magnitude read as a number: Excel keeps 15 significant digits, so a
# whole number from 10^15 on is no longer exact (and far beyond any count or
# fee in a report); beyond it, or not finite (inf, NaN, 1E+400), the cell is
# unreadable, with a finding at that cell, and sums stay exact.
NUMBER_LIMIT = Decimal(10) ** EXCEL_DIGITS


def in_range(value: Decimal) -> bool:
    return value.is_finite() and abs(value) < NUMBER_LIMIT


def _out_of_range_note(raw: object) -> str:
    shown = str(raw).strip()
    shown = shown if len(shown) <= 24 else shown[:20] + "…"
    if (isinstance(raw, Decimal) and not raw.is_finite()) or (isinstance(raw, float) and not math.isfinite(raw)):
        return f"“{shown}”不是有效数字"
    return f"“{shown}”超出可以精确计算的范围（绝对值须小于 10 的 15 次方），不是有效数字"


def format_decimal(value: Decimal | int | float | None, places: int | None = None) -> str:
    """A number as a clerk writes it: no exponent, no trailing zeros ("" for
    None); with ``places``, exactly that many decimals (an amount as printed).
    The one formatter of numbers in messages, notes and documents."""
    if value is None:
        return ""
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not d.is_finite():
        return str(d)
    if places:
        return format(d.quantize(Decimal(1).scaleb(-places)), "f")
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


@dataclass(frozen=True)
class Reading:
    """How a cell's content was read: the value in the cell's unit, a status
    (:data:`STATUSES`), a note in Chinese, and the unit word written ("")."""

    value: Decimal | None
    status: str
    note: str = ""
    unit: str = ""


def _value_type(value_type: "ValueType | str | None") -> "ValueType | None":
    if value_type is None or not isinstance(value_type, str):
        return value_type
    from .spec import load_edition  # a type named as in the default edition

    return load_edition().value_types.get(value_type)


def parse_number(raw: object, *, value_type: "ValueType | str | None" = None) -> tuple[Decimal | None, str, str]:
    """``(value, status, note)`` of :func:`read_number`."""
    r = read_number(raw, value_type)
    return r.value, r.status, r.note


def read_number(raw: object, value_type: "ValueType | str | None" = None) -> Reading:
    """Read a number cell's stored value.

    ``value`` is a Decimal or None, converted into the unit of ``value_type``
    (a :class:`xxgk.spec.ValueType`, or the name of one of the default
    edition) when a unit it declares is written; ``note`` says in Chinese how
    the value was read when that is not obvious (e.g. "“12件”读作 12").
    """
    if raw is None:
        return Reading(None, BLANK)
    if isinstance(raw, bool):
        return Reading(None, UNREADABLE, f"逻辑值“{'TRUE' if raw else 'FALSE'}”不是数字")
    if isinstance(raw, (int, Decimal)):
        return _from_number(Decimal(raw), raw)
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            return Reading(None, UNREADABLE, f"“{raw}”不是有效数字")
        return _from_number(Decimal(repr(raw)), raw)
    return _from_text(str(raw), _value_type(value_type))


def _from_number(value: Decimal, raw: object) -> Reading:
    if not in_range(value):
        return Reading(None, UNREADABLE, _out_of_range_note(raw))
    return Reading(normalise_decimal(value), OK)


def _from_text(text: str, vt: "ValueType | None") -> Reading:
    shown = text.strip()
    if not shown or not shown.strip("\u3000\u00a0\u200b\ufeff"):
        return Reading(None, BLANK)
    plain = _SPACES.sub("", unicodedata.normalize("NFKC", shown)).translate(_EXTRA)
    if _PLACEHOLDER_MARKS.fullmatch(plain) or plain.rstrip("。.").upper() in _PLACEHOLDER_WORDS:
        return Reading(None, PLACEHOLDER, f"“{shown}”是占位符，不是数字")
    m = _NUMBER.match(plain)
    if not m or (m.group("int") is None and m.group("frac") is None):
        return Reading(None, UNREADABLE, _unreadable_note(shown))
    value = _decimal(m)
    if value is None:
        return Reading(None, UNREADABLE, _unreadable_note(shown))
    if not in_range(value):
        return Reading(None, UNREADABLE, _out_of_range_note(shown))
    unit, remark = _split_unit(plain[m.end():], vt)
    if unit is None or (remark and not _PAREN.fullmatch(remark)):
        return Reading(None, UNREADABLE, _unreadable_note(shown))
    factor = vt.factor(unit) if vt is not None and unit else None
    value = normalise_decimal(value * factor if factor is not None else value)
    if not in_range(value):
        return Reading(None, UNREADABLE, _out_of_range_note(shown))
    number_text = plain[: m.end()]
    if not unit and not remark and number_text == shown and "," not in number_text:
        return Reading(value, OK)  # exactly a number, merely stored as text
    note = f"“{shown}”读作 {format_decimal(value)}"
    if any("０" <= ch <= "９" for ch in shown):
        note += "（全角数字）"
    if factor is not None and factor != 1:
        note += f"（单位“{unit}”，已按 1{unit} = {format_decimal(factor)}{vt.unit} 换算为{vt.unit}）"
    elif factor is not None:
        note += f"（单位{vt.unit}）"
    elif unit:
        note += f"（忽略了单位“{unit}”）"
    if remark:
        note += f"，忽略了“{_full_width_brackets(remark)}”"
    return Reading(value, TEXT_NUMBER, note, unit if factor is not None else "")


def _decimal(m: re.Match[str]) -> Decimal | None:
    whole = (m.group("int") or "0").replace(",", "")
    frac = m.group("frac")
    try:
        return Decimal(f"{m.group('sign')}{whole}" + (f".{frac}" if frac else ""))
    except InvalidOperation:
        return None


def _split_unit(rest: str, vt: "ValueType | None") -> tuple[str | None, str]:
    """Split "件（其中…）" into ("件", "（其中…）"); unit "" when there is none,
    None when the text after the number is neither unit nor remark."""
    if not rest or rest.startswith("("):
        return "", rest
    words = sorted({*(vt.units if vt is not None else ()), *_UNIT_WORDS}, key=len, reverse=True)
    for unit in words:
        if rest.startswith(unit):
            return unit, rest[len(unit):]
    return None, rest


def _full_width_brackets(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


_CHINESE_NUMERALS = re.compile(r"[零〇一二两三四五六七八九十百千万]+[件个项条次]?")


_EXCEL_ERROR = re.compile(r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!)")


def _unreadable_note(shown: str) -> str:
    if _EXCEL_ERROR.fullmatch(shown):
        return f"单元格显示 Excel 错误值“{shown}”，不是数字"
    if _CHINESE_NUMERALS.fullmatch(shown):
        return f"“{shown}”是汉字数字，请填写阿拉伯数字"
    return f"“{shown}”无法读作一个确定的数字"
