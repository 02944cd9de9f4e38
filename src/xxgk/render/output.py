"""Writing outputs safely, through :func:`xxgk.safeio.atomic_output`."""

from __future__ import annotations

import os
from pathlib import Path

from ..safeio import atomic_output

__all__ = ["atomic_write"]


def atomic_write(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file renamed into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)
    return target
