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
    "members",  # number of member rows that follow (summaries); older files: a JSON list
)
MEMBER = "member"  # one row per member unit of a summary, after the fields: no cell limit can cut the list
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
        "members": "",
    }
    names = list(members)
    values["members"] = str(len(names))
    return [(f, values[f]) for f in FIELDS] + [(MEMBER, name) for name in names]


def parse_meta(rows: Mapping[str, object], members: list[str] | None = None) -> dict[str, object] | None:
    """Metadata from the sheet's (field -> value) pairs and its member rows;
    None if not ours.  ``members_complete`` is False when the list read is
    not the list written (a count that does not match, or a cut JSON list)."""
    if str(rows.get("format") or "") != MAGIC:
        return None
    out: dict[str, object] = {f: ("" if rows.get(f) is None else str(rows.get(f))) for f in FIELDS}
    out[ANNOTATED] = "" if rows.get(ANNOTATED) is None else str(rows.get(ANNOTATED))
    stated = str(out["members"]).strip()
    complete = True
    if stated.isdigit():
        found = list(members or [])
        complete = int(stated) == len(found)
    else:  # written before member rows: one JSON list in one cell (cut beyond 32,767 characters)
        try:
            found = [str(m) for m in json.loads(stated or "[]")]
        except ValueError:
            found, complete = [], False
    out["members"] = found
    out["members_complete"] = complete
    return out
