"""Find the parts of a published report in its linear text.

A report copied from a web page or a document is one long text: a title,
perhaps an archiver's header ("标题: …"), an introduction, the six numbered
sections (一、总体情况 … 六、其他需要报告的事项), and the page's own text
around it.  Headings may run together with the text before and after them
("…特编制此报告：一、总体情况2022年，…"), sections may be renumbered and
extra ones inserted ("五、信息处理费收取情况", the later sections moving on
by one).  Every heading and its other wordings come from the edition (the
prose sections, the table titles, ``prose.extra_headings``); nothing here
names a section.

* :func:`identify` -- unit and year from the title.
* :func:`locate_sections` -- every top-level heading found, in order.
* :func:`split_sections` -- the prose sections' text by section key.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..spec import Edition, load_edition

__all__ = ["Heading", "identify", "locate_sections", "split_sections", "fuzzy_pattern"]

_NUMERALS = "一二三四五六七八九十"
_NUMBER_PREFIX = re.compile(rf"^[{_NUMERALS}]+、")
# Characters that are written in several ways; each becomes a class.
_VARIANTS = {
    "（": "[（(]", "）": "[）)]", "(": "[（(]", ")": "[）)]",
    "：": "[：:]", ":": "[：:]", "，": "[，,]", ",": "[，,]",
    "、": "[、,，]", "“": "[“”\"「]?", "”": "[“”\"」]?", '"': "[“”\"]?",
}


def fuzzy_pattern(text: str) -> str:
    """A regex for ``text`` as it appears in copied text: any white space
    between characters, half- or full-width brackets, quotes optional."""
    chars = [c for c in text if not c.isspace()]
    return r"\s*".join(_VARIANTS.get(c, re.escape(c)) for c in chars)


def _numeral_value(numeral: str) -> int:
    """一 … 九十九 as a number."""
    digits = {c: i + 1 for i, c in enumerate(_NUMERALS[:9])}
    if numeral == "十":
        return 10
    if numeral.startswith("十"):
        return 10 + digits.get(numeral[1:], 0)
    if "十" in numeral:
        tens, _, ones = numeral.partition("十")
        return digits.get(tens, 0) * 10 + digits.get(ones, 0)
    return digits.get(numeral, 0)


@dataclass(frozen=True)
class Heading:
    """A top-level heading found in the text.

    ``key`` is a prose section key, a table key, or ``"extra"`` for a
    heading outside the format; ``number`` the value of its numeral (None
    when the heading stood alone on its line without one); ``start``/``end``
    the span of the heading itself in the text.
    """

    key: str
    title: str
    number: int | None
    start: int
    end: int


def per_edition(func):
    """Cache ``func(edition)`` per edition object (editions are not hashable)."""
    cache: dict[int, tuple[Edition, object]] = {}

    @functools.wraps(func)
    def wrapper(ed: Edition):
        hit = cache.get(id(ed))
        if hit is None or hit[0] is not ed:
            hit = cache[id(ed)] = (ed, func(ed))
        return hit[1]

    return wrapper


@per_edition
def _heading_patterns(ed: Edition) -> list[tuple[str, re.Pattern[str], re.Pattern[str]]]:
    """(key, numbered pattern, stand-alone line pattern) per heading wording."""
    titles: list[tuple[str, str]] = []
    for s in ed.prose_sections:
        titles += [(s.key, t) for t in (s.label, *s.aliases)]
    for t in ed.tables:
        titles += [(t.key, x) for x in (t.title, *t.aliases)]
    titles += [("extra", x) for x in ed.extra_headings]
    out = []
    for key, title in titles:
        body = fuzzy_pattern(_NUMBER_PREFIX.sub("", title))
        numbered = re.compile(rf"(?<![{_NUMERALS}])(?P<num>[{_NUMERALS}]{{1,3}})\s*[、.．]\s*(?P<body>{body})")
        alone = re.compile(rf"^[ \t\u3000]*(?P<body>{body})[ \t\u3000]*[：:]?[ \t\u3000]*$", re.M)
        out.append((key, numbered, alone))
    return out


def _candidates(text: str, ed: Edition) -> list[Heading]:
    found: dict[int, Heading] = {}
    for key, numbered, alone in _heading_patterns(ed):
        for m in numbered.finditer(text):
            h = Heading(key, m.group("body"), _numeral_value(m.group("num")), m.start(), m.end())
            old = found.get(h.start)
            if old is None or h.end > old.end:  # the longest wording wins
                found[h.start] = h
        for m in alone.finditer(text):
            h = Heading(key, m.group("body"), None, m.start("body"), m.end())
            found.setdefault(h.start, h)
    return sorted(found.values(), key=lambda h: h.start)


def locate_sections(text: str, edition: Edition | str | None = None) -> list[Heading]:
    """The report's top-level headings, in order.

    Among all places where a heading's wording occurs, the longest sequence
    is chosen whose numerals increase and whose sections of the format keep
    their order (an introduction that lists the sections, or a table row
    such as “四、结转下年度继续办理”, is not taken for a heading); between
    equally long sequences, the one whose sections are longest (a table of
    contents lists the headings close together).
    """
    ed = _edition(edition)
    order = {s.key: i for i, s in enumerate(_format_order(ed))}
    cands = _candidates(text, ed)
    # best[j] = (score, previous index, last number, last rank) of the best chain ending at j;
    # score = (headings, -headings skipped between them, shortest section)
    best: list[tuple[tuple[int, int, int], int, int, int]] = []
    for j, h in enumerate(cands):
        rank = order.get(h.key, -1)
        choice = ((1, 0, 1 << 30), -1, h.number or 0, rank)
        for i in range(j):
            (count, skipped, gap), _, num, last_rank = best[i]
            g = cands[i]
            if g.end > h.start or g.key == h.key and g.key != "extra":
                continue
            if h.number is not None and h.number <= num:
                continue
            if rank >= 0 and rank <= last_rank:
                continue
            score = (count + 1, skipped - (j - i - 1), min(gap, h.start - g.end))
            if score > choice[0]:
                choice = (score, i, h.number or num, rank if rank >= 0 else last_rank)
        best.append(choice)
    if not best:
        return []
    j = max(range(len(best)), key=lambda k: best[k][0])
    chain = []
    while j >= 0:
        chain.append(cands[j])
        j = best[j][1]
    return chain[::-1]


def _format_order(ed: Edition) -> list:
    """Prose sections and tables in the order of their numbers."""
    items = [(s.number, s) for s in ed.prose_sections] + [(t.number, t) for t in ed.tables]
    return [x for _, x in sorted(items, key=lambda p: _numeral_value(p[0]))]


def split_sections(text: str, edition: Edition | str | None = None,
                   headings: list[Heading] | None = None) -> dict[str, str]:
    """The text of each prose section found, by section key (e.g. ``overview``).

    A section runs from its heading to the next heading (of the format or an
    extra one); the last one ends where the page's own text begins
    (``prose.page_end_markers``) and loses a closing signature (the unit's
    name and a date).  ``headings``: those :func:`locate_sections` found, if
    already at hand.
    """
    ed = _edition(edition)
    prose_keys = {s.key for s in ed.prose_sections}
    if headings is None:
        headings = locate_sections(text, ed)
    out: dict[str, str] = {}
    for i, h in enumerate(headings):
        if h.key not in prose_keys:
            continue
        if i + 1 < len(headings):
            body = text[h.end:headings[i + 1].start]
        else:
            body = _trim_page_end(text[h.end:], ed, identify(text, ed)[0])
        body = _tidy(body)
        if body:
            out[h.key] = body
    return out


def _trim_page_end(body: str, ed: Edition, unit: str | None) -> str:
    cut = min((i for i in (body.find(m) for m in ed.page_end_markers) if i >= 0), default=len(body))
    body = body[:cut].rstrip()
    m = _CLOSING_DATE.search(body)
    if m:
        body = body[:m.start()].rstrip()
        if unit and body.endswith(unit):
            body = body[:-len(unit)].rstrip()
    return body


_CLOSING_DATE = re.compile(r"\s*(?:20\d{2}|二〇[〇一二三四五六七八九]{2})\s*年\s*\S{1,3}\s*月\s*\S{1,3}\s*日\s*$")


_BULLET = re.compile(r"^[-•·●▪*]\s+")  # a list bullet a copy from a page left


def _tidy(text: str) -> str:
    """Strip each line; drop blank lines at the ends and runs of blank lines."""
    lines = [_BULLET.sub("", ln.strip()) for ln in text.strip().lstrip("：:").splitlines()]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out).strip()


# -- title ---------------------------------------------------------------------------------


@per_edition
def _title_patterns(ed: Edition) -> list[re.Pattern[str]]:
    """The edition's title as regexes capturing unit and year: as written
    (“{unit}{year}年…”), with 年度, and with the year first (“2022年{unit}…”)."""
    head, _, tail = ed.report_title.partition("{year}")
    suffix = fuzzy_pattern(tail.lstrip("年"))
    unit = r"(?P<unit>[^\s，。：:；;,、！!？?]{2,60}?)"
    year = r"(?P<year>20\d{2})\s*年度?\s*"
    pats = []
    if head == "{unit}":
        pats.append(re.compile(unit + r"\s*" + year + suffix))
        pats.append(re.compile(year + unit + r"\s*" + suffix))
    else:  # a title of another shape: only what it says
        pats.append(re.compile(fuzzy_pattern(head).replace(r"\{unit\}", unit) + year + suffix))
    return pats


_HEADER_TITLE = re.compile(r"^\s*标题\s*[:：]\s*(.+)$", re.M)


def identify(text: str, edition: Edition | str | None = None) -> tuple[str | None, int | None]:
    """Unit and year from the report's title, e.g. “平潭综合实验区公安局2022年度
    政府信息公开工作年度报告” -> ("平潭综合实验区公安局", 2022).  An archiver's
    “标题: …” line is preferred; otherwise the first line holding the title."""
    ed = _edition(edition)
    header = _HEADER_TITLE.search(text[:4000])
    lines = text.splitlines()[:400]
    # a title set on two lines (GB/T 9704 breaks a long title, e.g. after the unit)
    joined = [a.strip() + b.strip() for a, b in zip(lines[:40], lines[1:41])]
    places = ([header.group(1)] if header else []) + lines + joined
    for line in places:
        for pat in _title_patterns(ed):
            m = pat.search(line)
            if m:
                return m.group("unit"), int(m.group("year"))
    return None, None


def _edition(edition: Edition | str | None) -> Edition:
    if isinstance(edition, Edition):
        return edition
    return load_edition(edition) if edition else load_edition()
