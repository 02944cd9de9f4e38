"""The declarative description of a report format edition.

An edition is a YAML file under ``xxgk/editions``.  :func:`load_edition`
reads it, expands it into tables, cells and rule instances, and validates it
(unique keys, Excel's limits, every rule term naming a real cell) before any
workbook is written or read.  Everything else in xxgk derives from the
objects defined here; nothing else hard-codes a label or a cell key.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any, Callable, Iterable, Iterator, Mapping

__all__ = [
    "Edition",
    "ValueType",
    "cell_key",
    "term_sum",
    "normalise_label",
    "Table",
    "Block",
    "Node",
    "CellSpec",
    "Term",
    "RuleSpec",
    "RuleInstance",
    "UnitType",
    "ProseSection",
    "InfoField",
    "SpecError",
    "load_edition",
    "available_editions",
    "DEFAULT_EDITION",
]

DEFAULT_EDITION = "2021"
# The extra sheets of a summary workbook, by role (workbook.summary_sheets in the YAML).
SUMMARY_SHEET_ROLES = ("status", "detail", "findings", "charts")
# Column headers of the summary's and the annotated copy's sheets (workbook.headers),
# with the number of columns the code fills in each.
HEADER_COLUMNS = {"detail": 3, "findings": 6, "status": 10, "annotation": 8, "checks": 7}
# Sentences on those sheets (workbook.texts), with the fields each may use.
WORKBOOK_TEXTS = {
    "status_summed": ("name", "year", "n"), "status_errors_included": ("n",),
    "status_errors_excluded": ("n", "findings"), "status_held": ("n",), "status_not_filled": ("n",),
    "status_missing": ("n",), "chart_none": (), "chart_items_title": ("table", "column"), "chart_items_head": (),
    "chart_items": ("column",), "chart_groups_head": (), "chart_groups_series": (), "chart_groups": (),
    "chart_units_title": ("row", "column"), "chart_units_head": (), "chart_units": ("row",),
    "annotation_title": ("sheet", "verdict", "file"), "annotation_banner": ("verdict", "sheet"),
    "checks_title": ("sheet",), "checks_failed_count": ("fail",), "checks_blank_count": (),
    "status_all_passed": ("pass",), "status_blanks": ("n",), "status_failed": ("n", "fail", "sheet"),
    "summary_unit_type": ("count",),
}


class SpecError(ValueError):
    """The edition description itself is inconsistent (a bug in the data)."""


@dataclass(frozen=True)
class Node:
    """A row or column header: a label, an optional key, optional children."""

    key: str | None
    label: str
    children: tuple["Node", ...] = ()
    aliases: tuple[str, ...] = ()
    value_type: str | None = None
    name: str | None = None  # a handle for set selectors that is not part of cell keys
    total: bool = False  # a total row or column (总计): selectors can leave it out

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0)

    def leaves(self) -> Iterator[tuple["Node", ...]]:
        """Yield the path (tuple of nodes, root first) of every leaf."""
        if not self.children:
            yield (self,)
            return
        for child in self.children:
            for path in child.leaves():
                yield (self, *path)


def _path_key(path: Iterable[Node]) -> str:
    return ".".join(n.key for n in path if n.key)


def cell_key(table: "Table | str", row_path: Iterable[Node], col_path: Iterable[Node]) -> str:
    """The one way a number cell's key is built: table, row path, column path."""
    return _join(table if isinstance(table, str) else table.key, _path_key(row_path), _path_key(col_path))


def _path_label(path: Iterable[Node]) -> str:
    """Human label of a header path, without a leading keyless group heading
    (申请人情况, 三、本年度办理结果) unless nothing else is left."""
    nodes = list(path)
    if len(nodes) > 1 and not nodes[0].key:
        nodes.pop(0)
    return " ".join(n.label for n in nodes if n.label)


@dataclass(frozen=True)
class Block:
    key: str
    title: str | None
    row_header: str | None  # text of the corner when it names the row labels
    corner: str | None  # a note in the corner (table 3)
    columns: tuple[Node, ...]
    rows: tuple[Node, ...]

    def row_paths(self) -> list[tuple[Node, ...]]:
        return [p for r in self.rows for p in r.leaves()]

    def column_paths(self) -> list[tuple[Node, ...]]:
        return [p for c in self.columns for p in c.leaves()]

    @property
    def row_depth(self) -> int:
        """Number of label columns (0 when the rows have no labels)."""
        if all(not p[-1].label for p in self.row_paths()):
            return 0
        return max(r.depth() for r in self.rows)

    @property
    def column_depth(self) -> int:
        return max(c.depth() for c in self.columns)


@dataclass(frozen=True)
class CellSpec:
    """One number cell of a table: an input or a computed (formula) cell."""

    key: str
    table: "Table"
    block: Block
    row_path: tuple[Node, ...]
    col_path: tuple[Node, ...]
    value_type: str  # the name of one of the edition's value types (Edition.value_type(cell))
    formula_terms: tuple[str, ...] | None = None  # keys summed, when computed

    @property
    def is_input(self) -> bool:
        return self.formula_terms is None

    @property
    def row_label(self) -> str:
        return _path_label(self.row_path)

    @property
    def col_label(self) -> str:
        return _path_label(self.col_path)

    @property
    def label(self) -> str:
        """Plain-Chinese name of the cell, for messages."""
        parts = [self.table.sheet]
        if self.block.title and len(self.table.blocks) > 1 and not self.row_label:
            parts.append(self.block.title)
        if self.row_label:
            parts.append(f"“{self.row_label}”行")
        parts.append(f"“{self.col_label}”")
        if self.row_label:
            parts[-1] += "列"
        return "".join(parts)

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label on the way to this cell (block title, rows, columns)."""
        out = [self.block.title] if self.block.title else []
        out += [n.label for n in self.row_path if n.label]
        out += [n.label for n in self.col_path if n.label]
        return tuple(out)


@dataclass(frozen=True)
class Table:
    key: str
    number: str
    title: str
    sheet: str
    orientation: str
    blocks: tuple[Block, ...]
    aliases: tuple[str, ...] = ()  # other wordings of the title in published reports (no number)

    def cell_keys(self) -> list[str]:
        keys = []
        for b in self.blocks:
            for rp in b.row_paths():
                for cp in b.column_paths():
                    keys.append(cell_key(self, rp, cp))
        return keys


def _join(*parts: str) -> str:
    return ".".join(p for p in parts if p)


@dataclass(frozen=True)
class Term:
    key: str
    sign: int = 1
    previous: bool = False

    def __str__(self) -> str:
        return ("-" if self.sign < 0 else "") + ("prev:" if self.previous else "") + self.key


def term_sum(terms: Iterable[Term], value: Callable[[Term], Decimal | None]) -> Decimal | None:
    """Σ sign × value over the terms; None when ``value`` has none for a term
    (a previous-year term without last year's figure).  The one evaluator of
    the arithmetic: the edition's compute, the writer and the checker use it."""
    total = Decimal(0)
    for t in terms:
        v = value(t)
        if v is None:
            return None
        total += t.sign * v
    return total


@dataclass(frozen=True)
class RuleSpec:
    """A rule as written in the edition file (before expansion)."""

    id: str
    code: str  # the code of its findings ("" when it has several: see ``codes``)
    severity: str
    group: str  # hard / previous / plausibility
    kind: str
    title: str
    message: str
    params: Mapping[str, Any]
    codes: tuple[str, ...] = ()  # every code its findings carry


@dataclass(frozen=True)
class RuleInstance:
    """One concrete check: a rule applied to one row, column or group."""

    rule: RuleSpec
    lhs: tuple[Term, ...]
    rhs: tuple[Term, ...]
    bindings: Mapping[str, str]
    labels: Mapping[str, str]  # {var}_label -> human label for messages

    @property
    def id(self) -> str:
        return self.rule.id

    @property
    def keys(self) -> tuple[str, ...]:
        """Keys of this year's cells involved, in order, without duplicates."""
        seen: dict[str, None] = {}
        for t in (*self.lhs, *self.rhs):
            if not t.previous:
                seen.setdefault(t.key, None)
        return tuple(seen)

    @property
    def uses_previous(self) -> bool:
        return any(t.previous for t in (*self.lhs, *self.rhs))

    @property
    def instance_id(self) -> str:
        suffix = ",".join(f"{k}={v}" for k, v in self.bindings.items())
        return f"{self.rule.id}[{suffix}]" if suffix else self.rule.id

    @property
    def description(self) -> str:
        """Short description of this instance, e.g. for the 校验 sheet."""
        where = "，".join(self.labels.values())
        return f"{self.rule.title}（{where}）" if where else self.rule.title


@dataclass(frozen=True)
class ValueType:
    """What a number cell holds, as declared by the edition (``value_types``).

    ``kind`` integer or decimal; ``min``/``max`` the bounds (``min: null``:
    signed, e.g. 本年增/减); ``decimals`` fixed places, or ``decimals_setting``
    naming a setting (the fee's 4 places, overridable per workbook);
    ``unit`` the unit the cell holds and ``units`` every unit word a body may
    write with its factor into ``unit`` (元 → 万元 is 0.0001); when
    ``unit_in_label`` the column label states ``unit``, so another unit
    written is a probable mistake (converted, with a warning).
    """

    key: str
    label: str
    kind: str = "integer"
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int | None = None
    decimals_setting: str | None = None
    unit: str = ""
    units: Mapping[str, Decimal] = field(default_factory=dict)
    unit_in_label: bool = False

    @property
    def is_integer(self) -> bool:
        return self.kind == "integer"

    @property
    def signed(self) -> bool:
        return self.min is None or self.min < 0

    def factor(self, unit: str) -> Decimal | None:
        """Factor turning a number written with ``unit`` into this type's unit."""
        return self.units.get(unit)

    # Mapping-style access kept for callers written against the plain YAML dict.
    def get(self, name: str, default: Any = None) -> Any:
        return getattr(self, name, default)

    def __getitem__(self, name: str) -> Any:
        return getattr(self, name)


def _value_type(key: str, d: Mapping[str, Any]) -> ValueType:
    def dec(v: Any) -> Decimal | None:
        return None if v is None else Decimal(str(v))

    kind = d.get("kind", "integer")
    if kind not in ("integer", "decimal"):
        raise SpecError(f"数值类型 {key} 的 kind 只能是 integer 或 decimal，不能是 {kind}")
    return ValueType(
        key=key, label=str(d["label"]), kind=kind, min=dec(d.get("min")), max=dec(d.get("max")),
        decimals=d.get("decimals"), decimals_setting=d.get("decimals_setting"), unit=str(d.get("unit") or ""),
        units={str(u): Decimal(str(f)) for u, f in (d.get("units") or {}).items()},
        unit_in_label=bool(d.get("unit_in_label")),
    )


@dataclass(frozen=True)
class UnitType:
    key: str
    label: str
    flags: Mapping[str, Any]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProseSection:
    key: str
    number: str
    label: str
    hint: str
    max_chars: int | None
    aliases: tuple[str, ...] = ()  # other wordings of the heading in published reports (no number)


@dataclass(frozen=True)
class InfoField:
    key: str
    label: str
    required: bool = False
    type: str = "text"
    choices_from: str | None = None
    role: str | None = None  # unit / unit_type / year / date: what the code relies on


@dataclass
class Edition:
    """A loaded, expanded and validated edition of the report format."""

    edition: str
    name: str
    document: str
    first_year: int
    report_title: str
    settings: Mapping[str, Any]
    info_fields: tuple[InfoField, ...]
    unit_types: tuple[UnitType, ...]
    prose_sheet: str
    instructions_sheet: str
    info_sheet: str
    checks_sheet: str
    prose_sections: tuple[ProseSection, ...]
    value_types: Mapping[str, ValueType]
    tables: tuple[Table, ...]
    rules: tuple[RuleSpec, ...]
    cells: dict[str, CellSpec] = field(default_factory=dict)
    rule_instances: tuple[RuleInstance, ...] = ()
    sets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    # Published reports: top-level headings outside the format (a section
    # 信息处理费收取情况 inserted before 五), and words where a web page's own
    # text begins after the report (打印本页 …).
    extra_headings: tuple[str, ...] = ()
    page_end_markers: tuple[str, ...] = ()
    render: Mapping[str, Any] = field(default_factory=dict)  # texts of the published report
    last_year: int | None = None  # last report year of this edition (None: still in force)
    workbook_labels: Mapping[str, str] = field(default_factory=dict)  # words on the workbook's own sheets
    # The extra sheets of a summary, by role (status, detail, findings, charts).
    summary_sheets: Mapping[str, str] = field(default_factory=dict)
    annotation_sheet: str = ""  # the sheet of findings an annotated copy adds
    headers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # column headers of those sheets
    workbook_texts: Mapping[str, str] = field(default_factory=dict)  # sentences on those sheets
    rule_groups: Mapping[str, str] = field(default_factory=dict)  # group of rules -> heading, in order

    def covers(self, year: int | None) -> bool:
        """Is ``year`` a report year of this edition?"""
        return year is not None and self.first_year <= year and (self.last_year is None or year <= self.last_year)

    # -- lookups -----------------------------------------------------------
    def table(self, key: str) -> Table:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    def cell(self, key: str) -> CellSpec:
        return self.cells[key]

    @property
    def input_keys(self) -> list[str]:
        return [k for k, c in self.cells.items() if c.is_input]

    @property
    def formula_keys(self) -> list[str]:
        return [k for k, c in self.cells.items() if not c.is_input]

    def cells_of(self, table_key: str) -> list[CellSpec]:
        return [c for c in self.cells.values() if c.table.key == table_key]

    def rule(self, rule_id: str) -> RuleSpec:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)

    def instances(self, *, group: str | None = None, kind: str | None = None) -> list[RuleInstance]:
        return [
            i
            for i in self.rule_instances
            if (group is None or i.rule.group == group) and (kind is None or i.rule.kind == kind)
        ]

    def unit_type(self, label_or_key: str | None) -> UnitType | None:
        if not label_or_key:
            return None
        wanted = _normalise_label(label_or_key)
        for u in self.unit_types:
            if wanted in (_normalise_label(u.label), u.key, *map(_normalise_label, u.aliases)):
                return u
        return None

    def info_key(self, role: str) -> str:
        """The key of the 基本信息 field with this role (unit, unit_type, year, date)."""
        for f in self.info_fields:
            if f.role == role:
                return f.key
        raise KeyError(role)

    def info_field(self, role: str) -> InfoField:
        return next(f for f in self.info_fields if f.key == self.info_key(role))

    def prose_section(self, key: str) -> ProseSection:
        for s in self.prose_sections:
            if s.key == key:
                return s
        raise KeyError(key)

    def value_type(self, key_or_cell: "str | CellSpec") -> ValueType:
        """The value type of a cell (by key or spec) or by its own name."""
        if isinstance(key_or_cell, CellSpec):
            return self.value_types[key_or_cell.value_type]
        if key_or_cell in self.cells:
            return self.value_types[self.cells[key_or_cell].value_type]
        return self.value_types[key_or_cell]

    def decimals(self, value_type: str, fee_decimals: int | None = None) -> int:
        """Allowed decimals for a value type (0 for integers); ``fee_decimals``
        overrides a type whose places are a setting (the fee)."""
        vt = self.value_types[value_type]
        if vt.is_integer:
            return 0
        if vt.decimals is not None:
            return int(vt.decimals)
        if fee_decimals is not None:
            return fee_decimals
        return int(self.settings[vt.decimals_setting]) if vt.decimals_setting else 0

    def formula_value(self, key: str, value: Callable[[str], Decimal]) -> Decimal:
        """A formula cell's value: the sum of its items, each as ``value`` gives it.
        The one place a total's arithmetic is done (compute, writer, checker)."""
        return term_sum((Term(k) for k in self.cells[key].formula_terms or ()), lambda t: value(t.key))

    def compute(self, values: Mapping[str, Decimal | int | None]) -> dict[str, Decimal]:
        """Every cell's value: inputs as given (missing -> 0), formula cells
        recomputed from their items (recursively, so a total of totals works).
        """
        out: dict[str, Decimal] = {}

        def value(key: str) -> Decimal:
            if key not in out:
                if self.cells[key].is_input:
                    v = values.get(key)
                    out[key] = Decimal(0) if v is None else Decimal(v)
                else:
                    out[key] = self.formula_value(key, value)
            return out[key]

        for key in self.cells:
            value(key)
        return out

    def title_for(self, unit: str, year: int | str) -> str:
        return self.report_title.format(unit=unit, year=year)


_BRACKETS = str.maketrans({"(": "（", ")": "）", ":": "：", ",": "，", '"': "“"})
_QUOTES = re.compile("[\"'“”‘’「」『』]")
_NUMBERING_COMMA = re.compile(r"^(\d+)[、，．]")
_NUMBERING_PAREN = re.compile(r"^（?(\d+)）")  # “（1）属于国家秘密”, “1)属于…” numbered like “1.属于国家秘密”


def normalise_label(text: object) -> str:
    """The one way labels are compared (table headers, unit types, sections):
    NFKC, no spaces or quotes, full-width brackets, "1、", "（1）" and "1)"
    written as "1.", no trailing colon."""
    return _normalised(str(text))


@functools.lru_cache(maxsize=1 << 16)  # the reader compares every text cell of a workbook
def _normalised(text: str) -> str:
    import unicodedata

    s = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).translate(_BRACKETS)
    s = _QUOTES.sub("", s)
    s = _NUMBERING_COMMA.sub(r"\1.", s)
    s = _NUMBERING_PAREN.sub(r"\1.", s)
    return s.rstrip("：")


_normalise_label = normalise_label  # the name other modules imported


# -- loading ---------------------------------------------------------------


def available_editions() -> list[str]:
    files = resources.files("xxgk.editions")
    return sorted(p.name[:-5] for p in files.iterdir() if p.name.endswith(".yaml"))


@functools.lru_cache(maxsize=None)
def load_edition(name: str = DEFAULT_EDITION) -> Edition:
    """Load, expand and validate an edition by name (e.g. ``"2021"``)."""
    import yaml  # local: keeps `import xxgk` light

    try:
        text = resources.files("xxgk.editions").joinpath(f"{name}.yaml").read_text("utf-8")
    except FileNotFoundError:
        raise SpecError(f"未知的格式版本“{name}”，可用：{'、'.join(available_editions())}") from None
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader)
    return build_edition(data, source=f"editions/{name}.yaml", text=text)


def _node(d: Mapping[str, Any]) -> Node:
    return Node(
        key=d.get("key"),
        label=str(d.get("label") or ""),
        children=tuple(_node(c) for c in d.get("children") or ()),
        aliases=tuple(d.get("aliases") or ()),
        value_type=d.get("value_type"),
        name=d.get("name"),
        total=bool(d.get("total")),
    )


def _parse_term(text: str) -> Term:
    sign = 1
    if text.startswith("-"):
        sign, text = -1, text[1:]
    prev = text.startswith("prev:")
    if prev:
        text = text[5:]
    return Term(text, sign, prev)


@dataclass(frozen=True)
class _Source:
    """Where the edition came from, to name file and line in a SpecError."""

    name: str | None = None
    text: str | None = None

    def at(self, *needles: str) -> str:
        """“editions/2021.yaml 第 12 行：” for the first line holding a needle."""
        if not self.name:
            return ""
        if self.text:
            for needle in needles:
                m = re.search(rf"(?<![\w.]){re.escape(needle)}(?![\w])", self.text)
                if m:
                    return f"{self.name} 第 {self.text.count(chr(10), 0, m.start()) + 1} 行："
        return f"{self.name}："


def build_edition(data: Mapping[str, Any], *, source: str | None = None, text: str | None = None) -> Edition:
    """Build an :class:`Edition` from parsed YAML data and validate it.

    ``source`` (a file name) and ``text`` (the YAML) let errors name the
    file and line of the faulty rule or cell.
    """
    src = _Source(source, text)
    try:
        tables = []
        for t in data["tables"]:
            blocks = tuple(
                Block(
                    key=b["key"],
                    title=b.get("title"),
                    row_header=b.get("row_header"),
                    corner=b.get("corner"),
                    columns=tuple(_node(c) for c in b["columns"]),
                    rows=tuple(_node(r) for r in b["rows"]),
                )
                for b in t["blocks"]
            )
            tables.append(
                Table(
                    key=t["key"],
                    number=t["number"],
                    title=t["title"],
                    sheet=t["sheet"],
                    orientation=t.get("orientation", "portrait"),
                    blocks=blocks,
                    aliases=tuple(t.get("aliases") or ()),
                )
            )
        ed = Edition(
            edition=str(data["edition"]),
            name=data["name"],
            document=data["document"],
            first_year=int(data["first_year"]),
            last_year=int(data["last_year"]) if data.get("last_year") else None,
            workbook_labels=dict(data["workbook"].get("labels") or {}),
            summary_sheets=dict(data["workbook"].get("summary_sheets") or {}),
            annotation_sheet=data["workbook"].get("annotation_sheet") or "",
            headers={k: tuple(str(x) for x in v or ()) for k, v in (data["workbook"].get("headers") or {}).items()},
            workbook_texts={k: str(v) for k, v in (data["workbook"].get("texts") or {}).items()},
            rule_groups={k: str(v) for k, v in (data["workbook"].get("rule_groups") or {}).items()},
            report_title=data["report_title"],
            settings=dict(data.get("settings") or {}),
            info_fields=tuple(InfoField(**f) for f in data["info_fields"]),
            unit_types=tuple(
                UnitType(u["key"], u["label"], {k: v for k, v in u.items() if k not in ("key", "label", "aliases")},
                         tuple(u.get("aliases") or ()))
                for u in data["unit_types"]
            ),
            prose_sheet=data["prose"]["sheet"],
            instructions_sheet=data["workbook"]["instructions_sheet"],
            info_sheet=data["workbook"]["info_sheet"],
            checks_sheet=data["workbook"]["checks_sheet"],
            prose_sections=tuple(
                ProseSection(s["key"], s["number"], s["label"], s.get("hint", ""), s.get("max_chars"),
                             tuple(s.get("aliases") or ()))
                for s in data["prose"]["sections"]
            ),
            value_types={k: _value_type(k, v) for k, v in data["value_types"].items()},
            tables=tuple(tables),
            rules=tuple(
                RuleSpec(
                    id=r["id"],
                    code=r.get("code") or "",
                    codes=tuple(r["codes"]) if r.get("codes") else (r["code"],),
                    severity=r["severity"],
                    group=r["group"],
                    kind=r["kind"],
                    title=r["title"],
                    message=r["message"],
                    params={
                        k: v
                        for k, v in r.items()
                        if k not in ("id", "code", "codes", "severity", "group", "kind", "title", "message")
                    },
                )
                for r in data["rules"]
            ),
            extra_headings=tuple(data["prose"].get("extra_headings") or ()),
            page_end_markers=tuple(data["prose"].get("page_end_markers") or ()),
            render=dict(data.get("render") or {}),
        )
        ed.sets = {k: _select(ed, k, v) for k, v in (data.get("sets") or {}).items()}
    except (KeyError, TypeError) as exc:
        raise SpecError(f"格式描述不完整：{exc!r}") from exc

    _build_cells(ed, data)
    ed.rule_instances = tuple(_expand_rules(ed, src))
    _check_references(ed, src)
    _attach_formulas(ed)
    _check_cycles(ed, src)
    validate_edition(ed)
    return ed


def _check_references(ed: Edition, src: _Source) -> None:
    """Every rule term and rule `key` must name a cell of the edition."""
    problems = []
    for inst in ed.rule_instances:
        for t in (*inst.lhs, *inst.rhs):
            if t.key not in ed.cells:
                problems.append(f"{src.at('id: ' + inst.id)}规则 {inst.instance_id} 引用了不存在的单元格 {t.key}")
        if inst.rule.params.get("formula") and len(inst.lhs) != 1:
            problems.append(f"{src.at('id: ' + inst.id)}规则 {inst.instance_id} 的公式目标必须是一个单元格")
        if inst.rule.params.get("formula") and any(t.sign < 0 or t.previous for t in (*inst.lhs, *inst.rhs)):
            problems.append(f"{src.at('id: ' + inst.id)}规则 {inst.instance_id} 是公式（合计），只能把本年的单元格相加")
    for r in ed.rules:
        if "key" in r.params and r.params["key"] not in ed.cells:
            problems.append(f"{src.at('id: ' + r.id)}规则 {r.id} 引用了不存在的单元格 {r.params['key']}")
    if problems:
        raise SpecError("；".join(dict.fromkeys(problems)))


def _check_cycles(ed: Edition, src: _Source) -> None:
    """Formula cells must not depend on themselves, however indirectly."""
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(key: str, trail: list[str]) -> None:
        if state.get(key) == 2:
            return
        if state.get(key) == 1:
            cycle = trail[trail.index(key):] + [key]
            rules = [i.id for i in ed.rule_instances if i.rule.params.get("formula") and i.lhs[0].key in cycle]
            raise SpecError(f"{src.at(*('id: ' + r for r in rules))}公式循环引用：{' → '.join(cycle)}")
        state[key] = 1
        for k in ed.cells[key].formula_terms or ():
            visit(k, trail + [key])
        state[key] = 2

    for key in ed.cells:
        visit(key, [])


_SELECTOR_KEYS = {"rows_of", "columns_of", "blocks", "under", "totals", "part"}


def _select(ed: Edition, name: str, spec: Any) -> tuple[str, ...]:
    """A term set: a plain list, or a selection from a table's header tree.

    ``{rows_of: t3}`` every leaf row's path key; ``{columns_of: t4}`` every
    leaf column's.  ``blocks: [..]`` limits to those blocks; ``under: x``
    to leaves below the node keyed or named x; ``totals: false`` leaves out
    nodes marked ``total``, ``totals: only`` keeps only them; ``part:
    parent`` gives the path without its leaf (table 4's groups), ``part:
    leaf`` the leaf's own key (each once).
    """
    if isinstance(spec, (list, tuple)):
        return tuple(str(v) for v in spec)
    if not isinstance(spec, Mapping) or set(spec) - _SELECTOR_KEYS or ("rows_of" in spec) == ("columns_of" in spec):
        raise SpecError(f"集合 {name} 的写法不对：应为列表，或 rows_of/columns_of 加 blocks、under、totals、part")
    axis = "rows" if "rows_of" in spec else "columns"
    table = ed.table(spec.get("rows_of") or spec.get("columns_of"))
    blocks = spec.get("blocks")
    totals, part, under = spec.get("totals", True), spec.get("part", "path"), spec.get("under")
    out: dict[str, None] = {}
    for block in table.blocks:
        if blocks is not None and block.key not in blocks:
            continue
        for path in block.row_paths() if axis == "rows" else block.column_paths():
            if under is not None and not any(under in (n.key, n.name) for n in path[:-1]):
                continue
            if (totals is False and path[-1].total) or (totals == "only" and not path[-1].total):
                continue
            value = {"path": _path_key(path), "parent": _path_key(path[:-1]), "leaf": path[-1].key or ""}.get(part)
            if value is None:
                raise SpecError(f"集合 {name} 的 part 只能是 path、parent 或 leaf")
            out.setdefault(value, None)
    if not out:
        raise SpecError(f"集合 {name} 是空的：没有符合条件的行或列")
    return tuple(out)


def _build_cells(ed: Edition, data: Mapping[str, Any]) -> None:
    raw_tables = {t["key"]: t for t in data["tables"]}
    for table in ed.tables:
        default_vt = raw_tables[table.key].get("value_type")
        if default_vt is None:
            raise SpecError(f"表 {table.key} 没有声明 value_type（其单元格的数值类型）")
        for block in table.blocks:
            for rp in block.row_paths():
                for cp in block.column_paths():
                    key = cell_key(table, rp, cp)
                    if key in ed.cells:
                        raise SpecError(f"重复的单元格键 {key}")
                    vt = cp[-1].value_type or rp[-1].value_type or default_vt
                    ed.cells[key] = CellSpec(key, table, block, rp, cp, vt)


def _expand(template: str, env: Mapping[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: env[m.group(1)], template)


def _bind(ed: Edition, spec: Mapping[str, str] | None, where: str = "") -> list[dict[str, str]]:
    """All combinations of a for_each mapping {var: set name}."""
    combos: list[dict[str, str]] = [{}]
    for var, set_name in (spec or {}).items():
        if set_name not in ed.sets:
            raise SpecError(f"{where}规则引用了未定义的集合 {set_name}")
        combos = [{**c, var: v} for c in combos for v in ed.sets[set_name]]
    return combos


def _binding_label(ed: Edition, table: Table, value: str) -> str:
    for block in table.blocks:
        for paths in (block.row_paths(), block.column_paths()):
            for p in paths:
                # match a full path or a prefix (a group such as litigation.direct)
                for i in range(1, len(p) + 1):
                    if _path_key(p[:i]) == value and p[i - 1].key:
                        return _path_label(p[:i])
    return value


def _expand_rules(ed: Edition, src: _Source = _Source()) -> Iterator[RuleInstance]:
    for rule in ed.rules:
        if rule.kind != "equation":
            yield RuleInstance(rule, (), (), {}, {})
            continue
        where = src.at("id: " + rule.id)
        for env in _bind(ed, rule.params.get("for_each"), where):
            sides = []
            for side in ("lhs", "rhs"):
                terms: list[Term] = []
                for raw in rule.params[side]:
                    inner = [v for v in re.findall(r"\{(\w+)\}", raw) if v not in env]
                    extra = {v: rule.params.get("for_each_term", {}).get(v) for v in inner}
                    for sub in _bind(ed, extra if inner else None, where):
                        terms.append(_parse_term(_expand(raw, {**env, **sub})))
                sides.append(tuple(terms))
            first_table = ed.cells[sides[0][0].key].table if sides[0][0].key in ed.cells else ed.tables[0]
            labels = {f"{var}_label": _binding_label(ed, first_table, val) for var, val in env.items()}
            yield RuleInstance(rule, sides[0], sides[1], dict(env), labels)


def _attach_formulas(ed: Edition) -> None:
    """Turn the lhs cell of every `formula: true` rule into a computed cell.

    When two rules compute the same cell (table 3's grand total), the first
    rule in the file wins; the other still checks it.
    """
    for inst in ed.rule_instances:
        if not inst.rule.params.get("formula"):
            continue
        (target,) = inst.lhs
        cell = ed.cells[target.key]
        if cell.formula_terms is not None:
            continue
        ed.cells[target.key] = CellSpec(
            cell.key, cell.table, cell.block, cell.row_path, cell.col_path, cell.value_type,
            tuple(t.key for t in inst.rhs),
        )


def validate_edition(ed: Edition) -> None:
    """Check the edition's own consistency; raise SpecError on the first problem."""
    problems: list[str] = []
    sheets = [t.sheet for t in ed.tables] + [ed.prose_sheet, ed.instructions_sheet, ed.info_sheet, ed.checks_sheet]
    if len(set(sheets)) != len(sheets):
        problems.append("工作表名称重复")
    for role in SUMMARY_SHEET_ROLES:
        if not ed.summary_sheets.get(role):
            problems.append(f"workbook.summary_sheets 缺少 {role}")
    if not ed.annotation_sheet:
        problems.append("workbook 缺少 annotation_sheet")
    # a summary holds the report's sheets and its own; an annotated copy, the report's and its sheet of findings
    summary = [ed.summary_sheets[r] for r in SUMMARY_SHEET_ROLES if ed.summary_sheets.get(r)]
    for extra in (summary, [ed.annotation_sheet] if ed.annotation_sheet else []):
        if len(set(extra)) != len(extra) or set(extra) & set(sheets):
            problems.append("汇总表或批注副本的工作表名称与其他工作表重复：" + "、".join(extra))
    for s in [*sheets, *summary, ed.annotation_sheet]:
        if len(s) > 31 or re.search(r"[\[\]:*?/\\]", s):
            problems.append(f"工作表名称不符合 Excel 要求：{s}")
    type_names = [_normalise_label(n) for u in ed.unit_types for n in (u.label, *u.aliases)]
    if len(set(type_names)) != len(type_names):
        problems.append("单位类型的名称或别名重复")
    roles = [f.role for f in ed.info_fields if f.role]
    for role in ("unit", "unit_type", "year", "date"):
        if roles.count(role) != 1:
            problems.append(f"基本信息中应有且只有一项 role: {role}")
    for role, n in HEADER_COLUMNS.items():
        if len(ed.headers.get(role, ())) != n or not all(ed.headers[role]):
            problems.append(f"workbook.headers.{role} 应有 {n} 个列标题")
    for name, fields in WORKBOOK_TEXTS.items():
        text = ed.workbook_texts.get(name)
        try:
            if not text or not text.format(**dict.fromkeys(fields, "")):
                raise ValueError
        except (KeyError, ValueError, IndexError):
            problems.append(f"workbook.texts.{name} 缺少或有未知的 {{…}}（可用：{'、'.join(fields) or '无'}）")
    for name in ("status_all_passed", "status_blanks", "status_failed"):  # parts of Excel formulas
        text = ed.workbook_texts.get(name) or ""
        needs_n = "n" in WORKBOOK_TEXTS[name]
        if '"' in text or (needs_n and text.count("{n}") != 1):
            problems.append(f"workbook.texts.{name} 不能含英文双引号" + ("，且应恰好含一个 {n}" if needs_n else ""))
    banner = ed.workbook_texts.get("annotation_banner") or ""
    if ed.workbook_labels.get("pass") == ed.workbook_labels.get("fail") or any(
            '"' in (ed.workbook_labels.get(k) or "") for k in ("pass", "fail")):
        problems.append("workbook.labels 的 pass 与 fail 应不同，且不含英文双引号")
    if not banner.startswith("xxgk ") or '"' in banner:
        problems.append("workbook.texts.annotation_banner 应以“xxgk ”开头，且不含英文双引号")
    for name in ("unit_row", "total", "included", "excluded", "summary_row", "pass", "fail"):
        if not ed.workbook_labels.get(name):
            problems.append(f"workbook.labels 缺少 {name}")
    ids = [r.id for r in ed.rules]
    if len(set(ids)) != len(ids):
        problems.append("规则编号重复")
    kinds = {"equation", "unit_type_flag", "unit_type_max", "prose_contradiction", "prose_length",
             "cell_value", "cell_blank"}
    for r in ed.rules:
        if r.kind not in kinds:
            problems.append(f"规则 {r.id} 的类型 {r.kind} 未知")
        if r.group not in ed.rule_groups or not ed.rule_groups[r.group]:
            problems.append(f"规则 {r.id} 的分组 {r.group} 不在 workbook.rule_groups 中")
        if r.severity not in ("error", "warning", "info"):
            problems.append(f"规则 {r.id} 的严重程度 {r.severity} 未知")
        if "section" in r.params and r.params["section"] not in {s.key for s in ed.prose_sections}:
            problems.append(f"规则 {r.id} 引用了不存在的文字部分 {r.params['section']}")
    # terms naming no cell and ill-formed formulas: _check_references, at load, with the line
    for vt in {c.value_type for c in ed.cells.values()}:
        if vt not in ed.value_types:
            problems.append(f"未定义的数值类型 {vt}")
    if problems:  # formula cycles: _check_cycles, at load
        raise SpecError("；".join(problems))


def quantize(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals))
