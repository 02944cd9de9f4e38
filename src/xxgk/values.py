"""Numbers as staff type them: "12", "12件", "１２", "1,234", "/", "0.5万元" …

:func:`parse_number` reads whatever can be read unambiguously and says how
it read it (a note in Chinese); anything that needs a guess ("约12",
"12、13", "十二") is ``unreadable``.  Negative numbers and fractions in a
count are read as they are: judging them is the checker's business.
"""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal, InvalidOperation

__all__ = [
    "OK",
    "BLANK",
    "PLACEHOLDER",
    "TEXT_NUMBER",
    "UNREADABLE",
    "STATUSES",
    "EXCEL_DIGITS",
    "parse_number",
    "normalise_decimal",
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

# Unit words allowed after a number (what they mean is explained in the note).
_COUNT_UNITS = ("件", "个", "项", "条", "次", "起", "份", "宗", "例", "人次")
_YUAN = "元"
_WAN_YUAN = ("万元", "万")

_NUMBER = re.compile(
    r"(?P<sign>[+-]?)(?P<int>\d{1,3}(?:,\d{3})+|\d+)?(?:\.(?P<frac>\d+))?"
)
_EXTRA = str.maketrans({"\u2212": "-", "\u200b": None, "\ufeff": None})  # minus sign, invisible marks
_PAREN = re.compile(r"\([^()]*\)")
_SPACES = re.compile(r"(?<!\d)\s+|\s+(?!\d)")  # spaces, except between two digits


def normalise_decimal(value: Decimal) -> Decimal:
    """12.0 -> 12, 12.50 -> 12.5; more than 15 significant digits are
    rounded to 15, as Excel shows them (0.30000000000000004 -> 0.3)."""
    if not value.is_finite():
        return value
    digits = len(value.as_tuple().digits)
    if digits > EXCEL_DIGITS:
        exp = value.adjusted() - EXCEL_DIGITS + 1
        value = value.quantize(Decimal(1).scaleb(exp))
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.normalize()


def parse_number(raw: object, *, value_type: str = "count") -> tuple[Decimal | None, str, str]:
    """Read a number cell's stored value.

    Returns ``(value, status, note)``: ``value`` is a Decimal or None;
    ``status`` one of :data:`STATUSES`; ``note`` says in Chinese how the
    value was read when that is not obvious (e.g. "“12件”读作 12").
    ``value_type`` is "count" or "amount" (the fee, in 万元).
    """
    if raw is None:
        return None, BLANK, ""
    if isinstance(raw, bool):
        return None, UNREADABLE, f"逻辑值“{'TRUE' if raw else 'FALSE'}”不是数字"
    if isinstance(raw, (int, Decimal)):
        return _from_number(Decimal(raw), raw)
    if isinstance(raw, float):
        if math.isnan(raw) or math.isinf(raw):
            return None, UNREADABLE, f"“{raw}”不是有效数字"
        return _from_number(Decimal(repr(raw)), raw)
    return _from_text(str(raw), value_type)


def _from_number(value: Decimal, raw: object) -> tuple[Decimal | None, str, str]:
    if not value.is_finite():
        return None, UNREADABLE, f"“{raw}”不是有效数字"
    return normalise_decimal(value), OK, ""


def _from_text(text: str, value_type: str) -> tuple[Decimal | None, str, str]:
    shown = text.strip()
    if not shown or not shown.strip("\u3000\u00a0\u200b\ufeff"):
        return None, BLANK, ""
    plain = _SPACES.sub("", unicodedata.normalize("NFKC", shown)).translate(_EXTRA)
    if _PLACEHOLDER_MARKS.fullmatch(plain) or plain.rstrip("。.").upper() in _PLACEHOLDER_WORDS:
        return None, PLACEHOLDER, f"“{shown}”是占位符，不是数字"
    m = _NUMBER.match(plain)
    if not m or (m.group("int") is None and m.group("frac") is None):
        return None, UNREADABLE, _unreadable_note(shown)
    value = _decimal(m)
    if value is None:
        return None, UNREADABLE, _unreadable_note(shown)
    rest = plain[m.end():]
    suffix_note = _read_suffix(rest, value_type)
    if suffix_note is None:
        return None, UNREADABLE, _unreadable_note(shown)
    value = normalise_decimal(value)
    number_text = plain[: m.end()]
    if not suffix_note and number_text == shown and "," not in number_text:
        return value, OK, ""  # exactly a number, merely stored as text
    note = f"“{shown}”读作 {_fmt(value)}"
    if any("０" <= ch <= "９" for ch in shown):
        note += "（全角数字）"
    return value, TEXT_NUMBER, note + suffix_note


def _decimal(m: re.Match[str]) -> Decimal | None:
    whole = (m.group("int") or "0").replace(",", "")
    frac = m.group("frac")
    try:
        return Decimal(f"{m.group('sign')}{whole}" + (f".{frac}" if frac else ""))
    except InvalidOperation:
        return None


def _read_suffix(rest: str, value_type: str) -> str | None:
    """What follows the number: None if it makes the cell unreadable, else
    a note fragment (empty when there is nothing to say)."""
    unit, remark = _split_unit(rest)
    if unit is None:
        return None
    if remark and not _PAREN.fullmatch(remark):
        return None
    note = ""
    if unit == _YUAN:
        note += "（注意：填写的单位是“元”，本栏单位为万元，未作换算）" if value_type == "amount" else "（忽略了单位“元”）"
    elif unit in _WAN_YUAN:
        note += "（单位万元）" if value_type == "amount" else f"（忽略了单位“{unit}”）"
    if remark:
        note += f"，忽略了“{_full_width_brackets(remark)}”"
    return note


def _split_unit(rest: str) -> tuple[str | None, str]:
    """Split "件（其中…）" into ("件", "（其中…）"); unit "" when there is none,
    None when the text after the number is neither unit nor remark."""
    if not rest or rest.startswith("("):
        return "", rest
    for unit in (*_WAN_YUAN, _YUAN, *_COUNT_UNITS):
        if rest.startswith(unit):
            return unit, rest[len(unit):]
    return None, rest


def _full_width_brackets(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


def _fmt(value: Decimal) -> str:
    return format(value, "f")


_CHINESE_NUMERALS = re.compile(r"[零〇一二两三四五六七八九十百千万]+[件个项条次]?")


_EXCEL_ERROR = re.compile(r"#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!)")


def _unreadable_note(shown: str) -> str:
    if _EXCEL_ERROR.fullmatch(shown):
        return f"单元格显示 Excel 错误值“{shown}”，不是数字"
    if _CHINESE_NUMERALS.fullmatch(shown):
        return f"“{shown}”是汉字数字，请填写阿拉伯数字"
    return f"“{shown}”无法读作一个确定的数字"
