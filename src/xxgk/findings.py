"""Findings: what the reader and the checker report about a workbook.

Every finding has a stable ``code`` (kebab-case), a rule id where it comes
from a rule of the edition (R1 … R12), a severity, a message in plain
Chinese, and the sheet and cells involved.  Findings that are not rules of
the report format (a file that cannot be read, a total typed over its
formula …) are catalogued in :data:`CODES` below; the rules themselves are
catalogued by the edition file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

__all__ = ["Finding", "CODES", "SEVERITIES", "severity_label", "severity_of"]

SEVERITIES = ("error", "warning", "info")
_SEVERITY_ZH = {"error": "错误", "warning": "提醒", "info": "说明"}


def severity_label(severity: str) -> str:
    return _SEVERITY_ZH.get(severity, severity)


# code -> (severity, title).  The messages themselves are built where the
# finding is made, since they name the cell and what was in it.
CODES: dict[str, tuple[str, str]] = {
    "file-unreadable": ("error", "文件无法读取"),
    "file-not-xlsx": ("error", "不是 .xlsx 工作簿（如 .xls、.et、CSV 改名）"),
    "file-encrypted": ("error", "工作簿设置了打开密码"),
    "file-too-large": ("error", "超出读取上限（文件过大、压缩炸弹、行数或单元格过多等）"),
    "summary-not-verified": ("warning", "标明是汇总表，但数字与分单位明细不符或成员名单不完整，按单个单位处理"),
    "sheet-missing": ("error", "模板中的表格工作表被删除，无法读取"),
    "labels-not-found": ("error", "找不到官方表格的标签"),
    "wrong-edition": ("error", "格式版本不符"),
    "table-other-edition": ("error", "表格是另一版本的格式，其数字未读取"),
    "edition-detected": ("info", "工作簿未注明格式版本，已按表格栏目判断"),
    "edition-year-mismatch": ("warning", "表格的格式版本与报告年度不符"),
    "template-version": ("warning", "工作簿由另一版本的模板生成"),
    "previous-not-comparable": ("info", "上年报告为另一版本格式，缺少相应栏目，该项未作比对"),
    "wrong-year": ("error", "报告年度不符"),
    "other-year": ("warning", "不是正在编制的年度的报告（未指定 --year）"),
    "info-missing": ("error", "基本信息（单位名称）未填写"),
    "not-filled": ("error", "工作簿未填写任何数字"),
    "year-differs": ("warning", "基本信息中的报告年度与模板生成时的年度不同（以基本信息为准）"),
    "unit-type-missing": ("info", "单位类型未填写，需要单位类型的合理性核对未进行"),
    "not-our-template": ("info", "非本系统模板，已按官方标签定位表格"),
    "names-missing": ("info", "模板的单元格名称缺失，已按版式位置读取"),
    "table-duplicated": ("warning", "同一张表出现在多个工作表中，只读取了其中一份"),
    "previous-other-unit": ("info", "上年报告属于另一个单位，未作比对"),
    "previous-not-found": ("info", "上年报告文件夹中没有本单位的报告，未作比对"),
    "previous-blank": ("info", "上年报告中的有关单元格为空，未作比对"),
    "number-in-text": ("warning", "从文字中读出了数字"),
    "text-not-number": ("error", "数字单元格里填写了无法识别的文字"),
    "negative": ("error", "负数（小于该栏允许的最小值）"),
    "above-max": ("error", "大于该栏允许的最大值"),
    "fraction-in-count": ("error", "件数不是整数"),
    "too-many-decimals": ("warning", "收费金额小数位数超过设定"),
    "amount-in-yuan": ("warning", "金额的单位与该栏不符（如万元一栏填了“元”），已换算"),
    "total-typed": ("warning", "合计单元格的公式被改成了数字"),
    "total-typed-wrong": ("error", "合计单元格的公式被改成了数字，且与各项之和不符"),
    "total-blank": ("warning", "合计单元格为空，已按各项之和计算"),
    "stale-cache": ("warning", "保存时未重新计算，合计的缓存值与各项之和不符"),
    "formula-changed": ("warning", "合计单元格的公式被改动，显示的数目前与各项之和相同"),
    "formula-changed-wrong": ("error", "合计单元格的公式被改动，显示的数与各项之和不符"),
    # published reports (xxgk.published)
    "not-a-report": ("error", "文件中没有政府信息公开工作年度报告"),
    "no-tables": ("error", "有报告的标题或正文，但找不到统计表格（可能是图片）"),
    "pdf-no-text": ("error", "PDF 没有文字层（扫描件），无法读取"),
    "file-corrupt": ("error", "Word 或 PDF 文件已损坏或不完整"),
    "file-not-docx": ("error", "旧版 Word（.doc/.wps）文件，需另存为 .docx"),
    "unknown-encoding": ("error", "无法识别文件的文字编码"),
    "tables-as-text": ("info", "表格没有框线（或不是表格），已按文字逐行读取"),
    "split-inferred": ("warning", "连在一起的数字按勾稽关系拆分（唯一符合或违反最少的拆分）"),
    "split-ambiguous": ("error", "连在一起的数字有多种拆分都符合勾稽关系，已留空"),
    "split-rules-broken": ("warning", "连在一起的数字无论怎样拆分都不符合全部勾稽关系"),
    "split-impossible": ("error", "连在一起的数字无法拆分到各单元格，未读取"),
    "cell-inferred": ("warning", "原文中缺少的数字由勾稽关系推出"),
}


def severity_of(code: str, edition: Any = None) -> str:
    """The severity of a finding code: a rule's, as its edition declares it,
    else the catalogue's (:data:`CODES`).  The single source: callers never
    choose a severity of their own."""
    if edition is not None:
        for rule in edition.rules:
            if code and code == rule.code:
                return rule.severity
    if code in CODES:
        return CODES[code][0]
    from .spec import load_edition  # a rule code of the default edition

    return severity_of(code, load_edition()) if edition is None else "error"


@dataclass
class Finding:
    """One problem (or note) about one file, tied to sheet and cells."""

    code: str
    severity: str  # error / warning / info
    message: str
    rule: str | None = None  # R1 … R12 when the finding comes from a format rule
    sheet: str | None = None
    cells: list[str] = field(default_factory=list)  # A1 addresses on `sheet`
    keys: list[str] = field(default_factory=list)  # cell keys of the format
    expected: Decimal | str | None = None
    actual: Decimal | str | None = None
    difference: Decimal | None = None
    # keys of the cells this finding follows from (a total typed over its
    # formula): fixing those corrects this finding, which is not marked itself
    caused_by: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, code: str, message: str, edition: Any = None, **fields: Any) -> "Finding":
        """A finding whose severity is the catalogue's (:func:`severity_of`): the caller names
        the code and says what is wrong, never how grave it is."""
        return cls(code, severity_of(code, edition), message, **fields)

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    @property
    def where(self) -> str:
        """`表三!D7:E7`-style location for humans."""
        if not self.sheet:
            return ""
        if not self.cells:
            return self.sheet
        return f"{self.sheet}!{','.join(self.cells)}"

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for k in ("expected", "actual", "difference"):
            if isinstance(d[k], Decimal):
                d[k] = _json_number(d[k])
        return d


def _json_number(v: Decimal) -> int | float | str:
    """Decimals become JSON numbers when exact, strings otherwise."""
    if v == v.to_integral_value():
        return int(v)
    return str(v)
