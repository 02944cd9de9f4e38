"""Bytes of a published report as text: declared charset, BOM, UTF-8, else detected.

Government sites serve UTF-8 or GBK/GB2312, declared in a ``<meta>`` tag or
not at all (a page saved without its HTTP header).  GB2312 and GBK are read
as GB18030, their superset (sites declare GB2312 and use GBK characters).
An undeclared encoding that is not UTF-8 is detected with charset-normalizer
(imported only then).
"""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ..submission import UnreadableFile

__all__ = ["decode_document", "declared_charset"]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "gb_2312-80": "gb18030", "x-gbk": "gb18030",
              "cp936": "gb18030", "euc-cn": "gb18030", "big5": "big5hkscs"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def declared_charset(head: bytes) -> str | None:
    """The charset a page declares in its first bytes (``<meta charset=…>``), normalised."""
    m = _META_CHARSET.search(head)
    if not m:
        return None
    name = m.group(1).decode("ascii", "replace").lower()
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, _SUPERSETS.get(m.group(1).decode("ascii", "replace").lower(), name))


def decode_document(data: bytes, path: str | Path, *, html: bool = False) -> str:
    """Decode a document: BOM, then the declared charset (pages), then UTF-8,
    then the best guess of charset-normalizer; UnreadableFile when none fits."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(name, "replace")
    tried = []
    declared = declared_charset(data[:4096]) if html else None
    sample = data[:4000]
    if sample.count(0) > len(sample) // 4:  # UTF-16 without a BOM: the NULs of ASCII characters
        declared = "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    for name in filter(None, (declared, "utf-8", None if html else "gb18030")):
        if name in tried:
            continue
        tried.append(name)
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise UnreadableFile(path, "无法识别文件的文字编码（不是 UTF-8 或 GBK），请另存为 UTF-8 编码后再读取",
                             code="unknown-encoding")
    name = _SUPERSETS.get(best.encoding.replace("_", "-").lower(), best.encoding)
    text = data.decode(name, "replace")
    if text.count("\ufffd") > max(3, len(text) // 200):
        raise UnreadableFile(path, "无法识别文件的文字编码（不是 UTF-8 或 GBK），请另存为 UTF-8 编码后再读取",
                             code="unknown-encoding")
    return text
