"""The hidden metadata sheet and the workbook-level defined names.

Both the writer and the reader use these helpers, so the two can never
disagree about a name or a metadata field.
"""

from __future__ import annotations

import json
from typing import Iterable, Mapping

from . import __version__

__all__ = [
    "META_SHEET",
    "TEMPLATE_VERSION",
    "NAME_PREFIX",
    "defined_name",
    "key_from_name",
    "meta_rows",
    "parse_meta",
]

META_SHEET = "_xxgk"  # hidden sheet; column A field, column B value
TEMPLATE_VERSION = "1"  # bump when the template layout changes
NAME_PREFIX = "xxgk."
MAGIC = "xxgk-report"

# Fields of the metadata sheet, in order.
FIELDS = (
    "format",  # always MAGIC
    "edition",
    "template_version",
    "generator",
    "kind",  # unit / summary
    "unit",
    "unit_type",
    "year",
    "fee_decimals",
    "members",  # JSON list of unit names (summaries)
)
# Written only into annotated copies (by xxgk.annotate): the fingerprint of
# the content that was annotated, so that an unchanged copy is recognised.
ANNOTATED = "annotated"


def defined_name(key: str) -> str:
    """Workbook-level defined name of a cell key, prose section or info field.

    Number cells: ``xxgk.t3.new_received.natural_person``; info fields:
    ``xxgk.info.unit``; prose: ``xxgk.prose.overview``.
    """
    return NAME_PREFIX + key


def key_from_name(name: str) -> str | None:
    return name[len(NAME_PREFIX):] if name.startswith(NAME_PREFIX) else None


def meta_rows(
    *,
    edition: str,
    kind: str = "unit",
    unit: str = "",
    unit_type: str = "",
    year: int | str = "",
    fee_decimals: int = 4,
    members: Iterable[str] = (),
) -> list[tuple[str, str]]:
    values = {
        "format": MAGIC,
        "edition": edition,
        "template_version": TEMPLATE_VERSION,
        "generator": f"xxgk {__version__}",
        "kind": kind,
        "unit": unit,
        "unit_type": unit_type,
        "year": str(year),
        "fee_decimals": str(fee_decimals),
        "members": json.dumps(list(members), ensure_ascii=False),
    }
    return [(f, values[f]) for f in FIELDS]


def parse_meta(rows: Mapping[str, object]) -> dict[str, object] | None:
    """Metadata from the sheet's (field -> value) pairs; None if not ours."""
    if str(rows.get("format") or "") != MAGIC:
        return None
    out: dict[str, object] = {f: ("" if rows.get(f) is None else str(rows.get(f))) for f in FIELDS}
    out[ANNOTATED] = "" if rows.get(ANNOTATED) is None else str(rows.get(ANNOTATED))
    try:
        out["members"] = json.loads(out["members"] or "[]")
    except ValueError:
        out["members"] = []
    return out
