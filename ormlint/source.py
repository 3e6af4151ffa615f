"""Reading and writing Python source exactly as Python does, and never half-writing it.

Files are decoded as the interpreter decodes them (PEP 263 coding cookie, UTF-8 BOM) and
written back with the same encoding, BOM and line endings: fixes are applied as text edits
to the decoded text, so everything outside an edit is byte-for-byte what it was.
"""

from __future__ import annotations

import bisect
import io
import os
import re
import stat
import tempfile
import tokenize
from dataclasses import dataclass, replace
from typing import List, Optional

_LINE_BREAK = re.compile(r"\r\n|\r|\n")

#: Larger files are not checked (``max-file-size``): generated code, data dumps and
#: minified bundles named ``.py`` would cost more memory and time than every other file.
DEFAULT_MAX_FILE_SIZE = 2 * 1024 * 1024
_MEGABYTE = 1024 * 1024

#: The kinds of file that are never opened, by the test of their mode.
_SPECIAL_FILES = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class SourceError(Exception):
    """A file that cannot be read or decoded; the message is meant for the user."""


class WriteError(Exception):
    """A fixed file that could not be written back; the original is untouched."""


@dataclass(frozen=True)
class SourceFile:
    path: str
    text: str
    encoding: str
    raw: bytes
    #: ``raw`` was read from ``path`` by this run, so the project index (built from the
    #: files on disk) describes this very text and need not be checked against it.
    on_disk: bool = False
    #: ``text`` was changed by this run since it was read (a round of ``--fix``): the
    #: index still describes the file as it was read.
    edited: bool = False

    @classmethod
    def read(cls, path: str, max_size: int = DEFAULT_MAX_FILE_SIZE) -> "SourceFile":
        """Read a file, after :func:`refusal` has found nothing against it, and never past
        ``max_size`` bytes (a file may grow after it was examined)."""
        try:
            reason = refusal(os.stat(path), max_size)
            if reason is not None:
                raise SourceError(reason)
            with open(path, "rb") as handle:
                raw = handle.read(max_size + 1)
                if len(raw) > max_size:
                    raise SourceError(too_large(os.fstat(handle.fileno()).st_size, max_size))
        except OSError as error:
            raise SourceError(f"cannot read file: {error.strerror or error}") from None
        return replace(cls.from_bytes(path, raw), on_disk=True)

    @classmethod
    def from_bytes(cls, path: str, raw: bytes) -> "SourceFile":
        try:
            encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
        except SyntaxError as error:
            raise SourceError(f"cannot decode file: {error}") from None
        try:
            text = raw.decode(encoding)
        except (UnicodeDecodeError, LookupError) as error:
            raise SourceError(f"cannot decode file as {encoding}: {error}") from None
        return cls(path=path, text=text, encoding=encoding, raw=raw)

    def encode(self, text: str) -> bytes:
        """Encode fixed text the way this file was encoded (``utf-8-sig`` restores the BOM)."""
        return text.encode(self.encoding)

    def write(self, text: str) -> None:
        """Replace the file with ``text`` atomically, keeping its mode.

        The file is written to a temporary file beside it and renamed over it, so a crash
        or a full disk leaves the original in place. A symbolic link is followed and its
        target replaced, so the link stays a link. A file changed on disk since it was
        read is left alone: the user's newer edit wins over our fix.
        """
        target = os.path.realpath(self.path)
        try:
            with open(target, "rb") as handle:
                current = handle.read()
        except OSError as error:
            raise WriteError(f"cannot read before writing: {error.strerror or error}") from None
        if current != self.raw:
            raise WriteError("file changed on disk since it was read; not overwritten")
        mode = stat.S_IMODE(os.stat(target).st_mode)
        # The mode, not os.access(): a superuser may write anything, but a file someone
        # made read-only is a decision ormlint should not override.
        if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(target, os.W_OK):
            raise WriteError("file is read-only; not fixed")
        data = self.encode(text)
        directory = os.path.dirname(target) or "."
        try:
            fd, temporary = tempfile.mkstemp(dir=directory, prefix=".ormlint-", suffix=".tmp")
        except OSError as error:
            raise WriteError(f"cannot create a temporary file: {error.strerror or error}") from None
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(temporary, mode)
            os.replace(temporary, target)
        except OSError as error:
            try:
                os.unlink(temporary)
            except OSError:
                pass
            raise WriteError(f"cannot write file: {error.strerror or error}") from None


def refusal(status: os.stat_result, max_size: int) -> Optional[str]:
    """Why a file of this status (from ``os.stat``) is not read, or ``None`` when it may be.

    Only regular files of at most ``max_size`` bytes are read: opening a named pipe blocks
    until something writes to it, and a device such as ``/dev/zero`` never ends. ``os.stat``
    follows symbolic links, so a link to such a file is refused with it. The status comes
    first because ``open()`` on a named pipe would already hang.
    """
    mode = status.st_mode
    if stat.S_ISREG(mode):
        return too_large(status.st_size, max_size) if status.st_size > max_size else None
    if stat.S_ISDIR(mode):
        return "is a directory, not a Python file"
    kind = next((name for test, name in _SPECIAL_FILES if test(mode)), "a special file")
    return f"is {kind}, not a regular file; not read"


def too_large(size: Optional[int], max_size: int) -> str:
    """The reason given for a file larger than ``max_size``; ``size`` is ``None`` when it is
    not known (standard input, not read to its end)."""
    measured = f"{megabytes(size)} >" if size is not None else "more than"
    return f"too large to check ({measured} {megabytes(max_size)} limit of `max-file-size`)"


def megabytes(size: int) -> str:
    """``2 MB``, ``5.3 MB``, ``0.5 MB``: one decimal at most; ``12 KB`` below a tenth of a
    megabyte, where the megabytes would read ``0``."""
    amount, unit = (size / _MEGABYTE, "MB") if size >= _MEGABYTE // 10 else (size / 1024, "KB")
    return f"{amount:.1f}".removesuffix(".0") + f" {unit}"


def is_special_file(path: str) -> bool:
    """Whether ``path`` is something other than a regular file or a folder (a named pipe, a
    device, a socket, or a link to one): a walk skips it. A path that cannot be examined is
    not special: reading it reports why."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


class LineIndex:
    """Converts between offsets in a text and 1-based rows and columns.

    Lines end at ``\\n``, ``\\r\\n`` or a lone ``\\r``, as the Python tokenizer (and libcst's
    positions) count them.
    """

    def __init__(self, text: str) -> None:
        starts: List[int] = [0]
        for match in _LINE_BREAK.finditer(text):
            starts.append(match.end())
        self._starts = starts
        self._length = len(text)

    def offset(self, row: int, column: int) -> int:
        """Offset of a 1-based row and 0-based column."""
        row = min(max(row, 1), len(self._starts))
        return min(self._starts[row - 1] + column, self._length)

    def row_count(self) -> int:
        return len(self._starts)

    def row_starting_at(self, offset: int) -> Optional[int]:
        """The 1-based row that starts at ``offset``, or ``None`` if no row starts there."""
        row = bisect.bisect_right(self._starts, offset)
        return row if self._starts[row - 1] == offset else None
