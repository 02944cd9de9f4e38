"""Writing files so that nothing is ever lost (shared by every command that writes).

* :func:`atomic_output` — a file is written to a temporary file in the target
  folder and renamed into place only when complete.  On any failure or
  interruption (an exception, Ctrl-C, SIGTERM turned into an exception by
  :func:`install_signal_handlers`) the temporary file is removed and whatever
  was at the target before is untouched.  Two runs writing the same target at
  once each write their own temporary file; the last rename wins and the file
  is always whole.
* :func:`refuse_overwriting_inputs` — the guard run before any work: an output
  that is one of the inputs is refused (:class:`OutputIsInput`, exit 2).
* :func:`install_signal_handlers` — SIGTERM raises :class:`Terminated`, so
  ``finally`` blocks and context managers run as they do for Ctrl-C.

Usage (any writer that accepts a path)::

    with atomic_output(out) as tmp:
        workbook.save(tmp)          # openpyxl; xlsxwriter.Workbook(tmp); df.to_csv(tmp) …
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

__all__ = [
    "TEMP_PREFIX",
    "atomic_output",
    "refuse_overwriting_inputs",
    "same_file",
    "RefusedOutput",
    "OutputIsInput",
    "Terminated",
    "install_signal_handlers",
    "worker_signals",
    "clean_text",
    "display_path",
    "for_terminal",
]

# Temporary files start with this; folder scans skip them (a run killed with
# SIGKILL cannot clean up, and its leftover must never be read as a submission).
TEMP_PREFIX = ".~xxgk-"


class RefusedOutput(ValueError):
    """An output that would destroy something (exit 2); ``str(exc)`` is one line in Chinese."""


class OutputIsInput(RefusedOutput):
    """An output path names one of the inputs."""


class Terminated(BaseException):
    """Raised in the main process on SIGTERM (like KeyboardInterrupt for SIGINT)."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success it replaces ``path``.

    The temporary file exists (empty) when yielded and keeps ``path``'s suffix,
    so writers that look at the extension behave.  Its contents are flushed to
    disk (fsync) before the rename.  The target's folder must exist.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    stem = target.stem[:40]  # keep the name short whatever the target's length
    fd, tmp_name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{stem}-", suffix=target.suffix, dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        _finish(tmp, target)
    except BaseException:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        raise


def _finish(tmp: Path, target: Path) -> None:
    try:
        mode = os.stat(target).st_mode & 0o7777  # keep an existing file's permissions
    except OSError:
        mode = 0o666 & ~_umask()  # as a plain open() would have made it
    os.chmod(tmp, mode)
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); silently skipped where folders cannot be opened."""
    try:
        fd = os.open(folder if str(folder) else ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    """True when ``a`` and ``b`` name the same file (links, case, ``..`` resolved)."""
    try:
        if os.path.exists(a) and os.path.exists(b):
            return os.path.samefile(a, b)
    except OSError:
        pass
    return _real(a) == _real(b)


def _real(p: str | os.PathLike) -> str:
    return os.path.normcase(os.path.realpath(os.path.abspath(p)))


def refuse_overwriting_inputs(
    outputs: Iterable[str | os.PathLike | None],
    inputs: Iterable[str | os.PathLike | None],
) -> None:
    """Raise :class:`OutputIsInput` if any output is one of the inputs.

    Call it before doing any work.  ``None`` entries are ignored, so optional
    outputs and inputs can be passed as they are.
    """
    ins = [p for p in inputs if p is not None]
    by_real = {_real(p): p for p in ins}
    for out in outputs:
        if out is None:
            continue
        hit = by_real.get(_real(out))
        if hit is None and os.path.exists(out):
            hit = next((p for p in ins if same_file(out, p)), None)
        if hit is not None:
            raise OutputIsInput(f"输出文件 {os.fsdecode(out)} 就是输入文件 {os.fsdecode(hit)}，"
                                f"不能覆盖输入文件，请另选输出文件名")


def _raise_terminated(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise Terminated()


def install_signal_handlers() -> None:
    """SIGTERM raises :class:`Terminated` in the main thread (no-op elsewhere)."""
    try:
        signal.signal(signal.SIGTERM, _raise_terminated)
    except (ValueError, OSError, AttributeError):  # not the main thread, or no SIGTERM
        pass


def worker_signals() -> None:
    """Initializer of worker processes: they leave Ctrl-C to the parent (which
    ends them when it stops) and die quietly on SIGTERM, never with a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


# -- text that came from a file: safe to show and to write -------------------------------

_ESCAPED_BYTES = re.compile("[\udc80-\udcff]+")  # bytes of a file name Python could not decode
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # keeps tab, newline, CR
_SGR = re.compile("\x1b\\[[0-9;]*m")  # colour codes (what click.style writes)


def clean_text(text: str) -> str:
    """Text read from a file, made safe to print and to write to a workbook or
    JSON: lone surrogates become U+FFFD, control characters (ESC, BEL, NUL …)
    are removed; tab, newline and carriage return stay."""
    if not text:
        return text
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))


def display_path(path: str | os.PathLike) -> str:
    """A path as a user should read it: a name whose bytes are not UTF-8 (a
    Windows zip unpacked on Linux gives GBK names) is decoded as GB18030."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if _ESCAPED_BYTES.search(text):
        text = "/".join(_decode_name(part) for part in text.split("/"))
    return clean_text(text)


def _decode_name(part: str) -> str:
    if not _ESCAPED_BYTES.search(part):
        return part
    raw = part.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "replace")


def for_terminal(text: str) -> str:
    """Output for the terminal: colour codes stay, every other control
    character goes (a file cannot move the cursor, retitle the window or ring
    the bell), and nothing left can fail to encode."""
    parts = _SGR.split(text)
    codes = _SGR.findall(text)
    out = [clean_text(parts[0])]
    for code, part in zip(codes, parts[1:]):
        out += [code, clean_text(part)]
    return "".join(out)
